package dev.cloudscope.cli;

import dev.cloudscope.protocol.Events;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code cloudscope echo}: like chat, with {@code echo}, whose controller answers the ack itself. */
@Command(
        name = "echo",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {
            "Connects to URL, emits 'echo' with the message and an acknowledgement callback, and prints the "
                    + "server's replies, then its answer as 'ack: ARGS'."
        })
final class EchoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ConversationOptions options;

    @Override
    public Integer call() throws InterruptedException {
        return run(options, spec.commandLine().getOut());
    }

    /** The command's work, also run without picocli by {@link QuickRun}. */
    static int run(ConversationOptions options, PrintWriter out) throws InterruptedException {
        Conversation.run(options, Events.ECHO, out, ack -> out
                .println("ack: " + ack.stream().map(String::valueOf).collect(Collectors.joining(","))));
        return 0;
    }
}
