package dev.sagebrush.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TarGzTest {
    @TempDir
    Path tmp;

    Path tree(String name) throws Exception {
        Path root = Files.createDirectories(tmp.resolve(name));
        Files.createDirectories(root.resolve("b/deep"));
        Files.writeString(root.resolve("b/deep/z.bin"), "zzz");
        Files.writeString(root.resolve("a.txt"), "aaa");
        Path script = Files.writeString(root.resolve("run.sh"), "#!/bin/sh\n");
        script.toFile().setExecutable(true, true);
        return root;
    }

    @Test
    void roundTripsThroughSafeArchive() throws Exception {
        Path src = tree("src");
        Path archive = tmp.resolve("out/model.tar.gz");
        TarGz.create(src, archive);
        Path dest = tmp.resolve("extracted");
        SafeArchive.extractTarGz(archive, dest, SafeArchive.Limits.DEFAULT);
        assertThat(SafeArchiveTest.names(dest)).isEqualTo(SafeArchiveTest.names(src));
        assertThat(dest.resolve("b/deep/z.bin")).hasContent("zzz");
        assertThat(Files.isExecutable(dest.resolve("run.sh"))).isTrue();
        assertThat(Files.isExecutable(dest.resolve("a.txt"))).isFalse();
    }

    @Test
    void isDeterministicInOrderAndBytes() throws Exception {
        Path one = tree("one");
        Path two = tree("two");
        Files.setLastModifiedTime(two.resolve("a.txt"), FileTime.fromMillis(0));
        TarGz.create(one, tmp.resolve("one.tar.gz"));
        TarGz.create(two, tmp.resolve("two.tar.gz"));
        assertThat(Files.readAllBytes(tmp.resolve("one.tar.gz"))).isEqualTo(Files.readAllBytes(tmp.resolve("two.tar.gz")));

        List<String> names = new ArrayList<>();
        try (InputStream in = Files.newInputStream(tmp.resolve("one.tar.gz"));
             TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(in))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) names.add(e.getName());
        }
        assertThat(names).containsExactly("a.txt", "b/", "b/deep/", "b/deep/z.bin", "run.sh");
    }

    @Test
    void refusesSymlinksAndLeavesNoArchive() throws Exception {
        Path src = tree("src");
        Files.createSymbolicLink(src.resolve("link"), Path.of("/etc/passwd"));
        Path archive = tmp.resolve("bad.tar.gz");
        assertThatThrownBy(() -> TarGz.create(src, archive))
                .isInstanceOf(UncheckedIOException.class).hasMessageContaining("'link' is a symbolic link");
        try (var s = Files.list(tmp)) {
            assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains("bad.tar.gz"));
        }
    }

    @Test
    void systemTarReadsIt() throws Exception {
        Path tarBin = Path.of("/usr/bin/tar");
        dev.sagebrush.testsupport.Prerequisites.require(Files.isExecutable(tarBin), "GNU tar at " + tarBin);
        TarGz.create(tree("src"), tmp.resolve("m.tar.gz"));
        Process p = new ProcessBuilder(tarBin.toString(), "-tzf", tmp.resolve("m.tar.gz").toString()).start();
        String listing = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).isZero();
        assertThat(listing.lines()).containsExactly("a.txt", "b/", "b/deep/", "b/deep/z.bin", "run.sh");
    }
}
