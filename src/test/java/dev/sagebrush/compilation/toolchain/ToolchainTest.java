package dev.sagebrush.compilation.toolchain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import dev.sagebrush.testsupport.Prerequisites;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ToolchainTest {
    @TempDir
    Path dir;

    @Test
    void targetTable() {
        assertThat(TargetArch.X86_64.elfMachine()).isEqualTo(62);
        assertThat(TargetArch.AARCH64.elfMachine()).isEqualTo(183);
        assertThat(TargetArch.ARMV7HF.elfMachine()).isEqualTo(40);
        assertThat(TargetArch.ARMV7HF.archFlags())
                .containsExactly("-march=armv7-a", "-mfpu=neon-vfpv4", "-mfloat-abi=hard");
        assertThat(TargetArch.AARCH64.triple()).isEqualTo("aarch64-linux-gnu");
        assertThat(TargetArch.fromId("ARMV7HF")).isEqualTo(TargetArch.ARMV7HF);
        assertThat(TargetArch.fromId("aarch64")).isEqualTo(TargetArch.AARCH64);
        assertThatThrownBy(() -> TargetArch.fromId("mips")).hasMessageContaining("unknown target architecture");
    }

    @Test
    void missingToolsNameTheDebianPackages() {
        Toolchain.Availability a = Toolchain.available(TargetArch.ARMV7HF, dir.toString());
        assertThat(a.canCompile()).isFalse();
        assertThat(a.canRun()).isFalse();
        assertThatThrownBy(a::requireCompiler).isInstanceOf(ToolchainUnavailableException.class)
                .hasMessageContaining("arm-linux-gnueabihf-gcc not found on PATH; install the Debian package(s):"
                        + " gcc-arm-linux-gnueabihf libc6-dev-armhf-cross");
        assertThatThrownBy(a::requireRunner).isInstanceOf(ToolchainUnavailableException.class)
                .hasMessageContaining("qemu-arm-static not found on PATH; install the Debian package: qemu-user-static");
        Toolchain.Availability x = Toolchain.available(TargetArch.X86_64, dir.toString());
        assertThat(x.canRun()).as("x86_64 runs natively, no emulator needed").isTrue();
        assertThatThrownBy(x::requireCompiler).hasMessageContaining("install the Debian package(s): gcc");
    }

    @Test
    void thisHostHasEveryToolchain() {
        for (TargetArch a : TargetArch.values()) {
            Toolchain.Availability av = Toolchain.available(a);
            assertThat(av.problems()).as(a.id()).isEmpty();
        }
    }

    @Test
    void elfCheckRejectsSoftFloatArmAndNonElf() throws Exception {
        Path notElf = Files.writeString(dir.resolve("x.so"), "not an elf at all, but long enough to be read......");
        assertThatThrownBy(() -> ElfCheck.verify(notElf, TargetArch.X86_64)).hasMessageContaining("not an ELF file");
        Toolchain.Availability av = Toolchain.available(TargetArch.ARMV7HF);
        Prerequisites.require(av.canCompile(), () -> "toolchain: " + av.problems());
        Path c = Files.writeString(dir.resolve("f.c"), "float f(float x) { return x * 2.0f; }\n");
        Path o = dir.resolve("f.o");
        ProcessRunner.Result r = ProcessRunner.run(List.of(av.compiler().toString(), "-c", "-mfloat-abi=softfp",
                "-mfpu=vfpv3", "-o", o.toString(), c.toString()), dir, Duration.ofSeconds(60));
        assertThat(r.ok()).as(r.output()).isTrue();
        assertThatThrownBy(() -> ElfCheck.verify(o, TargetArch.ARMV7HF)).isInstanceOf(ToolchainException.class)
                .hasMessageContaining("is not hard-float");
    }

    @Test
    void compileErrorsAreReportedWithTheCommand() throws Exception {
        Toolchain tc = Toolchain.forArch(TargetArch.X86_64);
        Path c = Files.writeString(dir.resolve("broken.c"), "int f( {\n");
        assertThatThrownBy(() -> tc.compileShared(c, dir.resolve("broken.so"), Duration.ofSeconds(60)))
                .isInstanceOf(ToolchainException.class)
                .hasMessageContaining("gcc failed with exit code 1")
                .hasMessageContaining("-march=x86-64 -mtune=generic")
                .hasMessageContaining("broken.c:1");
    }
}
