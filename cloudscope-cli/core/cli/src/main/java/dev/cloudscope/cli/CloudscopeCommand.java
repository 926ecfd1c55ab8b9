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
        subcommands = {ChatCommand.class, EchoCommand.class, RoomCommand.class, BuildCommand.class,
            CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:Success.",
            "1:The server could not be reached, refused the connection (or the room, or the build), closed it or did "
                    + "not answer in time; a build did not succeed.",
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

    /**
     * OkHttp 3 picks its platform by asking whether Conscrypt is the preferred security provider, which it answers
     * with {@code Security.getProviders()}: that loads and initialises every JCA provider of the JDK (PKCS#11, EC,
     * JSSE, XML signatures, LDAP, SASL...), a good part of a short run's CPU although a cleartext URL needs none of
     * them. Its own switch {@code okhttp.platform=conscrypt} skips that question; Conscrypt is not on the class path,
     * so OkHttp then settles on the JDK 9+ platform, as it does after the scan. The outcome is the same, TLS included.
     * A value the user set is kept.
     */
    static void skipOkHttpProviderScan() {
        if (System.getProperty("okhttp.platform") == null) {
            System.setProperty("okhttp.platform", "conscrypt");
        }
    }

    public static void main(String[] args) {
        // socket.io-client and OkHttp log through java.util.logging; the CLI prints only its own lines
        LogManager.getLogManager().reset();
        skipOkHttpProviderScan();
        // chat and echo with plain arguments skip building picocli's model (see QuickRun); the rest is picocli's
        Integer quick = QuickRun.run(args);
        int rc = quick != null ? quick : newCommandLine().execute(args);
        System.exit(rc);
    }
}
