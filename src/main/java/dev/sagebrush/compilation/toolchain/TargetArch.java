package dev.sagebrush.compilation.toolchain;

import java.util.List;

/**
 * CPU targets a compiled model can be built for. Everything the toolchain needs to know about a target lives here,
 * so adding a target is one enum constant. Flags are the generic ones that were executed and verified bit-exact
 * (research COMPILATION.md §6.2); per-core {@code -mcpu} tuning is deliberately not applied because it was never
 * run on real hardware.
 */
public enum TargetArch {
    X86_64("x86_64", "gcc", List.of("-march=x86-64", "-mtune=generic"), "x86_64-linux-gnu",
            62, ElfClass.ELF64, false, null, null, "gcc", null),
    AARCH64("aarch64", "aarch64-linux-gnu-gcc", List.of("-march=armv8-a"), "aarch64-linux-gnu",
            183, ElfClass.ELF64, false, "qemu-aarch64-static", "/usr/aarch64-linux-gnu",
            "gcc-aarch64-linux-gnu libc6-dev-arm64-cross", "qemu-user-static"),
    ARMV7HF("armv7hf", "arm-linux-gnueabihf-gcc",
            List.of("-march=armv7-a", "-mfpu=neon-vfpv4", "-mfloat-abi=hard"), "arm-linux-gnueabihf",
            40, ElfClass.ELF32, true, "qemu-arm-static", "/usr/arm-linux-gnueabihf",
            "gcc-arm-linux-gnueabihf libc6-dev-armhf-cross", "qemu-user-static");

    /** ELF EI_CLASS values. */
    public enum ElfClass { ELF32, ELF64 }

    private final String id;
    private final String gcc;
    private final List<String> archFlags;
    private final String triple;
    private final int elfMachine;
    private final ElfClass elfClass;
    private final boolean armHardFloat;
    private final String qemu;
    private final String sysroot;
    private final String compilerPackages;
    private final String emulatorPackage;

    TargetArch(String id, String gcc, List<String> archFlags, String triple, int elfMachine, ElfClass elfClass,
               boolean armHardFloat, String qemu, String sysroot, String compilerPackages, String emulatorPackage) {
        this.id = id;
        this.gcc = gcc;
        this.archFlags = archFlags;
        this.triple = triple;
        this.elfMachine = elfMachine;
        this.elfClass = elfClass;
        this.armHardFloat = armHardFloat;
        this.qemu = qemu;
        this.sysroot = sysroot;
        this.compilerPackages = compilerPackages;
        this.emulatorPackage = emulatorPackage;
    }

    /** Short lower-case name used in paths and manifests ("x86_64", "aarch64", "armv7hf"). */
    public String id() { return id; }

    /** The gcc driver for this target, looked up on PATH. */
    public String gcc() { return gcc; }

    /** Target selection flags (the -march / -mfpu / -mfloat-abi part only). */
    public List<String> archFlags() { return archFlags; }

    /** GNU target triple. */
    public String triple() { return triple; }

    /** ELF e_machine: EM_X86_64 = 62, EM_AARCH64 = 183, EM_ARM = 40. */
    public int elfMachine() { return elfMachine; }

    public ElfClass elfClass() { return elfClass; }

    /** True when the ELF e_flags must carry EF_ARM_ABI_FLOAT_HARD (a soft-float .so would not link on the device). */
    public boolean requiresArmHardFloat() { return armHardFloat; }

    /** True when this host can run the target's binaries natively (no emulator needed). */
    public boolean runsNatively() { return qemu == null; }

    /** qemu-user binary used to run target binaries on an x86_64 host, or null when native. */
    public String qemu() { return qemu; }

    /** Sysroot handed to qemu with -L so the target's dynamic loader and libc are found, or null when native. */
    public String sysroot() { return sysroot; }

    /** Debian packages that provide the compiler and the target libc (named in error messages). */
    public String compilerPackages() { return compilerPackages; }

    /** Debian package providing the emulator, or null when native. */
    public String emulatorPackage() { return emulatorPackage; }

    /** Parses "x86_64", "aarch64", "armv7hf" (case-insensitive), or the enum constant name. */
    public static TargetArch fromId(String s) {
        for (TargetArch a : values()) {
            if (a.id.equalsIgnoreCase(s) || a.name().equalsIgnoreCase(s)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown target architecture '" + s + "' (known: x86_64, aarch64, armv7hf)");
    }
}
