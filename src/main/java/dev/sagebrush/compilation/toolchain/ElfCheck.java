package dev.sagebrush.compilation.toolchain;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks that a produced binary really is for the intended target by reading its ELF header. This catches a
 * misconfigured toolchain (e.g. host gcc picked up instead of the cross compiler) before an artifact ships, and an
 * armv7 soft-float object that would fail to load on a hard-float device.
 */
public final class ElfCheck {
    static final int EF_ARM_ABI_FLOAT_HARD = 0x400;
    static final int EF_ARM_EABI_MASK = 0xFF000000;
    static final int EF_ARM_EABI_VER5 = 0x05000000;

    /** The header fields we check. */
    public record ElfHeader(int elfClass, int data, int type, int machine, int flags) {
        public boolean is64() { return elfClass == 2; }
    }

    private ElfCheck() { }

    /** Throws unless {@code file} is a little-endian ELF of the target's class, machine and (ARM) float ABI. */
    public static ElfHeader verify(Path file, TargetArch arch) throws ToolchainException {
        ElfHeader h = read(file);
        int wantClass = arch.elfClass() == TargetArch.ElfClass.ELF64 ? 2 : 1;
        if (h.elfClass() != wantClass) {
            throw new ToolchainException(file.getFileName() + " is ELF" + (h.is64() ? "64" : "32")
                    + " but " + arch.id() + " needs ELF" + (wantClass == 2 ? "64" : "32"));
        }
        if (h.data() != 1) {
            throw new ToolchainException(file.getFileName() + " is not little-endian");
        }
        if (h.machine() != arch.elfMachine()) {
            throw new ToolchainException(file.getFileName() + " has e_machine " + h.machine() + " but "
                    + arch.id() + " needs " + arch.elfMachine());
        }
        if (arch.requiresArmHardFloat()) {
            if ((h.flags() & EF_ARM_ABI_FLOAT_HARD) == 0) {
                throw new ToolchainException(file.getFileName() + " is not hard-float (EF_ARM_ABI_FLOAT_HARD unset,"
                        + " e_flags=0x" + Integer.toHexString(h.flags()) + ")");
            }
            if ((h.flags() & EF_ARM_EABI_MASK) != EF_ARM_EABI_VER5) {
                throw new ToolchainException(file.getFileName() + " is not ARM EABI version 5 (e_flags=0x"
                        + Integer.toHexString(h.flags()) + ")");
            }
        }
        return h;
    }

    /** Reads the ELF identification and header fields; throws if the file is not ELF. */
    public static ElfHeader read(Path file) throws ToolchainException {
        byte[] head = new byte[52];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, head.length);
        } catch (IOException e) {
            throw new ToolchainException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (n < 52 || head[0] != 0x7f || head[1] != 'E' || head[2] != 'L' || head[3] != 'F') {
            throw new ToolchainException(file.getFileName() + " is not an ELF file");
        }
        int elfClass = head[4];
        int data = head[5];
        ByteBuffer b = ByteBuffer.wrap(head).order(data == 2 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        int type = Short.toUnsignedInt(b.getShort(16));
        int machine = Short.toUnsignedInt(b.getShort(18));
        int flags;
        if (elfClass == 2) {
            if (n < 52) {
                throw new ToolchainException(file.getFileName() + " has a truncated ELF64 header");
            }
            flags = b.getInt(48);
        } else {
            flags = b.getInt(36);
        }
        return new ElfHeader(elfClass, data, type, machine, flags);
    }
}
