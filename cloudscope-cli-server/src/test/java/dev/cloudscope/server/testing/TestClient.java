package dev.cloudscope.server.testing;

import io.socket.client.Ack;
import io.socket.client.IO;
import io.socket.client.Socket;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import org.json.JSONArray;
import org.json.JSONObject;

/**
 * A real socket.io client (io.socket:socket.io-client 2.1.2, websocket only, no reconnection) on one namespace,
 * recording what it sees, in arrival order. Closing it closes the socket and its OkHttp threads.
 */
public final class TestClient implements AutoCloseable {

    /** One thing the client saw: an event and its arguments, JSON made printable. */
    public record Seen(String event, List<Object> args) {
        @Override
        public String toString() {
            return event + args;
        }
    }

    public final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final OkHttpClient http;
    private final Socket socket;

    private TestClient(String url, String query, Map<String, String> auth, String... events) {
        http = new OkHttpClient.Builder().readTimeout(1, TimeUnit.MINUTES).build();
        IO.Options options = new IO.Options();
        options.transports = new String[] {"websocket"};
        options.forceNew = true;
        options.reconnection = false;
        options.callFactory = http;
        options.webSocketFactory = http;
        options.query = query;
        options.auth = auth;
        socket = IO.socket(URI.create(url), options);
        socket.on(Socket.EVENT_CONNECT, args -> record(Socket.EVENT_CONNECT, args));
        socket.on(Socket.EVENT_CONNECT_ERROR, args -> record(Socket.EVENT_CONNECT_ERROR, args));
        socket.on(Socket.EVENT_DISCONNECT, args -> record(Socket.EVENT_DISCONNECT, args));
        for (String event : events) {
            socket.on(event, args -> record(event, args));
        }
    }

    /** Connects to {@code url} and records {@code events} besides connect, connect_error and disconnect. */
    public static TestClient connectWithQuery(String url, String query, String... events) {
        TestClient client = new TestClient(url, query, null, events);
        client.socket.connect();
        return client;
    }

    /** Connects with socket.io v4's auth payload ({@code auth: {token: ...}} in its CONNECT). */
    public static TestClient connectWithAuth(String url, Map<String, String> auth, String... events) {
        TestClient client = new TestClient(url, null, auth, events);
        client.socket.connect();
        return client;
    }

    public static TestClient connect(String url, String... events) {
        return connectWithQuery(url, null, events);
    }

    /** Emits {@code event}; the server's ack is recorded as {@code ack:<event>}. */
    public void emitWithAck(String event, Object... args) {
        socket.emit(event, args, (Ack) ackArgs -> record("ack:" + event, ackArgs));
    }

    public void emit(String event, Object... args) {
        socket.emit(event, args);
    }

    public void emit(String event, Object[] args, Ack ack) {
        socket.emit(event, args, ack);
    }

    /** The socket's id, as the server's CONNECT gave it: the Engine.IO session id. */
    public String id() {
        return socket.id();
    }

    public boolean connected() {
        return socket.connected();
    }

    public List<String> events() {
        return seen.stream().map(Seen::event).toList();
    }

    public List<Seen> seen(String event) {
        return seen.stream().filter(s -> s.event().equals(event)).toList();
    }

    private void record(String event, Object[] args) {
        List<Object> plain = new ArrayList<>();
        for (Object arg : args) {
            plain.add(arg instanceof JSONObject || arg instanceof JSONArray ? arg.toString()
                    : arg instanceof Exception e ? e.toString() : arg);
        }
        seen.add(new Seen(event, plain));
    }

    /** Disconnects from the namespace (the server runs the disconnect path); safe to call twice. */
    public void disconnect() {
        socket.close();
    }

    @Override
    public void close() {
        socket.close();
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }

    @Override
    public String toString() {
        return Arrays.toString(seen.toArray());
    }
}
