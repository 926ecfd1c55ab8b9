package dev.cloudscope.cli;

import dev.cloudscope.protocol.Namespaces;
import dev.cloudscope.protocol.ServerAddress;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code cloudscope room ROOM [URL]}: a chat room on {@code /chat}. Joins ROOM, sends each line of stdin to the
 * room's other members and prints theirs as {@code FROM: TEXT}; leaves at the end of stdin or on Ctrl-C.
 */
@Command(
        name = "room",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {
            "Joins a chat room on the server's /chat namespace: sends each line of stdin to the room's other "
                    + "members and prints theirs as 'FROM: TEXT'.",
            "Leaves the room and ends at the end of stdin (Ctrl-D) or on Ctrl-C."
        })
final class RoomCommand implements Callable<Integer> {
    static final String DEFAULT_URL = ServerAddress.defaultUrl() + Namespaces.CHAT;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "ROOM", description = "The room to join.")
    String room;

    @Parameters(
            index = "1",
            arity = "0..1",
            paramLabel = "URL",
            converter = UrlConverter.class,
            description = {
                "The server. Its path is the socket.io namespace; a URL without one means /chat.",
                "Default: ${DEFAULT-VALUE}"
            })
    URI url = URI.create(DEFAULT_URL);

    @Option(
            names = "--name",
            paramLabel = "WHO",
            defaultValue = "${sys:user.name}",
            description = {"The name the room's other members see.", "Default: the user name, ${DEFAULT-VALUE}"})
    String name;

    @Option(
            names = "--timeout",
            paramLabel = "DURATION",
            defaultValue = ConversationOptions.DEFAULT_TIMEOUT,
            converter = DurationConverter.class,
            description = {
                "How long to wait for the server to let us in and answer the join: 500ms, 10s, 2m, PT10S...",
                "Default: ${DEFAULT-VALUE}"
            })
    Duration timeout;

    @Option(
            names = "--token",
            paramLabel = "TOKEN",
            defaultValue = "${env:" + ConversationOptions.TOKEN_VARIABLE + "}",
            description = {"The token to present when the server asks for one (auth.tokens): sent as socket.io's "
                    + "auth payload {token}.", "Default: $CLOUDSCOPE_TOKEN"})
    String token;

    /** Where the lines to send come from; tests replace it. */
    InputStream in = System.in;

    @Override
    public Integer call() throws InterruptedException {
        if (name == null) {
            throw new ParameterException(spec.commandLine(),
                    "Missing option '--name=WHO' (no user name to default to)");
        }
        Room.Settings settings = new Room.Settings(inChatNamespace(url), room, name, token, timeout);
        return Room.run(settings, in, spec.commandLine().getOut(), spec.commandLine().getErr());
    }

    /** {@code url}, or for a URL with no path at all, the same URL on {@code /chat}. */
    static URI inChatNamespace(URI url) {
        String path = url.getRawPath();
        if (path != null && !path.isEmpty()) {
            return url;
        }
        String query = url.getRawQuery() == null ? "" : "?" + url.getRawQuery();
        return URI.create(url.getScheme() + "://" + url.getRawAuthority() + Namespaces.CHAT + query);
    }
}
