package dev.cloudscope.cli;

import dev.cloudscope.cloudbuild.CloudbuildClient;
import dev.cloudscope.protocol.Events;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.Charset;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.json.JSONObject;

/**
 * A chat room on {@code /chat}: connect, {@code join} the room (the server acks {@code {room, members}} or
 * {@code {error}}), then send each line of stdin as {@code say} and print each {@code said} as {@code FROM: TEXT};
 * at the end of stdin or on Ctrl-C, {@code leave}, disconnect and succeed.
 *
 * <p>Threads: stdin is read on a daemon thread of its own (a blocked read cannot be interrupted, and the server may
 * end the session first); {@code said} is printed on the client's event thread, so in arrival order; the calling
 * thread waits for the session to end, then leaves and closes. Lines go out in the order they were read: every
 * emit goes through the client's one event thread, and {@code leave} is emitted after the last {@code say}.
 */
final class Room {
    /** The longest line sent, in bytes of UTF-8; a longer one is refused with a message. */
    static final int MAX_LINE_BYTES = 4096;
    /** How long leaving waits for the server's ack of {@code leave} before it closes anyway. */
    static final Duration LEAVE_GRACE = Duration.ofSeconds(1);

    private Room() {
    }

    /** What {@code cloudscope room} was asked to do. */
    record Settings(URI url, String room, String name, String token, Duration timeout) {
    }

    /**
     * Joins, talks until stdin ends or Ctrl-C, leaves; 0. Fails ({@link CliFailure}) when the server cannot be
     * reached, refuses the connection or the join, does not answer the join within the timeout, or closes the
     * connection.
     */
    static int run(Settings settings, InputStream in, PrintWriter out, PrintWriter err) throws InterruptedException {
        Session session = Conversation.untilListening(settings.url(), settings.timeout(),
                timeoutNanos -> join(settings, out, err, timeoutNanos));
        try (SigInt.Registration interrupt = SigInt.onInterrupt(session::finish)) {
            err.println("joined " + printable(settings.room()) + " as " + printable(settings.name())
                    + members(session.members) + "; type a line to send it, Ctrl-D to leave");
            err.flush();
            Thread reader = new Thread(() -> session.sendLines(in), "cloudscope-stdin");
            reader.setDaemon(true); // blocked in a read when the server ends the session: must not keep the JVM
            reader.start();
            session.ended.get();
            session.leave();
            return 0;
        } catch (ExecutionException e) {
            throw e.getCause() instanceof CliFailure failure
                    ? failure
                    : new CliFailure(settings.url() + ": " + e.getCause());
        } finally {
            session.client.close();
            out.flush();
        }
    }

    /** One connection: joined, or throws. */
    private static Session join(Settings settings, PrintWriter out, PrintWriter err, long timeoutNanos)
            throws InterruptedException {
        String target = settings.url().toString();
        CompletableFuture<List<Object>> joined = new CompletableFuture<>();
        CompletableFuture<Void> ended = new CompletableFuture<>();

        CloudbuildClient.Builder builder = CloudbuildClient.builder(settings.url());
        if (settings.token() != null && !settings.token().isEmpty()) {
            builder.auth("token", settings.token());
        }
        CloudbuildClient client = builder
                .onConnect(c -> c.emitWithAck(Events.JOIN, joined::complete, settings.room(), settings.name()))
                .on(Events.SAID, args -> {
                    String line = said(args);
                    if (line != null) {
                        out.println(line);
                        out.flush();
                    }
                })
                .onConnectError(reason -> joined.completeExceptionally(Conversation.connectError(target, reason)))
                .onDisconnect(reason -> {
                    CliFailure failure = Conversation.disconnected(target, reason);
                    joined.completeExceptionally(failure);
                    ended.completeExceptionally(failure); // after our own close the session has ended already
                })
                .connect();
        boolean keep = false;
        try {
            List<Object> ack = Conversation.await(joined, timeoutNanos, target, "no answer to " + Events.JOIN
                    + " from " + target + " within " + DurationConverter.format(settings.timeout()));
            JSONObject answer = !ack.isEmpty() && ack.get(0) instanceof JSONObject json ? json : null;
            String error = errorOf(answer);
            if (error != null) {
                throw new CliFailure(target + ": cannot join " + printable(settings.room()) + ": " + error);
            }
            if (answer == null || !(answer.opt("members") instanceof Number members)) {
                // e.g. a server without rooms, whose framework acks any packet with nothing
                throw new CliFailure(target + ": cannot join " + printable(settings.room())
                        + ": unexpected answer " + printable(ack.toString()) + " (does the server have rooms?)");
            }
            keep = true;
            return new Session(client, settings.room(), members.intValue(), ended, err);
        } finally {
            if (!keep) {
                client.close();
            }
        }
    }

