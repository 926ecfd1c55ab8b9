package dev.cloudscope.cli;

import dev.cloudscope.cloudbuild.BuildClient;
import dev.cloudscope.protocol.ServerAddress;
import java.net.URI;
import java.time.Duration;
import picocli.CommandLine.Option;

/** What {@code build} and its subcommands take: the server, the token, how long to wait, and {@code --json}. */
final class BuildOptions {
    @Option(
            names = "--server",
            paramLabel = "URL",
            converter = ServerUrlConverter.class,
            description = {"The server (its namespace /build is added).", "Default: ${DEFAULT-VALUE}"})
    URI server = URI.create(ServerAddress.defaultUrl());

    @Option(
            names = "--timeout",
            paramLabel = "DURATION",
            defaultValue = ConversationOptions.DEFAULT_TIMEOUT,
            converter = DurationConverter.class,
            description = {
                "How long to wait for the server: to connect (again), to answer a request (not for the build to "
                        + "end): 500ms, 10s, 2m, PT10S...",
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

    @Option(
            names = "--json",
            description = "One JSON object per line on stdout, for scripts and CI; nothing else on stdout.")
    boolean json;

    BuildClient client() {
        return BuildClient.create(server, token, timeout);
    }

    /**
     * The server's web page of build {@code id}: {@code http://HOST:PORT/builds/ID} on the server's address ({@code ws}
     * and {@code wss} as {@code http} and {@code https}), without its query or user info: a token or password in
     * them stays out of the address printed.
     */
    String page(String id) {
        String scheme = switch (server.getScheme().toLowerCase(java.util.Locale.ROOT)) {
            case "ws" -> "http";
            case "wss" -> "https";
            default -> server.getScheme().toLowerCase(java.util.Locale.ROOT);
        };
        String host = server.getHost(); // an IPv6 literal comes with its brackets
        return scheme + "://" + host + (server.getPort() == -1 ? "" : ":" + server.getPort()) + "/builds/" + id;
    }

    /** {@code --server URL} when the server is not the default one, for the commands the CLI suggests. */
    String serverArgument() {
        return server.equals(URI.create(ServerAddress.defaultUrl())) ? "" : " --server " + server;
    }
}
