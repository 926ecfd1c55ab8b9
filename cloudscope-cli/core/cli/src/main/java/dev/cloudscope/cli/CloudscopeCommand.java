package dev.cloudscope.cli;

import java.util.logging.LogManager;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code cloudscope}: the top command; its work is done by subcommands. */
@Command(
        name = "cloudscope",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Talks to the cloudscope socket.io server, as the lesson's client does.",
        subcommands = {ChatCommand.class, EchoCommand.class, CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:Success.",
            "1:The server could not be reached, refused the connection, closed it or did not answer in time.",
            "2:Invalid usage."
        })
public final class CloudscopeCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing required subcommand");
    }

    /** The command line {@link #main} runs, with the one place where failures become an exit code. */
    public static CommandLine newCommandLine() {
        return new CommandLine(new CloudscopeCommand())
                .setExecutionExceptionHandler(new FailureHandler());
    }

    public static void main(String[] args) {
        // socket.io-client and OkHttp log through java.util.logging; the CLI prints only its own lines
        LogManager.getLogManager().reset();
        System.exit(newCommandLine().execute(args));
    }
}