    /** A joined room, until it ends: normally (stdin ended, Ctrl-C) or with a {@link CliFailure}. */
    private static final class Session {
        final CloudbuildClient client;
        final String room;
        final int members;
        final CompletableFuture<Void> ended;
        final PrintWriter err;

        Session(CloudbuildClient client, String room, int members, CompletableFuture<Void> ended, PrintWriter err) {
            this.client = client;
            this.room = room;
            this.members = members;
            this.ended = ended;
            this.err = err;
        }

        /** Ends the session normally (Ctrl-C, or the end of stdin). */
        void finish() {
            ended.complete(null);
        }

        /** Sends each line of {@code in} as {@code say}, until its end (or the session's); then ends the session. */
        void sendLines(InputStream in) {
            // the charset the out and err writers encode with (picocli's, as QuickRun's)
            LineReader lines = new LineReader(new InputStreamReader(in, Charset.defaultCharset()), MAX_LINE_BYTES);
            try {
                for (LineReader.Line line = lines.next(); line != null && !ended.isDone(); line = lines.next()) {
                    if (line.tooLong()) {
                        err.println("cloudscope: line not sent: " + line.utf8Bytes() + " bytes, over the limit of "
                                + MAX_LINE_BYTES);
                        err.flush();
                    } else if (!line.text().isEmpty()) {
                        say(line.text());
                    }
                }
                finish();
            } catch (IOException e) {
                ended.completeExceptionally(new CliFailure("cannot read stdin: " + e.getMessage()));
            } catch (IllegalStateException e) {
                // the client is closed: the session ended while a line was read
            }
        }

        private void say(String text) {
            client.emitWithAck(Events.SAY, ack -> {
                String error = errorOf(!ack.isEmpty() && ack.get(0) instanceof JSONObject json ? json : null);
                if (error != null) {
                    err.println("cloudscope: " + client.url() + ": not sent to " + printable(room) + ": " + error);
                    err.flush();
                }
            }, room, text);
        }

        /** Emits {@code leave} and waits briefly for the server's ack, i.e. for it to have gone out. */
        void leave() throws InterruptedException {
            if (!client.isConnected()) {
                return;
            }
            CompletableFuture<Void> left = new CompletableFuture<>();
            client.emitWithAck(Events.LEAVE, ack -> left.complete(null), room);
            try {
                left.get(LEAVE_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException | ExecutionException e) {
                // closing anyway: the server drops a closed connection from its rooms too
            }
        }
    }

    /** The server's {@code {"error": MESSAGE}}, printable; {@code null} for anything else. */
    private static String errorOf(JSONObject answer) {
        if (answer == null || !answer.has("error")) {
            return null;
        }
        return printable(String.valueOf(answer.opt("error")));
    }

    private static String members(int members) {
        return members == 1 ? " (1 member)" : " (" + members + " members)";
    }

    /** A {@code said} as printed, {@code FROM: TEXT}; {@code null} for a malformed one (not an object). */
    static String said(List<Object> args) {
        if (args.isEmpty() || !(args.get(0) instanceof JSONObject message)) {
            return null;
        }
        return printable(field(message, "from")) + ": " + printable(field(message, "text"));
    }

    private static String field(JSONObject message, String key) {
        Object value = message.opt(key);
        return value == null || JSONObject.NULL.equals(value) ? "" : String.valueOf(value);
    }

    /**
     * {@code text} with its control characters but tab shown as escapes ({@code \n}, {@code \r}, {@code \xHH}), so
     * that what another member sends cannot move the cursor, clear the screen or set the terminal's title: C0, DEL
     * and C1 (whose CSI, U+009B, some terminals take as ESC [).
     */
    static String printable(String text) {
        StringBuilder b = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean control = (c < 0x20 && c != '\t') || (c >= 0x7f && c <= 0x9f);
            if (!control) {
                if (b != null) {
                    b.append(c);
                }
                continue;
            }
            if (b == null) {
                b = new StringBuilder(text.length() + 8).append(text, 0, i);
            }
            switch (c) {
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                default -> b.append("\\x").append(Character.forDigit(c >> 4, 16))
                        .append(Character.forDigit(c & 0xf, 16));
            }
        }
        return b == null ? text : b.toString();
    }
}
