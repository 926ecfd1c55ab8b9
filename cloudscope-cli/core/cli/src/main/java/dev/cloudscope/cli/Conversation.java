package dev.cloudscope.cli;

import dev.cloudscope.cloudbuild.CloudbuildClient;
import dev.cloudscope.protocol.Events;
import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
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
 *
 * <p>Also the connecting that every command shares ({@link #untilListening}, {@link #connectError},
 * {@link #await}): a server that is not listening yet is tried again until the timeout.
 */
final class Conversation {

    private Conversation() {
    }

    /** A server that is not listening yet: tried again, every so often, until the timeout. */
    private static final String NOT_LISTENING = "connection refused";
    private static final long RETRY_PAUSE_MS = 250;

    static void run(ConversationOptions options, String event, PrintWriter out, Consumer<List<Object>> onAck)
            throws InterruptedException {
        untilListening(options.url, options.timeout, timeoutNanos -> {
            attempt(options, event, out, onAck, timeoutNanos);
            return null;
        });
    }

    /** One try at connecting to a server, with the time left; see {@link #untilListening}. */
    interface Attempt<T> {
        T run(long timeoutNanos) throws InterruptedException;
    }

    /**
     * Runs {@code attempt} until it succeeds or fails for another reason than a server not listening yet (a
     * {@link #connectError} of {@code connection refused}), trying again every so often until {@code timeout} has
     * passed; then fails with {@code cannot connect to URL: connection refused (tried for 10s)}.
     */
    static <T> T untilListening(URI url, Duration timeout, Attempt<T> attempt) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        CliFailure notListening = new CliFailure("cannot connect to " + url + ": " + NOT_LISTENING
                + " (tried for " + DurationConverter.format(timeout) + ")");
        boolean refusedBefore = false;
        while (true) {
            try {
                return attempt.run(deadline - System.nanoTime());
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
                .onConnectError(reason -> answered.completeExceptionally(connectError(target, reason)))
                .onDisconnect(reason -> answered.completeExceptionally(disconnected(target, reason)))
                .connect();
        try {
            await(answered, timeoutNanos, target, "no answer from " + target + " within "
                    + DurationConverter.format(options.timeout));
        } finally {
            client.close();
            out.flush();
        }
    }

    /** What a connect error means for {@link #untilListening}: try again (nothing listens yet) or fail. */
    static RuntimeException connectError(String target, String reason) {
        return NOT_LISTENING.equals(reason)
                ? new NotListening()
                : new CliFailure("cannot connect to " + target + ": " + reason);
    }

    /** The failure of a connection the server closed (or lost) while we needed it. */
    static CliFailure disconnected(String target, String reason) {
        return new CliFailure(target + ": " + describeDisconnect(reason));
    }

    /**
     * Waits for {@code answer} (from {@code target}), completed by a callback with a value or with a
     * {@link #connectError} or another {@link CliFailure}; rethrows that, or fails with {@code noAnswer} when the
     * time runs out.
     */
    static <T> T await(CompletableFuture<T> answer, long timeoutNanos, String target, String noAnswer)
            throws InterruptedException {
        try {
            return answer.get(timeoutNanos, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new NoAnswer(noAnswer);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof CliFailure failure) {
                throw failure;
            }
            if (e.getCause() instanceof NotListening notListening) {
                throw notListening;
            }
            throw new CliFailure(target + ": " + e.getCause());
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
