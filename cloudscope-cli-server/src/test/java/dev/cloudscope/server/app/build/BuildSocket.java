package dev.cloudscope.server.app.build;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.socket.client.Ack;
import io.socket.client.IO;
import io.socket.client.Socket;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import okhttp3.OkHttpClient;
import org.json.JSONObject;

/**
 * A client of {@code /build} speaking docs/cloudbuild.md's protocol on the real socket.io Java client (websocket
 * only, no reconnection): every request emitted with an acknowledgement and answered as a map; the events a
 * {@code follow} sends ({@code stage}, {@code log}, {@code status}) kept per build in arrival order, so that a
 * follow returns exactly the entries that came for it, before its acknowledgement.
 */
final class BuildSocket implements AutoCloseable {

    /** How long a request may take: a follow with nothing new waits up to 25 s on the server before it answers. */
    static final long ANSWER_SECONDS = 40;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One entry of a build's log as a follower received it: the event's name and its fields. */
    record Entry(String type, Map<String, Object> fields) {

        long seq() {
            return ((Number) fields.get("seq")).longValue();
        }

        String get(String field) {
            Object value = fields.get(field);
            return value == null ? null : String.valueOf(value);
        }

        boolean isLog() {
            return type.equals("log");
        }

        boolean isStage() {
            return type.equals("stage");
        }

        boolean isStatus() {
            return type.equals("status");
        }

        /** A log line as {@code out:LINE} / {@code err:LINE}; a stage as {@code NAME:start|end}; a status as its word. */
        String brief() {
            return switch (type) {
                case "log" -> get("stream") + ":" + get("line");
                case "stage" -> get("stage") + ":" + get("state");
                default -> type + ":" + get("status");
            };
        }

        @Override
        public String toString() {
            return type + fields;
        }
    }

    /** One follow's answer: the entries it sent, then its acknowledgement. */
    record Page(List<Entry> entries, Map<String, Object> ack) {

        boolean refused() {
            return ack.containsKey("error");
        }

        long lastSeq() {
            return ((Number) ack.get("lastSeq")).longValue();
        }

        boolean finished() {
            return Boolean.TRUE.equals(ack.get("finished"));
        }
    }

    private final OkHttpClient http;
    private final Socket socket;
    private final CompletableFuture<String> connected = new CompletableFuture<>();
    private final Map<String, List<Entry>> received = new ConcurrentHashMap<>();

    private BuildSocket(String url, Map<String, String> auth) {
        http = new OkHttpClient.Builder().readTimeout(1, TimeUnit.MINUTES).build();
        IO.Options options = new IO.Options();
        options.transports = new String[] {"websocket"};
        options.forceNew = true;
        options.reconnection = false;
        options.callFactory = http;
        options.webSocketFactory = http;
        options.auth = auth;
        socket = IO.socket(URI.create(url), options);
        socket.on(Socket.EVENT_CONNECT, args -> connected.complete(null));
        socket.on(Socket.EVENT_CONNECT_ERROR, args -> connected.complete(connectError(args)));
        for (String event : List.of("stage", "log", "status")) {
            socket.on(event, args -> {
                Map<String, Object> fields = map(args.length == 0 ? null : args[0]);
                List<Entry> list = received.computeIfAbsent(String.valueOf(fields.get("id")), id -> new ArrayList<>());
                synchronized (list) {
                    list.add(new Entry(event, fields));
                }
            });
        }
    }

    /** Connects to {@code url} (e.g. {@code http://127.0.0.1:PORT/build}) and waits: connected, or a failure. */
    static BuildSocket connect(String url) {
        return connect(url, null);
    }

    /** The same with socket.io v4's auth payload, e.g. {@code {token: ...}}. */
    static BuildSocket connect(String url, Map<String, String> auth) {
        BuildSocket client = tryConnect(url, auth);
        String error = client.connectError();
        if (error != null) {
            client.close();
            throw new AssertionError("could not connect to " + url + ": " + error);
        }
        return client;
    }

