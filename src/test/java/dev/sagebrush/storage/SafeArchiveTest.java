package dev.sagebrush.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sagebrush.storage.ArchiveException.Reason;
import dev.sagebrush.storage.SafeArchive.Limits;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeArchiveTest {
    @TempDir
    Path tmp;

    /** One tar entry to write: a file with content, or a header-only entry of another type. */
    record E(String name, byte type, byte[] content, String link) {
        static E file(String name, String content) {
            return new E(name, TarConstants.LF_NORMAL, content.getBytes(StandardCharsets.UTF_8), null);
        }
        static E file(String name, byte[] content) {
            return new E(name, TarConstants.LF_NORMAL, content, null);
        }
        static E dir(String name) {
            return new E(name, TarConstants.LF_DIR, new byte[0], null);
        }
        static E special(String name, byte type, String link) {
            return new E(name, type, new byte[0], link);
        }
    }

    Path tarGz(String fileName, E... entries) throws IOException {
        Path archive = tmp.resolve(fileName);
        try (OutputStream out = Files.newOutputStream(archive);
             GzipCompressorOutputStream gz = new GzipCompressorOutputStream(out);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(gz)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (E e : entries) {
                // preserveAbsolutePath=true: otherwise commons-compress strips the leading '/' we want to test.
                TarArchiveEntry t = new TarArchiveEntry(e.name(), e.type(), true);
                if (e.link() != null) t.setLinkName(e.link());
                if (e.type() == TarConstants.LF_NORMAL) t.setSize(e.content().length);
                tar.putArchiveEntry(t);
                if (e.type() == TarConstants.LF_NORMAL) tar.write(e.content());
                tar.closeArchiveEntry();
            }
        }
        return archive;
    }

    Path dest() {
        return tmp.resolve("out");
    }

    void assertNoOutputLeft() throws IOException {
        assertThat(dest()).doesNotExist();
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains("extracting"));
        }
        assertThat(tmp.getParent().resolve("evil")).doesNotExist();
    }

    void assertFails(Path archive, Limits limits, Reason reason, String messagePart) throws IOException {
        assertThatThrownBy(() -> SafeArchive.extractTarGz(archive, dest(), limits))
                .isInstanceOfSatisfying(ArchiveException.class, e -> assertThat(e.reason()).isEqualTo(reason))
                .hasMessageContaining(messagePart);
        assertNoOutputLeft();
    }

    @Test
    void extractsFilesAndDirectories() throws IOException {
        Path a = tarGz("ok.tar.gz", E.dir("model/"), E.file("model/xgboost-model", "trees"),
                E.file("code/inference.py", "print(1)"), E.file("./top.txt", "top"));
        SafeArchive.extractTarGz(a, dest(), Limits.DEFAULT);
        assertThat(dest().resolve("model/xgboost-model")).hasContent("trees");
        assertThat(dest().resolve("code/inference.py")).hasContent("print(1)");
        assertThat(dest().resolve("top.txt")).hasContent("top");
    }

    @Test
    void acceptsAnEmptyExistingDestination() throws IOException {
        Files.createDirectories(dest());
        SafeArchive.extractTarGz(tarGz("ok.tar.gz", E.file("a", "1")), dest(), Limits.DEFAULT);
        assertThat(dest().resolve("a")).hasContent("1");
    }

    @Test
    void refusesANonEmptyDestination() throws IOException {
        Files.createDirectories(dest());
        Files.writeString(dest().resolve("keep"), "x");
        assertThatThrownBy(() -> SafeArchive.extractTarGz(tarGz("ok.tar.gz", E.file("a", "1")), dest(), Limits.DEFAULT))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not empty");
        assertThat(dest().resolve("keep")).hasContent("x");
    }

    @Test
    void rejectsZipSlip() throws IOException {
        assertFails(tarGz("slip.tar.gz", E.file("fine.txt", "ok"), E.file("../evil", "pwned")), Limits.DEFAULT,
                Reason.PATH_ESCAPE, "'../evil' would be written outside");
        assertFails(tarGz("slip2.tar.gz", E.file("a/../../evil", "pwned")), Limits.DEFAULT,
                Reason.PATH_ESCAPE, "'a/../../evil'");
    }

    @Test
    void allowsDotDotThatStaysInside() throws IOException {
        SafeArchive.extractTarGz(tarGz("in.tar.gz", E.file("a/../b.txt", "b")), dest(), Limits.DEFAULT);
        assertThat(dest().resolve("b.txt")).hasContent("b");
    }

    @Test
    void rejectsAbsolutePaths() throws IOException {
        assertFails(tarGz("abs.tar.gz", E.file("/tmp/evil", "pwned")), Limits.DEFAULT,
                Reason.PATH_ESCAPE, "'/tmp/evil' has an absolute path");
    }

    @Test
    void rejectsSymlinks() throws IOException {
        assertFails(tarGz("sym.tar.gz", E.file("a", "1"), E.special("model", TarConstants.LF_SYMLINK, "/etc/passwd")),
                Limits.DEFAULT, Reason.LINK, "'model' is a symbolic link to '/etc/passwd'");
    }

    @Test
    void rejectsHardLinks() throws IOException {
        assertFails(tarGz("hard.tar.gz", E.file("a", "1"), E.special("b", TarConstants.LF_LINK, "a")),
                Limits.DEFAULT, Reason.LINK, "'b' is a hard link to 'a'");
    }

    @Test
    void rejectsDevicesAndFifos() throws IOException {
        assertFails(tarGz("fifo.tar.gz", E.special("pipe", TarConstants.LF_FIFO, null)),
                Limits.DEFAULT, Reason.UNSUPPORTED_ENTRY_TYPE, "'pipe' is not a regular file or directory");
        assertFails(tarGz("chr.tar.gz", E.special("null", TarConstants.LF_CHR, null)),
                Limits.DEFAULT, Reason.UNSUPPORTED_ENTRY_TYPE, "'null'");
    }

    @Test
    void rejectsDuplicateEntries() throws IOException {
        assertFails(tarGz("dup.tar.gz", E.file("a", "1"), E.file("a", "2")),
                Limits.DEFAULT, Reason.UNSUPPORTED_ENTRY_TYPE, "'a' appears more than once");
    }

    @Test
    void enforcesMaxEntries() throws IOException {
        E[] many = new E[11];
        for (int i = 0; i < many.length; i++) many[i] = E.file("f" + i, "x");
        assertFails(tarGz("many.tar.gz", many), new Limits(10, 1 << 20, 1 << 20),
                Reason.TOO_MANY_ENTRIES, "more than 10 entries");
    }

    @Test
    void enforcesMaxTotalBytesOnABomb() throws IOException {
        // 8 MiB of zeros compress to ~8 KiB: a miniature decompression bomb.
        byte[] zeros = new byte[4 << 20];
        Path bomb = tarGz("bomb.tar.gz", E.file("z1", zeros), E.file("z2", zeros));
        assertThat(Files.size(bomb)).isLessThan(64 * 1024);
        assertFails(bomb, new Limits(100, 6 << 20, 5 << 20), Reason.TOO_MANY_BYTES, "more than 6291456 bytes");
    }

    @Test
    void stopsABombAtItsCompressionRatioWhileStreaming() throws IOException {
        // 80 MiB of zeros in ~80 KiB: 1000 times its size. The ratio budget (100x, at least 64 MiB) stops it at
        // 64 MiB, long before the 4 GiB total, and the staging directory is gone.
        byte[] zeros = new byte[8 << 20];
        E[] parts = new E[10];
        for (int i = 0; i < parts.length; i++) parts[i] = E.file("z" + i, zeros);
        Path bomb = tarGz("ratio-bomb.tar.gz", parts);
        assertFails(bomb, Limits.DEFAULT, Reason.TOO_MANY_BYTES, "more than " + Limits.RATIO_FLOOR_BYTES
                + " bytes (100 times its compressed size");
        try (var left = Files.list(tmp)) {
            assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains(".extracting-"));
        }
    }

    @Test
    void enforcesMaxEntryBytes() throws IOException {
        assertFails(tarGz("big.tar.gz", E.file("big", new byte[2 << 20])), new Limits(100, 10 << 20, 1 << 20),
                Reason.ENTRY_TOO_LARGE, "'big' is larger than the limit of 1048576 bytes");
    }

    @Test
    void rejectsNonGzipWithSageMakersMessage() throws IOException {
        Path zip = Files.write(tmp.resolve("model.zip"), new byte[] {'P', 'K', 3, 4, 0, 0});
        assertFails(zip, Limits.DEFAULT, Reason.NOT_GZIP,
                "Unable to untar input model. Please confirm the model is a tar.gz file");
        assertFails(Files.write(tmp.resolve("empty"), new byte[0]), Limits.DEFAULT, Reason.NOT_GZIP, "tar.gz");
    }

    @Test
    void rejectsGzipThatIsNotTarAndTruncatedArchives() throws IOException {
        Path text = tmp.resolve("text.gz");
        try (OutputStream o = new GzipCompressorOutputStream(Files.newOutputStream(text))) {
            byte[] junk = new byte[2048];
            Arrays.fill(junk, (byte) 'q');
            o.write(junk);
        }
        assertFails(text, Limits.DEFAULT, Reason.CORRUPT, ArchiveException.UNABLE_TO_UNTAR);

        Path whole = tarGz("whole.tar.gz", E.file("a", new byte[100_000]));
        byte[] bytes = Files.readAllBytes(whole);
        Path truncated = Files.write(tmp.resolve("truncated.tar.gz"), Arrays.copyOf(bytes, bytes.length / 2));
        assertFails(truncated, Limits.DEFAULT, Reason.CORRUPT, "truncated or corrupt");
    }

    @Test
    void extractsWhatSystemTarWrites() throws Exception {
        Path tarBin = Path.of("/usr/bin/tar");
        dev.sagebrush.testsupport.Prerequisites.require(Files.isExecutable(tarBin), "GNU tar at " + tarBin);
        Path src = Files.createDirectories(tmp.resolve("src/sub"));
        Files.writeString(src.resolve("f.txt"), "from gnu tar");
        Path archive = tmp.resolve("gnu.tar.gz");
        Process p = new ProcessBuilder(tarBin.toString(), "-czf", archive.toString(), "-C", tmp.resolve("src").toString(), ".")
                .redirectErrorStream(true).start();
        assertThat(p.waitFor()).isZero();
        SafeArchive.extractTarGz(archive, dest(), Limits.DEFAULT);
        assertThat(dest().resolve("sub/f.txt")).hasContent("from gnu tar");
    }

    @Test
    void limitsMustBePositive() {
        assertThatThrownBy(() -> new Limits(0, 1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(Limits.DEFAULT).isEqualTo(new Limits(10_000, 4L << 30, 4L << 30, 100));
    }

    static List<String> names(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.map(p -> root.relativize(p).toString()).sorted().toList();
        }
    }
}
