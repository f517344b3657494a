package dev.sagebrush.compilation.reference;

import dev.sagebrush.compilation.CompilationFailure;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks every tensor of an ONNX model that keeps its bytes in an external file (TensorProto.external_data) before
 * ONNX Runtime opens the model: ONNX Runtime reads whatever {@code location} names, relative to the model, and would
 * put those bytes into the compiled model. A location must be a relative path, without {@code ..}, to a regular file
 * inside the model archive, and its offset and length must lie within that file. Anything else is refused, naming the
 * tensor. Runs in the ONNX Runtime child (never in the server JVM); a small reader of the protobuf wire format over the
 * messages that can hold tensors: graphs (initializers, sparse initializers, node attributes, subgraphs), functions
 * and training info.
 */
public final class OnnxExternalData {
    /** A tensor whose data is external, as written in the model. */
    public record Reference(String tensor, String location, Long offset, Long length) {}

    private static final int MAX_DEPTH = 64;
    // Message kinds the scan descends into.
    private static final int MODEL = 0, GRAPH = 1, NODE = 2, ATTRIBUTE = 3, TENSOR = 4, SPARSE = 5, FUNCTION = 6,
            TRAINING = 7;

    private OnnxExternalData() {}

    /** Refuses the model unless every external data reference stays inside {@code archiveRoot}. */
    public static void check(Path model, Path archiveRoot) throws IOException {
        Path base = model.toAbsolutePath().getParent();
        Path root = archiveRoot.toAbsolutePath().normalize();
        for (Reference r : references(model)) {
            String problem = problem(r, base, root);
            if (problem != null) {
                throw new CompilationFailure("ClientError: InputConfiguration: The ONNX model's tensor \"" + r.tensor()
                        + "\" keeps its data in external file \"" + r.location() + "\", which " + problem
                        + ". External data must be a relative path (no '..') to a file inside the model archive.");
            }
        }
    }

    static String problem(Reference r, Path base, Path root) throws IOException {
        String loc = r.location();
        if (loc == null || loc.isEmpty()) return "is empty";
        if (loc.indexOf('\0') >= 0 || loc.startsWith("/") || loc.startsWith("\\") || loc.matches("^[A-Za-z]:.*")) {
            return "is an absolute path";
        }
        for (String part : loc.split("[/\\\\]")) {
            if (part.equals("..")) return "leaves the model's directory";
        }
        Path target = base.resolve(loc).normalize();
        if (!target.startsWith(root)) return "is outside the model archive";
        // Every component must be a real directory or file of the archive: no links, nothing made up.
        Path p = root;
        for (Path part : root.relativize(target)) {
            p = p.resolve(part);
            if (Files.isSymbolicLink(p)) return "is a link";
        }
        if (!Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) return "is not a file in the model archive";
        long size = Files.size(target);
        long offset = r.offset() == null ? 0 : r.offset();
        if (offset < 0 || offset > size) return "has offset " + offset + " outside the file (" + size + " bytes)";
        if (r.length() != null && (r.length() < 0 || r.length() > size - offset)) {
            return "has length " + r.length() + " beyond the end of the file (" + size + " bytes)";
        }
        return null;
    }