    /** Connects and waits for the outcome; {@link #connectError()} says whether it was refused. */
    static BuildSocket tryConnect(String url, Map<String, String> auth) {
        BuildSocket client = new BuildSocket(url, auth);
        client.socket.connect();
        try {
            client.connected.get(20, TimeUnit.SECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            client.close();
            throw new AssertionError("no answer to connecting to " + url, e);
        }
        return client;
    }

    /** The message of the server's connect error, or null when connected. */
    String connectError() {
        return connected.join();
    }

    boolean connected() {
        return socket.connected();
    }

    /** Emits {@code event} with {@code payload} (none when null) and waits for its acknowledgement, as a map. */
    Map<String, Object> request(String event, Map<String, ?> payload) {
        return requestAsync(event, payload).join();
    }

    /** Emits without waiting; the future has the acknowledgement. */
    CompletableFuture<Map<String, Object>> requestAsync(String event, Map<String, ?> payload) {
        CompletableFuture<Map<String, Object>> answer = new CompletableFuture<>();
        Object[] args = payload == null ? new Object[0] : new Object[] {new JSONObject(payload)};
        socket.emit(event, args, (Ack) ackArgs -> answer.complete(map(ackArgs.length == 0 ? null : ackArgs[0])));
        return answer.orTimeout(ANSWER_SECONDS, TimeUnit.SECONDS);
    }

    /** {@code build {repo, branch, command?}}: the answer, {@code {id}} or {@code {error}}. */
    Map<String, Object> build(String repo, String branch, String command) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("repo", repo);
        payload.put("branch", branch);
        if (command != null) {
            payload.put("command", command);
        }
        return request("build", payload);
    }

    /** A build that must be accepted: its id. */
    String submit(String repo, String branch, String command) {
        Map<String, Object> answer = build(repo, branch, command);
        if (!(answer.get("id") instanceof String id)) {
            throw new AssertionError("build refused: " + answer);
        }
        return id;
    }

    Map<String, Object> status(String id) {
        return request("status", Map.of("id", id));
    }

    Map<String, Object> cancel(String id) {
        return request("cancel", Map.of("id", id));
    }

    Map<String, Object> detach(String id) {
        return request("detach", Map.of("id", id));
    }

    @SuppressWarnings("unchecked")
    List<Map<String, Object>> list() {
        Map<String, Object> answer = request("list", null);
        if (!(answer.get("builds") instanceof List<?> builds)) {
            throw new AssertionError("list answered " + answer);
        }
        return (List<Map<String, Object>>) builds;
    }

    /** One {@code follow {id, after}}: the entries it sent for that build, and its acknowledgement. */
    Page follow(String id, long after) {
        return followAsync(id, after).join();
    }

    /**
     * A follow in flight. Its entries are those received for the build between the request and its answer: the
     * server sends them before the answer, on the same connection, and allows one follow per build at a time.
     */
    CompletableFuture<Page> followAsync(String id, long after) {
        int from = entries(id).size();
        return requestAsync("follow", Map.of("id", id, "after", after)).thenApply(ack -> {
            List<Entry> all = entries(id);
            return new Page(List.copyOf(all.subList(from, all.size())), ack);
        });
    }

    /** Follows from {@code after} to the build's end, page after page: every entry received on the way. */
    List<Entry> followToEnd(String id, long after) {
        List<Entry> entries = new ArrayList<>();
        long last = after;
        while (true) {
            Page page = follow(id, last);
            if (page.refused()) {
                throw new AssertionError("follow refused: " + page.ack());
            }
            entries.addAll(page.entries());
            last = page.lastSeq();
            if (page.finished()) {
                return entries;
            }
        }
    }

    /** Follows from {@code after} until a log line satisfies {@code wanted}: the entries seen so far. */
    List<Entry> followUntil(String id, long after, java.util.function.Predicate<Entry> wanted) {
        List<Entry> entries = new ArrayList<>();
        long last = after;
        while (true) {
            Page page = follow(id, last);
            if (page.refused()) {
                throw new AssertionError("follow refused: " + page.ack());
            }
            entries.addAll(page.entries());
            last = page.lastSeq();
            if (page.entries().stream().anyMatch(wanted)) {
                return entries;
            }
            if (page.finished()) {
                throw new AssertionError("the build ended before the entry awaited: " + entries);
            }
        }
    }

    /** Every entry this client has received for the build, in arrival order. */
    List<Entry> entries(String id) {
        List<Entry> list = received.computeIfAbsent(id, key -> new ArrayList<>());
        synchronized (list) {
            return List.copyOf(list);
        }
    }

    /** Leaves the namespace; the server runs its disconnect path (a build not detached is cancelled). */
    void disconnect() {
        socket.close();
    }

    @Override
    public void close() {
        socket.close();
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }

    private static String connectError(Object[] args) {
        if (args.length == 0 || args[0] == null) {
            return "connect error";
        }
        if (args[0] instanceof JSONObject object) {
            return object.optString("message", object.toString());
        }
        return args[0] instanceof Exception e ? e.toString() : String.valueOf(args[0]);
    }

    private static Map<String, Object> map(Object json) {
        if (json == null) {
            return Map.of();
        }
        try {
            return JSON.readValue(json.toString(), new TypeReference<LinkedHashMap<String, Object>>() { });
        } catch (Exception e) {
            throw new AssertionError("not a JSON object: " + json, e);
        }
    }
}
