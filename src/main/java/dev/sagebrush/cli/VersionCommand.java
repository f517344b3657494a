package dev.sagebrush.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "version", description = "Print the Sagebrush version.")
public final class VersionCommand implements Runnable {
    @Override
    public void run() {
        System.out.println(version());
    }

    static String version() {
        String v = VersionCommand.class.getPackage().getImplementationVersion();
        return "sagebrush " + (v == null ? "0.1.0-SNAPSHOT" : v) + " (Java " + Runtime.version() + ")";
    }

    public static final class Provider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {version()};
        }
    }
}
