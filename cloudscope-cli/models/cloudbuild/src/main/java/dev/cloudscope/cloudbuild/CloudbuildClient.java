package dev.cloudscope.cloudbuild;

import dev.cloudscope.protocol.ServerAddress;
import io.socket.client.IO;
import io.socket.client.Socket;
import io.socket.thread.EventThread;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import okhttp3.ConnectionSpec;
import okhttp3.OkHttpClient;
import okhttp3.WebSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lesson's socket.io client ({@code models/cloudbuild/lib/index.js}) in Java.
 *
 * <p>The URL's path is the namespace, as in socket.io: {@code http://127.0.0.1:7001/chat} joins {@code /chat},
 * {@code http://127.0.0.1:7001} joins {@code /}. The client speaks WebSocket only and never reconnects: a
 * connect error or a disconnect is final.
 *
 * <pre>{@code
 * CloudbuildClient client = CloudbuildClient.builder(URI.create("http://127.0.0.1:7001/chat"))
 *         .onConnect(c -> c.emit(Events.CHAT, "hello world!"))
 *         .on(Events.RES, args -> System.out.println("res from server: " + args.get(0) + "!"))
 *         .onConnectError(reason -> System.err.println("cannot connect: " + reason))
 *         .connect();
 * ...
 * client.close();
 * }</pre>
 *
 * <p>All callbacks run on socket.io-client's single event thread, one at a time and in the order the packets
 * arrived; a callback must not block. An exception thrown by a callback is logged (SLF4J, debug) and dropped.
 *
 * <p>The client owns its HTTP client and releases it on {@link #close()} (and on its own after a connect error or
 * a disconnect), so a program that uses it exits by itself once it is done.
 */
public final class CloudbuildClient implements AutoCloseable {

    /** How long connecting (transport open) may take before it fails with a connect error, unless set. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(20);

    /** How long {@link #close()} waits for the WebSocket's closing handshake before cutting it. */
    static final Duration CLOSE_GRACE = Duration.ofSeconds(1);

    private static final Logger log = LoggerFactory.getLogger(CloudbuildClient.class);

    /** Event names socket.io reserves for itself: they cannot be emitted. */
    private static final Set<String> RESERVED =
            Set.of("connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener");

    private final URI url;
    private final String namespace;
    private final OkHttpClient http;
    private final Set<WebSocket> webSockets = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean released = new AtomicBoolean();
    private final Socket socket;

    private CloudbuildClient(Builder b) {
        this.url = b.url;
        this.namespace = namespaceOf(b.url);
        OkHttpClient.Builder httpBuilder = new OkHttpClient.Builder()
                .connectTimeout(b.connectTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .readTimeout(1, TimeUnit.MINUTES) // as socket.io-client's own default client
                .socketFactory(NoDelaySocketFactory.INSTANCE);
        if (!isTls(b.url)) {
            // OkHttp sets up TLS (the platform's trust store: hundreds of classes, a good part of a CLI run's
            // start-up) whenever a connection spec is TLS; a cleartext URL never needs it
            httpBuilder.connectionSpecs(List.of(ConnectionSpec.CLEARTEXT));
        }
        this.http = httpBuilder.build();

        IO.Options options = new IO.Options();
        options.transports = new String[] {io.socket.engineio.client.transports.WebSocket.NAME};
        options.reconnection = false;
        options.forceNew = true; // one Manager (and one HTTP client) per CloudbuildClient, never a shared cache
        options.timeout = b.connectTimeout.toMillis();
        options.decoder = new TolerantDecoder(); // netty-socketio's "Invalid namespace" is a bare string
        options.callFactory = http;
        options.webSocketFactory = (request, listener) -> {
            WebSocket ws = http.newWebSocket(request, listener);
            webSockets.add(ws);
            return ws;
        };
        if (!b.auth.isEmpty()) {
            options.auth = new LinkedHashMap<>(b.auth);
        }
        this.socket = IO.socket(b.url, options);

        Consumer<CloudbuildClient> onConnect = b.onConnect;
        socket.on(Socket.EVENT_CONNECT, args -> safely("connect", () -> onConnect.accept(this)));
        Consumer<String> onConnectError = b.onConnectError;
        Consumer<ConnectError> onConnectFailure = b.onConnectFailure;
        socket.on(Socket.EVENT_CONNECT_ERROR, args -> {
            Object error = args.length > 0 ? args[0] : null;
            String reason = ConnectErrors.describe(error);
            log.debug("connect error on {}: {}", url, reason);
            safely("connect_error", () -> onConnectError.accept(reason));
            ConnectError detail = new ConnectError(reason, ConnectErrors.byServer(error));
            safely("connect_error", () -> onConnectFailure.accept(detail));
            releaseResources(); // no reconnection: this client is done
        });
        Consumer<String> onDisconnect = b.onDisconnect;
        socket.on(Socket.EVENT_DISCONNECT, args -> {
            String reason = args.length > 0 && args[0] != null ? args[0].toString() : "unknown";
            log.debug("disconnected from {}: {}", url, reason);
            safely("disconnect", () -> onDisconnect.accept(reason));
            releaseResources(); // no reconnection: this client is done
        });
        for (Map.Entry<String, List<Consumer<List<Object>>>> e : b.handlers.entrySet()) {
            String event = e.getKey();
            List<Consumer<List<Object>>> handlers = List.copyOf(e.getValue());
            socket.on(event, args -> {
                List<Object> list = Collections.unmodifiableList(Arrays.asList(args));
                for (Consumer<List<Object>> h : handlers) {
                    safely(event, () -> h.accept(list));
                }
            });
        }
    }

    /** A builder for a client of {@code url}; the URL's path is the namespace. */
    public static Builder builder(URI url) {
        return new Builder(url);
    }

    /** A builder for a client of {@code url}; the URL's path is the namespace. */
    public static Builder builder(String url) {
        Objects.requireNonNull(url, "url");
        try {
            return new Builder(new URI(url));
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a URL: " + url, e);
        }
    }

    /** A builder for a client of the lesson's server, {@link ServerAddress#defaultUrl()}, namespace {@code /}. */
    public static Builder builder() {
        return builder(ServerAddress.defaultUrl());
    }

    /** The namespace a socket.io URL joins: its path, {@code /} when it has none. */
    public static String namespaceOf(URI url) {
        String path = url.getRawPath();
        return path == null || path.isEmpty() ? "/" : path;
    }

    /** Whether {@code url} is {@code https} or {@code wss}: the only URLs for which the client sets up TLS. */
    static boolean isTls(URI url) {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        return scheme.equals("https") || scheme.equals("wss");
    }

    /** The URL this client connects to. */
    public URI url() {
        return url;
    }

    /** The namespace this client joins, from the URL's path. */
    public String namespace() {
        return namespace;
    }

    /** Whether the client has joined its namespace and is not disconnected. */
    public boolean isConnected() {
        return socket.connected();
    }

    /**
     * Emits {@code event} with {@code args}; before the connection is up the packet is buffered and sent once it is.
     * Arguments may be strings, numbers, booleans, {@code null}, {@code byte[]}, {@code org.json.JSONObject} and
     * {@code org.json.JSONArray}.
     *
     * @throws IllegalArgumentException if {@code event} is one socket.io reserves ({@code connect}, ...)
     * @throws IllegalStateException if the client is closed
     */
    public CloudbuildClient emit(String event, Object... args) {
        checkEmit(event);
        socket.emit(event, args == null ? new Object[] {null} : args.clone(), null);
        return this;
    }

    /**
     * Emits {@code event} with {@code args} and asks the server to acknowledge it: {@code onAck} gets the
     * acknowledgement's arguments. It is not called if the connection ends first (see
     * {@link Builder#onDisconnect(Consumer)}).
     *
     * @throws IllegalArgumentException if {@code event} is one socket.io reserves ({@code connect}, ...)
     * @throws IllegalStateException if the client is closed
     */
    public CloudbuildClient emitWithAck(String event, Consumer<List<Object>> onAck, Object... args) {
        checkEmit(event);
        Objects.requireNonNull(onAck, "onAck");
        socket.emit(event, args == null ? new Object[] {null} : args.clone(), ackArgs -> {
            List<Object> list = Collections.unmodifiableList(Arrays.asList(ackArgs));
            safely("ack of " + event, () -> onAck.accept(list));
        });
        return this;
    }

    /**
     * Disconnects (sending socket.io's DISCONNECT, which fires the disconnect callback with
     * {@code io client disconnect} if connected) and releases the HTTP client's threads. Called from outside the
     * callbacks, it waits briefly (about a second at most) for the WebSocket to close. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        CountDownLatch done = new CountDownLatch(1);
        EventThread.exec(() -> {
            try {
                socket.close();
            } finally {
                releaseResources();
                done.countDown();
            }
        });
        if (EventThread.isCurrent()) {
            return; // inside a callback: nothing to wait for without blocking the event thread
        }
        try {
            long deadline = System.nanoTime() + CLOSE_GRACE.toNanos();
            if (done.await(CLOSE_GRACE.toNanos(), TimeUnit.NANOSECONDS)) {
                long left = deadline - System.nanoTime();
                http.dispatcher().executorService().awaitTermination(Math.max(left, 0), TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void checkEmit(String event) {
        Objects.requireNonNull(event, "event");
        if (RESERVED.contains(event)) {
            throw new IllegalArgumentException("'" + event + "' is a reserved event name");
        }
        if (closed.get()) {
            throw new IllegalStateException("client of " + url + " is closed");
        }
    }

    /**
     * Lets the HTTP client's threads end: the dispatcher (whose threads are not daemons) takes no more work and ends
     * once the WebSocket reader is done; whatever WebSocket is still open a moment later is cut.
     */
    private void releaseResources() {
        if (!released.compareAndSet(false, true)) {
            return;
        }
        ExecutorService dispatcher = http.dispatcher().executorService();
        dispatcher.shutdown();
        http.connectionPool().evictAll();
        CompletableFuture.runAsync(this::cancelWebSockets,
                CompletableFuture.delayedExecutor(CLOSE_GRACE.toMillis(), TimeUnit.MILLISECONDS));
    }

    private void cancelWebSockets() {
        for (WebSocket ws : webSockets) {
            ws.cancel();
        }
        webSockets.clear();
    }

    private static void safely(String what, Runnable callback) {
        try {
            callback.run();
        } catch (RuntimeException | Error e) {
            log.debug("callback for {} threw", what, e);
        }
    }

    @Override
    public String toString() {
        return "CloudbuildClient[" + url + "]";
    }

    /** Configures and connects a {@link CloudbuildClient}. Not thread-safe; use it once. */
    public static final class Builder {
        private final URI url;
        private final Map<String, List<Consumer<List<Object>>>> handlers = new LinkedHashMap<>();
        private final Map<String, String> auth = new LinkedHashMap<>();
        private Consumer<CloudbuildClient> onConnect = c -> { };
        private Consumer<String> onConnectError = reason -> { };
        private Consumer<ConnectError> onConnectFailure = error -> { };
        private Consumer<String> onDisconnect = reason -> { };
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;

        private Builder(URI url) {
            Objects.requireNonNull(url, "url");
            String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
            if (!List.of("http", "https", "ws", "wss").contains(scheme)) {
                throw new IllegalArgumentException("not an http(s) or ws(s) URL: " + url);
            }
            if (url.getHost() == null || url.getHost().isEmpty()) {
                throw new IllegalArgumentException("no host in URL: " + url);
            }
            this.url = url;
        }

        /** Called once the namespace is joined: the lesson's {@code socket.on('connect', ...)}. */
        public Builder onConnect(Consumer<CloudbuildClient> callback) {
            this.onConnect = Objects.requireNonNull(callback, "callback");
            return this;
        }

        /**
         * Called with the arguments of each {@code event} the server sends, exactly as received (strings, numbers,
         * booleans, {@code null}, {@code byte[]}, {@code org.json.JSONObject}, {@code org.json.JSONArray}); if the
         * server asked for an acknowledgement the last argument is an {@code io.socket.client.Ack} to call.
         * Several callbacks for one event run in the order they were added.
         */
        public Builder on(String event, Consumer<List<Object>> callback) {
            Objects.requireNonNull(event, "event");
            Objects.requireNonNull(callback, "callback");
            if (RESERVED.contains(event)) {
                throw new IllegalArgumentException("'" + event
                        + "' is reserved; use onConnect, onConnectError or onDisconnect");
            }
            handlers.computeIfAbsent(event, k -> new ArrayList<>()).add(callback);
            return this;
        }

        /**
         * Called, at most once, when the connection cannot be made or the server refuses the namespace, with a
         * reason such as {@code connection refused}, {@code connection timed out} or the server's message
         * ({@code Invalid namespace}, {@code unauthorized}). The client is done afterwards.
         */
        public Builder onConnectError(Consumer<String> callback) {
            this.onConnectError = Objects.requireNonNull(callback, "callback");
            return this;
        }

        /**
         * Like {@link #onConnectError(Consumer)}, called just after it, with whether it was the server that refused
         * the namespace (its connection middleware, an unknown namespace: trying again will not help) rather than the
         * connection failing (refused, timed out, unknown host: the server may be there later).
         */
        public Builder onConnectFailure(Consumer<ConnectError> callback) {
            this.onConnectFailure = Objects.requireNonNull(callback, "callback");
            return this;
        }

        /**
         * Called when a joined namespace is left, with socket.io's reason: {@code io server disconnect} (the server
         * disconnected the socket), {@code transport close} (the connection was closed), {@code transport error},
         * {@code ping timeout}, or {@code io client disconnect} (after {@link #close()}). The client is done
         * afterwards.
         */
        public Builder onDisconnect(Consumer<String> callback) {
            this.onDisconnect = Objects.requireNonNull(callback, "callback");
            return this;
        }

        /** How long connecting may take before a connect error ({@code connection timed out}); default 20s. */
        public Builder connectTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("connect timeout must be positive: " + timeout);
            }
            this.connectTimeout = timeout;
            return this;
        }

        /** Sends {@code key = value} in the namespace CONNECT packet (socket.io's {@code auth} option). */
        public Builder auth(String key, String value) {
            auth.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** Creates the client and starts connecting; the callbacks report how that goes. */
        public CloudbuildClient connect() {
            CloudbuildClient client = new CloudbuildClient(this);
            client.socket.connect();
            return client;
        }
    }
}
