package dev.cloudscope.server.protocol;

import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okio.ByteString;

/**
 * A plain WebSocket, as the suites' browser {@code WebSocket} with {@code binaryType = "arraybuffer"}: it sends
 * exactly the frames the test writes, and keeps every frame the server sends, text or binary (with its bytes), in
 * arrival order, to be read one by one as the suites' {@code waitFor(socket, "message")} does. It answers the
 * server's pings ({@code 2} with {@code 3}) only while {@link #answerPings} is on; the suites' WebSocket never does.
 * It also knows how the connection ended: the server's close frame, a dropped connection, or a refused upgrade
 * (with the HTTP status).
 */
final class RawWebSocket implements AutoCloseable {

    static final Duration WAIT = Duration.ofSeconds(5);

    /** A frame from the server: text, or binary bytes. */
    record Frame(String text, byte[] bytes) {
        boolean isBinary() {
            return bytes != null;
        }

        boolean isPing() {
            return "2".equals(text);
        }

        /** A noop ({@code 6}): the upgrade's filler, which a client ignores. */
        boolean isNoop() {
            return "6".equals(text);
        }

        @Override
        public String toString() {
            return isBinary() ? "<binary " + HexFormat.ofDelimiter(" ").formatHex(bytes) + ">" : text;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Frame frame && java.util.Objects.equals(text, frame.text)
                    && Arrays.equals(bytes, frame.bytes);
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(text, Arrays.hashCode(bytes));
        }

        static Frame text(String text) {
            return new Frame(text, null);
        }

        static Frame binary(int... bytes) {
            byte[] array = new byte[bytes.length];
            for (int i = 0; i < bytes.length; i++) {
                array[i] = (byte) bytes[i];
            }
            return new Frame(null, array);
        }
    }

    /**
     * How the connection ended: a close frame's code and reason; -1 and the failure when it dropped; or the HTTP
     * status of a refused upgrade ({@code httpStatus} > 0, the WebSocket never opened).
     */
    record Close(int code, String reason, int httpStatus) {
        @Override
        public String toString() {
            return httpStatus > 0 ? "upgrade refused with HTTP " + httpStatus
                    : code == -1 ? "dropped (" + reason + ")" : "close frame " + code + " " + reason;
        }
    }

    private static final OkHttpClient HTTP = new OkHttpClient.Builder()
            .dispatcher(new Dispatcher(Executors.newCachedThreadPool(runnable -> {
                Thread thread = new Thread(runnable, "raw-websocket");
                thread.setDaemon(true);
                return thread;
            })))
            .connectTimeout(10, TimeUnit.SECONDS)
            .readTimeout(0, TimeUnit.SECONDS)
            .pingInterval(0, TimeUnit.SECONDS)
            .build();

    /** Every frame from the server, in arrival order. */
    final List<Frame> received = new CopyOnWriteArrayList<>();
    private final BlockingQueue<Frame> unread = new LinkedBlockingQueue<>();
    private final CompletableFuture<Boolean> opened = new CompletableFuture<>();
    private final CompletableFuture<Close> closed = new CompletableFuture<>();
    private final WebSocket socket;
    private volatile boolean answerPings;

    private RawWebSocket(String url, boolean answerPings) {
        this.answerPings = answerPings;
        socket = HTTP.newWebSocket(new Request.Builder().url(url).build(), new Listener());
    }

    /** {@code ws://127.0.0.1:port/socket.io/?query}; does not wait for the upgrade. */
    static RawWebSocket connect(int port, String query, boolean answerPings) {
        return new RawWebSocket("http://127.0.0.1:" + port + "/socket.io/?" + query, answerPings);
    }

    /** An Engine.IO 4 WebSocket-only session that does not answer pings, as the suites' WebSocket. */
    static RawWebSocket connect(int port) {
        return connect(port, "EIO=4&transport=websocket", false);
    }

    private final class Listener extends WebSocketListener {
        @Override
        public void onOpen(WebSocket webSocket, Response response) {
            opened.complete(true);
        }

        @Override
        public void onMessage(WebSocket webSocket, String text) {
            Frame frame = Frame.text(text);
            received.add(frame);
            unread.add(frame);
            if (frame.isPing() && answerPings) {
                webSocket.send("3");
            }
        }

        @Override
        public void onMessage(WebSocket webSocket, ByteString bytes) {
            Frame frame = new Frame(null, bytes.toByteArray());
            received.add(frame);
            unread.add(frame);
        }

        @Override
        public void onClosing(WebSocket webSocket, int code, String reason) {
            closed.complete(new Close(code, reason, 0));
            webSocket.close(1000, null);
        }

