package dev.cloudscope.cli;

import dev.cloudscope.protocol.Events;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code cloudscope chat}: the lesson's client. On connect it prints {@code connect!} and emits {@code chat} with
 * the message; it prints each {@code res} as {@code res from server: MSG!}; when the server acknowledges the chat
 * (after all its replies) it disconnects and succeeds.
 */
@Command(
        name = "chat",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {
            "Connects to URL, sends one chat message and prints the server's replies.",
            "Prints 'connect!' once connected, then 'res from server: MSG!' for each reply, and ends when the "
                    + "server acknowledges the message."
        })
final class ChatCommand implements Callable<Integer> {

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
        Conversation.run(options, Events.CHAT, out, ack -> { });
        return 0;
    }
}
