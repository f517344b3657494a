package dev.sagebrush.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code bin/sagebrush <command>}: the entry point of the launcher. */
@Command(name = "sagebrush", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = "A self-hosted, Amazon SageMaker-compatible ML platform server.",
        subcommands = {ServerCommand.class, DoctorCommand.class, ImagesCommand.class, VersionCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
