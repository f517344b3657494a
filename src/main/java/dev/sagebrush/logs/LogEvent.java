package dev.sagebrush.logs;

/**
 * One stored log event: its position in the stream, when it happened, when it was stored, the line, and the line's
 * size in UTF-8 bytes.
 */
public record LogEvent(long index, long timestamp, long ingestionTime, String message, int messageBytes) {
    /** What CloudWatch counts against a response's 1 MB limit: the UTF-8 message plus 26 bytes. */
    public int billedBytes() {
        return messageBytes + 26;
    }
}