    static List<Reference> references(Path model) throws IOException {
        try (FileChannel ch = FileChannel.open(model, StandardOpenOption.READ)) {
            if (ch.size() > Integer.MAX_VALUE) {
                throw new CompilationFailure("ClientError: InputConfiguration: The ONNX model " + model.getFileName()
                        + " is larger than 2 GiB, the protobuf limit; keep large tensors in external data files.");
            }
            ByteBuffer buf = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
            List<Reference> out = new ArrayList<>();
            try {
                scan(buf, 0, buf.limit(), MODEL, 0, out);
            } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
                // Not valid protobuf: ONNX Runtime will say so in its own words when it loads the model.
            }
            return out;
        }
    }

    private static void scan(ByteBuffer b, int start, int end, int kind, int depth, List<Reference> out) {
        if (depth > MAX_DEPTH) throw new IllegalArgumentException("nested too deeply");
        String name = null, location = null;
        Long offset = null, length = null;
        boolean external = false;
        int[] pos = {start};
        while (pos[0] < end) {
            long key = varint(b, pos, end);
            int field = (int) (key >>> 3);
            int wire = (int) (key & 7);
            switch (wire) {
                case 0 -> {
                    long v = varint(b, pos, end);
                    if (kind == TENSOR && field == 14) external = v == 1;
                }
                case 1 -> pos[0] = skip(pos[0], 8, end);
                case 5 -> pos[0] = skip(pos[0], 4, end);
                case 2 -> {
                    long len = varint(b, pos, end);
                    if (len < 0 || len > end - pos[0]) throw new IllegalArgumentException("truncated");
                    int from = pos[0], to = from + (int) len;
                    int child = childKind(kind, field);
                    if (child >= 0) {
                        scan(b, from, to, child, depth + 1, out);
                    } else if (kind == TENSOR && field == 8) {
                        name = string(b, from, to);
                    } else if (kind == TENSOR && field == 13) {
                        String[] kv = entry(b, from, to);
                        switch (kv[0]) {
                            case "location" -> location = kv[1];
                            case "offset" -> offset = number(kv[1]);
                            case "length" -> length = number(kv[1]);
                            default -> { }
                        }
                        external |= kv[0].equals("location");
                    }
                    pos[0] = to;
                }
                default -> throw new IllegalArgumentException("wire type " + wire);
            }
        }
        if (kind == TENSOR && external) out.add(new Reference(name == null ? "" : name, location, offset, length));
    }

    /** Which fields hold a message the scan must enter (field numbers from onnx.proto3). */
    private static int childKind(int kind, int field) {
        return switch (kind) {
            case MODEL -> field == 7 ? GRAPH : field == 25 ? FUNCTION : field == 20 ? TRAINING : -1;
            case TRAINING -> field == 1 || field == 2 ? GRAPH : -1;
            case GRAPH -> field == 1 ? NODE : field == 5 ? TENSOR : field == 15 ? SPARSE : -1;
            case FUNCTION -> field == 7 ? NODE : -1;
            case NODE -> field == 5 ? ATTRIBUTE : -1;
            case ATTRIBUTE -> field == 5 || field == 10 ? TENSOR : field == 6 || field == 11 ? GRAPH
                    : field == 22 || field == 23 ? SPARSE : -1;
            case SPARSE -> field == 1 || field == 2 ? TENSOR : -1;
            default -> -1;
        };
    }

    private static String[] entry(ByteBuffer b, int start, int end) {
        String k = "", v = "";
        int[] pos = {start};
        while (pos[0] < end) {
            long key = varint(b, pos, end);
            int wire = (int) (key & 7);
            if (wire == 2) {
                long len = varint(b, pos, end);
                if (len < 0 || len > end - pos[0]) throw new IllegalArgumentException("truncated");
                String s = string(b, pos[0], pos[0] + (int) len);
                if ((key >>> 3) == 1) k = s; else if ((key >>> 3) == 2) v = s;
                pos[0] += (int) len;
            } else if (wire == 0) {
                varint(b, pos, end);
            } else {
                pos[0] = skip(pos[0], wire == 1 ? 8 : wire == 5 ? 4 : Integer.MAX_VALUE, end);
            }
        }
        return new String[] {k, v};
    }

    private static Long number(String s) {
        try {
            return Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            return -1L; // refused as out of range: ONNX Runtime would misread it
        }
    }

    private static String string(ByteBuffer b, int from, int to) {
        byte[] bytes = new byte[to - from];
        b.get(from, bytes);
        return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
    }

    private static int skip(int pos, int n, int end) {
        if (n > end - pos) throw new IllegalArgumentException("truncated");
        return pos + n;
    }

    private static long varint(ByteBuffer b, int[] pos, int end) {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos[0] >= end) throw new IllegalArgumentException("truncated varint");
            byte x = b.get(pos[0]++);
            v |= (long) (x & 0x7f) << shift;
            if ((x & 0x80) == 0) return v;
        }
        throw new IllegalArgumentException("varint too long");
    }
}
