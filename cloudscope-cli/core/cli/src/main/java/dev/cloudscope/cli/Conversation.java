package dev.cloudscope.cli;

import dev.cloudscope.cloudbuild.CloudbuildClient;
import dev.cloudscope.protocol.Events;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * The lesson's client, for one event: on connect print {@code connect!} and emit the event with the message and an
 * ack callback; print each {@code res} as {@code res from server: MSG!}; when the server acknowledges (after all
 * its replies: the socket keeps order), hand the ack to {@code onAck}, disconnect and succeed.
 */
final class Conversation {

    private Conversation() {
    }

    static void run(ConversationOptions options, String event, PrintWriter out, Consumer<List<Object>> onAck)
            throws InterruptedException {
        String target = options.url.toString();
        CompletableFuture<Void> answered = new CompletableFuture<>();

        CloudbuildClient.Builder builder = CloudbuildClient.builder(options.url);
        if (options.token != null && !options.token.isEmpty()) {
            builder.auth("token", options.token);
        }
        CloudbuildClient client = builder
                .onConnect(c -> {
                    out.println("connect!");
                    out.flush();
                    c.emitWithAck(event, ack -> {
                        onAck.accept(ack);
                        out.flush();
                        answered.complete(null);
                    }, options.message);
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
            answered.get(options.timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new CliFailure("no answer from " + target + " within " + DurationConverter.format(options.timeout));
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
