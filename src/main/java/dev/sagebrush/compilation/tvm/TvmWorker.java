package dev.sagebrush.compilation.tvm;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.cpython.global.python;

/**
 * Entry point of the TVM child process: {@code java -cp <server classpath> dev.sagebrush.compilation.tvm.TvmWorker
 * <script.py> <request.json> <python path...>}. It embeds CPython 3.13 with TVM 0.18 and LLVM 19 (JavaCPP presets)
 * and runs the compile script. This class runs only in that child: the server JVM never loads TVM, LLVM or Python
 * (one interpreter per process, a GIL, and native code that can crash the process).
 */
public final class TvmWorker {
    private TvmWorker() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: TvmWorker script.py request.json [python-path-dir...]");
            System.exit(2);
        }
        File[] packages = org.bytedeco.tvm.presets.tvm.cachePackages();
        File[] path = new File[packages.length + args.length - 2];
        for (int i = 2; i < args.length; i++) path[i - 2] = new File(args[i]);
        System.arraycopy(packages, 0, path, args.length - 2, packages.length);
        if (!org.bytedeco.cpython.helper.python.Py_Initialize(path)) {
            System.err.println("could not initialize the embedded Python");
            System.exit(4);
        }
        String script = Files.readString(Path.of(args[0]), StandardCharsets.UTF_8);
        String boot = "import sys\nsys.argv = [" + pyString(args[0]) + ", " + pyString(args[1]) + "]\n";
        int rc = python.PyRun_SimpleString(boot + script);
        System.out.flush();
        System.exit(rc == 0 ? 0 : 3);
    }

    private static String pyString(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