        @Override
        public void onClosed(WebSocket webSocket, int code, String reason) {
            closed.complete(new Close(code, reason, 0));
        }

        @Override
        public void onFailure(WebSocket webSocket, Throwable failure, Response response) {
            opened.complete(false);
            int status = response != null && response.code() != 101 ? response.code() : 0;
            closed.complete(new Close(-1, String.valueOf(failure), status));
        }
    }

    /** Whether the upgrade succeeded (waits for it). */
    boolean awaitOpen() {
        try {
            return opened.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError("the WebSocket neither opened nor failed within " + WAIT, e);
        }
    }

    RawWebSocket send(String... frames) {
        for (String frame : frames) {
            socket.send(frame);
        }
        return this;
    }

    RawWebSocket sendBinary(int... bytes) {
        socket.send(ByteString.of(Frame.binary(bytes).bytes()));
        return this;
    }

    void answerPings(boolean answer) {
        this.answerPings = answer;
    }

    /** The next frame not read yet (the suites' {@code waitFor(socket, "message")}); fails after {@link #WAIT}. */
    Frame next() {
        return next(WAIT);
    }

    Frame next(Duration wait) {
        try {
            Frame frame = unread.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
            if (frame == null) {
                throw new AssertionError("no frame from the server within " + wait + "; so far " + received
                        + (closed.isDone() ? ", then " + closed.getNow(null) : ", still open"));
            }
            return frame;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The next text frame's text; fails if the next frame is binary. */
    String nextText() {
        Frame frame = next();
        if (frame.isBinary()) {
            throw new AssertionError("expected a text frame, got " + frame + "; so far " + received);
        }
        return frame.text();
    }

    /**
     * The next frame that is not a ping (the suites' {@code waitForPackets}, which ignores pings) nor a noop (which
     * a client ignores too; netty-socketio may send one over the WebSocket right after an upgrade).
     */
    Frame nextPacket() {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            Frame frame = next(remaining(deadline));
            if (!frame.isPing() && !frame.isNoop()) {
                return frame;
            }
        }
    }

    private Duration remaining(long deadline) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new AssertionError("not the awaited frame from the server within " + WAIT + "; so far "
                    + received + (closed.isDone() ? ", then " + closed.getNow(null) : ", still open"));
        }
        return Duration.ofNanos(left);
    }

    /**
     * The next {@code count} frames that are not pings nor noops, or fewer if no more came within {@link #WAIT}:
     * for comparing what came with what should have, whole.
     */
    List<Frame> nextPackets(int count) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        List<Frame> packets = new java.util.ArrayList<>();
        try {
            while (packets.size() < count) {
                long left = deadline - System.nanoTime();
                Frame frame = left <= 0 ? null : unread.poll(left, TimeUnit.NANOSECONDS);
                if (frame == null) {
                    break;
                }
                if (!frame.isPing() && !frame.isNoop()) {
                    packets.add(frame);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        return packets;
    }

    /** The next text frame that {@code skip} does not reject, within {@link #WAIT}. */
    String nextTextSkipping(java.util.function.Predicate<String> skip) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            Frame frame = next(remaining(deadline));
            if (frame.isBinary()) {
                throw new AssertionError("expected a text frame, got " + frame + "; so far " + received);
            }
            if (!skip.test(frame.text())) {
                return frame.text();
            }
        }
    }

    String nextPacketText() {
        Frame frame = nextPacket();
        if (frame.isBinary()) {
            throw new AssertionError("expected a text frame, got " + frame + "; so far " + received);
        }
        return frame.text();
    }

    /** Reads frames until a ping ({@code 2}) has been read. */
    void awaitPing() {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!next(remaining(deadline)).isPing()) {
            // skipped: not a ping
        }
    }

    /** How the connection ended, within {@code wait}; fails if it is still open then. */
    Close awaitClose(Duration wait) {
        try {
            return closed.get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } catch (ExecutionException e) {
            throw new AssertionError(e);
        } catch (TimeoutException e) {
            throw new AssertionError("the server did not close the WebSocket within " + wait + "; it sent " + received);
        }
    }

    Close awaitClose() {
        return awaitClose(WAIT);
    }

    boolean isClosed() {
        return closed.isDone();
    }

    /** Closes with a close frame, and drops the connection if the server does not answer in a second. */
    @Override
    public void close() {
        if (!closed.isDone()) {
            socket.close(1000, null);
            try {
                closed.get(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                // dropped below
            }
        }
        socket.cancel();
        closed.complete(new Close(-1, "closed by the test", 0));
    }

    @Override
    public String toString() {
        return received + (closed.isDone() ? " " + closed.getNow(null) : " (open)");
    }
}
