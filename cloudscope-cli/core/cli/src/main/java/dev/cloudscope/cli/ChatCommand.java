package dev.cloudscope.cli;

import dev.cloudscope.cloudbuild.CloudbuildClient;
import dev.cloudscope.protocol.Events;
import dev.cloudscope.protocol.ServerAddress;
import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
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
            defaultValue = "hello world!",
            description = {"The chat message.", "Default: ${DEFAULT-VALUE}"})
    String message;

    @Option(
            names = "--timeout",
            paramLabel = "DURATION",
            defaultValue = "10s",
            converter = DurationConverter.class,
            description = {
                "How long to wait for the server's answer: 500ms, 10s, 2m, PT10S...",
                "Default: ${DEFAULT-VALUE}"
            })
    Duration timeout;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        String target = url.toString();
        CompletableFuture<Void> answered = new CompletableFuture<>();

        CloudbuildClient client = CloudbuildClient.builder(url)
                .onConnect(c -> {
                    out.println("connect!");
                    out.flush();
                    c.emitWithAck(Events.CHAT, ack -> answered.complete(null), message);
                })
                .on(Events.RES, args -> {
                    out.println("res from server: " + firstAsString(args) + "!");
                    out.flush();
                })
                .onConnectError(reason -> answered.completeExceptionally(
                        new CliFailure("cannot connect to " + target + ": " + reason)))
                .onDisconnect(reason -> answered.completeExceptionally(
                        new CliFailure(target + ": " + describeDisconnect(reason))))
                .connect();
        try {
            answered.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return 0;
        } catch (TimeoutException e) {
            throw new CliFailure("no answer from " + target + " within " + DurationConverter.format(timeout));
        } catch (ExecutionException e) {
            if (e.getCause() instanceof CliFailure failure) {
                throw failure;
            }
            throw new CliFailure(target + ": " + e.getCause());
        } finally {
            client.close();
            out.flush();
        }
    }

    private static String firstAsString(List<Object> args) {
        return args.isEmpty() ? "" : String.valueOf(args.get(0));
    }

    /** socket.io's disconnect reasons, in words. */
    static String describeDisconnect(String reason) {
        return switch (reason) {
            case "io server disconnect", "transport close" -> "server closed the connection";
            case "ping timeout", "transport error" -> "connection lost (" + reason + ")";
            default -> "disconnected (" + reason + ")";
        };
    }
}
