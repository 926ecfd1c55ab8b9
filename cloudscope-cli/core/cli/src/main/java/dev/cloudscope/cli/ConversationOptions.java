package dev.cloudscope.cli;

import dev.cloudscope.protocol.ServerAddress;
import java.net.URI;
import java.time.Duration;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** What every command that talks to the server takes: where, what to say, how long to wait. */
final class ConversationOptions {
    /** The defaults, shared with {@link QuickRun}, which fills these options without picocli. */
    static final String DEFAULT_MESSAGE = "hello world!";
    static final String DEFAULT_TIMEOUT = "10s";
    static final String TOKEN_VARIABLE = "CLOUDSCOPE_TOKEN";

    @Parameters(
            index = "0",
            arity = "0..1",
            paramLabel = "URL",
            converter = UrlConverter.class,
            description = {
                "The server. Its path is the socket.io namespace: http://127.0.0.1:7001/chat joins /chat.",
                "Default: ${DEFAULT-VALUE}"
            })
    URI url = URI.create(ServerAddress.defaultUrl());

    @Option(
            names = {"-m", "--message"},
            paramLabel = "TEXT",
            defaultValue = DEFAULT_MESSAGE,
            description = {"The message.", "Default: ${DEFAULT-VALUE}"})
    String message;

    @Option(
            names = "--timeout",
            paramLabel = "DURATION",
            defaultValue = DEFAULT_TIMEOUT,
            converter = DurationConverter.class,
            description = {
                "How long to wait for the server's answer: 500ms, 10s, 2m, PT10S...",
                "Default: ${DEFAULT-VALUE}"
            })
    Duration timeout;

    @Option(
            names = "--token",
            paramLabel = "TOKEN",
            defaultValue = "${env:" + TOKEN_VARIABLE + "}",
            description = {"The token to present when the server asks for one (auth.tokens): sent as socket.io's "
                    + "auth payload {token}.", "Default: $CLOUDSCOPE_TOKEN"})
    String token;
}
