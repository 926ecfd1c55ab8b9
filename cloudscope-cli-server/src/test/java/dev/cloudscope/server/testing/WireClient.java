package dev.cloudscope.server.testing;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
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
 * The Engine.IO wire itself, over a plain WebSocket (OkHttp's, as the socket.io client's): every frame it sends is
 * exactly what the test wrote (garbage, a binary frame, an empty frame, an Engine.IO 3 handshake), and it sees every
 * frame the server sends and how the connection ended. Unlike {@link RawClient}, it does not speak Engine.IO for the
 * test: it answers the server's pings ({@code 2} with {@code 3}) only while {@link #answerPings} is on, and never
 * pings itself.
 *
 * <p>Frames as an Engine.IO 4 server sends them: {@code 0{"sid":..}} open, {@code 2} ping, {@code 40{"sid":..}}
 * CONNECT to /, {@code 42["res","x"]} an event, {@code 43/chat,1[]} an ack on /chat, {@code 44{"message":..}} a
 * connect error, {@code 41} a DISCONNECT.
 *
 * <p>(Not {@code java.net.http.WebSocket}: now and then it never reports a connection the server closed without a
 * close frame, which is how netty-socketio drops a client.)
 */
public final class WireClient implements AutoCloseable {

    /**
     * How the connection ended: the code and reason of the server's close frame, or -1 and what happened when the
     * connection dropped without one (or the test closed or cut it).
     */
    public record Close(int code, String reason) {
    }

    /** One client for every WireClient (its threads are shared, and daemons); a fuzz run opens many. */
    private static final OkHttpClient HTTP = new OkHttpClient.Builder()
            .dispatcher(new Dispatcher(Executors.newCachedThreadPool(runnable -> {
                Thread thread = new Thread(runnable, "wire-client");
                thread.setDaemon(true);
                return thread;
            })))
            .connectTimeout(10, TimeUnit.SECONDS)
            .readTimeout(0, TimeUnit.SECONDS) // a silent server is what some tests wait for
            .build();

    /** Text frames from the server, in arrival order. */
    public final List<String> received = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Close> closed = new CompletableFuture<>();
    private final CompletableFuture<Void> opened = new CompletableFuture<>();
    private final WebSocket socket;
    private volatile boolean answerPings;
    private volatile int binaryFrames;

    private WireClient(int port, String query, boolean answerPings) {
        this.answerPings = answerPings;
        String url = "http://127.0.0.1:" + port + "/socket.io/?" + query;
        socket = HTTP.newWebSocket(new Request.Builder().url(url).build(), new Listener());
        try {
            opened.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("WebSocket to " + url + " failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            socket.cancel();
            throw new IllegalStateException("WebSocket to " + url + " failed: " + e, e);
        }
    }

    /** An Engine.IO 4 WebSocket client that answers pings; {@code extraQuery} (may be empty) goes into the URL. */
    public static WireClient open(int port, String extraQuery) {
        return new WireClient(port, "EIO=4&transport=websocket" + (extraQuery.isEmpty() ? "" : "&" + extraQuery), true);
    }

    public static WireClient open(int port) {
        return open(port, "");
    }

    /** A WebSocket to {@code /socket.io/?query}, exactly that query, with pings answered or not. */
    public static WireClient openWithQuery(int port, String query, boolean answerPings) {
        return new WireClient(port, query, answerPings);
    }

    private final class Listener extends WebSocketListener {
        @Override
        public void onOpen(WebSocket webSocket, Response response) {
            opened.complete(null);
        }

        @Override
        public void onMessage(WebSocket webSocket, String text) {
            received.add(text);
            if (text.equals("2") && answerPings) {
                webSocket.send("3");
            }
        }

        @Override
        public void onMessage(WebSocket webSocket, ByteString bytes) {
            binaryFrames++;
        }

        @Override
        public void onClosing(WebSocket webSocket, int code, String reason) {
            closed.complete(new Close(code, reason));
            webSocket.close(code, null);
        }

        @Override
        public void onClosed(WebSocket webSocket, int code, String reason) {
            closed.complete(new Close(code, reason));
        }

        @Override
        public void onFailure(WebSocket webSocket, Throwable failure, Response response) {
            opened.completeExceptionally(failure);
            closed.complete(new Close(-1, String.valueOf(failure)));
        }
    }

    /** Queues each string as its own text frame, in order (OkHttp writes them in order, on its own thread). */
    public WireClient send(String... frames) {
        for (String frame : frames) {
            socket.send(frame);
        }
        return this;
    }

    /** Queues one binary frame. */
    public WireClient sendBinary(byte[] frame) {
        socket.send(ByteString.of(frame));
        return this;
    }

    /** Stops (or starts) answering the server's pings: a peer that went silent. */
    public void answerPings(boolean answer) {
        this.answerPings = answer;
    }

    /** The Engine.IO session id from the server's open packet. */
    public String sid() {
        return received.stream().filter(frame -> frame.startsWith("0{")).findFirst()
                .map(open -> open.replaceFirst("^0\\{\"sid\":\"([^\"]+)\".*$", "$1"))
                .orElseThrow(() -> new IllegalStateException("no open packet yet: " + received));
    }

    /** The socket.io packets (Engine.IO messages, {@code 4...}) the server sent, without the leading 4. */
    public List<String> packets() {
        return received.stream().filter(frame -> frame.startsWith("4")).map(frame -> frame.substring(1)).toList();
    }

    /** The socket.io packets the server sent on {@code namespace} ("/" for the main one), with the namespace taken out. */
    public List<String> packetsOn(String namespace) {
        return Namespaced.on(namespace, packets());
    }

    public int binaryFrames() {
        return binaryFrames;
    }

    /** Whether the connection has ended, by either side. */
    public boolean isClosed() {
        return closed.isDone();
    }

    /** How the connection ended; only once {@link #isClosed()}. */
    public Close closeInfo() {
        return closed.getNow(null);
    }

    /** Cuts the transport: the TCP connection goes, no close frame, as when a client's process is killed. */
    public void cut() {
        socket.cancel();
        closed.complete(new Close(-1, "cut by the test"));
    }

    /** Closes the connection with a close frame (and drops it if the server does not answer in a second). */
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
        closed.complete(new Close(-1, "closed by the test"));
    }

    @Override
    public String toString() {
        return received + (closed.isDone() ? " closed " + closed.getNow(null) : "");
    }
}
