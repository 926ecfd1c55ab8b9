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

    /** A server that is not listening yet: tried again, every so often, until the timeout. */
    private static final String NOT_LISTENING = "connection refused";
    private static final long RETRY_PAUSE_MS = 250;

    static void run(ConversationOptions options, String event, PrintWriter out, Consumer<List<Object>> onAck)
            throws InterruptedException {
        String target = options.url.toString();
        long deadline = System.nanoTime() + options.timeout.toNanos();
        CliFailure notListening = new CliFailure("cannot connect to " + target + ": " + NOT_LISTENING
                + " (tried for " + DurationConverter.format(options.timeout) + ")");
        boolean refusedBefore = false;
        while (true) {
            try {
                attempt(options, event, out, onAck, deadline - System.nanoTime());
                return;
            } catch (NotListening e) {
                refusedBefore = true;
                if (deadline - System.nanoTime() <= TimeUnit.MILLISECONDS.toNanos(2 * RETRY_PAUSE_MS)) {
                    throw notListening; // too little time left for another try to mean anything
                }
                Thread.sleep(RETRY_PAUSE_MS);
            } catch (NoAnswer e) {
                // a last try that ran out of time before its refusal came is still "not listening"
                throw refusedBefore ? notListening : e;
            }
        }
    }

    /** One connection: succeeds once the server acked, or throws. */
    private static void attempt(ConversationOptions options, String event, PrintWriter out,
                                Consumer<List<Object>> onAck, long timeoutNanos) throws InterruptedException {
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
                .onConnectError(reason -> answered.completeExceptionally(NOT_LISTENING.equals(reason)
                        ? new NotListening()
                        : new CliFailure("cannot connect to " + target + ": " + reason)))
                .onDisconnect(reason -> answered.completeExceptionally(
                        new CliFailure(target + ": " + describeDisconnect(reason))))
                .connect();
        try {
            answered.get(timeoutNanos, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new NoAnswer("no answer from " + target + " within " + DurationConverter.format(options.timeout));
        } catch (ExecutionException e) {
            if (e.getCause() instanceof CliFailure failure) {
                throw failure;
            }
            if (e.getCause() instanceof NotListening notListening) {
                throw notListening;
            }
            throw new CliFailure(target + ": " + e.getCause());
        } finally {
            client.close();
            out.flush();
        }
    }

    /** The time ran out. */
    private static final class NoAnswer extends CliFailure {
        NoAnswer(String message) {
            super(message);
        }
    }

    /** Nothing listens at the URL (yet). */
    private static final class NotListening extends RuntimeException {
        NotListening() {
            super(NOT_LISTENING, null, false, false);
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
