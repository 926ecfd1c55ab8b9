package dev.cloudscope.cloudbuild;

import dev.cloudscope.cloudbuild.BuildClientException.Kind;
import dev.cloudscope.protocol.BuildEvents;
import dev.cloudscope.protocol.Namespaces;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.json.JSONArray;
import org.json.JSONObject;

/**
 * A client of the server's cloud build, namespace {@code /build} ({@link BuildEvents}): ask for a build, detach from
 * it, follow its log, cancel it, ask its status, list the builds. Each call blocks its caller until the server has
 * answered (at most the timeout, except while following) and throws {@link BuildClientException} otherwise.
 *
 * <p><b>Connections.</b> {@link #connect()} joins the namespace, trying again while nothing listens yet, until the
 * timeout. A request finds the connection up or makes it again first, but is never sent twice: a connection lost
 * while a request waits for its answer fails the request ({@link Kind#LOST}). {@link #follow} is the exception: it
 * makes the connection again (for up to the timeout after each loss without progress in between) and goes on from
 * the last entry it delivered, so its follower gets every entry once, in order, across any number of losses.
 *
 * <p><b>Ownership.</b> The server cancels a build whose owner (the socket that asked for it) disconnects without
 * having sent {@code detach}. A client that wants its build to survive a lost connection calls {@link #detach} right
 * after {@link #build}, and {@link #cancel} when its user wants the build to end.
 *
 * <p><b>Threads.</b> Calls are for one thread at a time, except {@link #stop()} and {@link #close()}, which may come
 * from any thread (a signal handler) and make the waiting call end with {@link Kind#STOPPED}. {@link #follow} hands
 * the entries to its follower on the calling thread, never on socket.io's event thread; it asks for the next page
 * only when the follower has taken the last, so a slow follower slows the transfer and never fills memory.
 */
public final class BuildClient implements AutoCloseable {

    /** How long the server holds a {@code follow} when there is nothing new, before it acks with nothing. */
    public static final Duration LONG_POLL = Duration.ofSeconds(25);

    /**
     * A page the server cut at its bound (the contract's ≈1000 entries or 256 KiB) has about this many entries or
     * bytes; one with fewer of both was not cut: the server had nothing more when it answered.
     */
    static final int FULL_PAGE_ENTRIES = 900;
    static final int FULL_PAGE_BYTES = 200 * 1024;

    /** Pause between tries to connect while nothing listens. */
    static final long RETRY_PAUSE_MS = 250;

    private static final String NOT_LISTENING = "connection refused";

    private final URI url;
    private final String target;
    private final String token;
    private final Duration timeout;
    private final Duration idle;
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();
    private volatile BlockingQueue<Object> activeSink;
    private Connection connection; // guarded by this
    private boolean closed; // guarded by this

    private BuildClient(URI url, String token, Duration timeout, Duration idle) {
        this.url = url;
        this.target = url.toString();
        this.token = token;
        this.timeout = timeout;
        this.idle = idle;
    }

    /**
     * A client of the cloud build of the server at {@code server} ({@code http://127.0.0.1:7001}; its namespace
     * {@code /build} is added, see {@link #buildUrl}), presenting {@code token} (or none, if {@code null} or empty)
     * in the CONNECT's auth payload, waiting up to {@code timeout} for each connection and answer. Not connected
     * yet: see {@link #connect()}.
     */
    public static BuildClient create(URI server, String token, Duration timeout) {
        return create(server, token, timeout, Duration.ofSeconds(1));
    }

    /** {@link #create(URI, String, Duration)} with the idle time of {@link #follow} not to the end. */
    static BuildClient create(URI server, String token, Duration timeout, Duration idle) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        return new BuildClient(buildUrl(server), token == null || token.isEmpty() ? null : token, timeout, idle);
    }

    /**
     * The URL of {@code server}'s {@code /build} namespace: a URL without a path (or {@code /}) gets the path
     * {@code /build}, one already on {@code /build} is kept; any other path is refused (socket.io takes a URL's path
     * for the namespace, so it cannot be a prefix).
     *
     * @throws IllegalArgumentException for another path
     */
    public static URI buildUrl(URI server) {
        Objects.requireNonNull(server, "server");
        String path = server.getRawPath();
        if (Namespaces.BUILD.equals(path)) {
            return server;
        }
        if (path != null && !path.isEmpty() && !path.equals("/")) {
            throw new IllegalArgumentException("the server's address has a path (" + path + "): give it without one, "
                    + "e.g. http://127.0.0.1:7001 (the namespace " + Namespaces.BUILD + " is added)");
        }
        String query = server.getRawQuery() == null ? "" : "?" + server.getRawQuery();
        try {
            return new URI(server.getScheme() + "://" + server.getRawAuthority() + Namespaces.BUILD + query);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a URL: " + server, e);
        }
    }

    /** The {@code /build} URL this client connects to. */
    public URI url() {
        return url;
    }

    /** How long each connection and answer may take. */
    public Duration timeout() {
        return timeout;
    }

    /**
     * Joins {@code /build}; while nothing listens at the address ({@code connection refused}) tries again every
     * {@value #RETRY_PAUSE_MS} ms until the timeout.
     *
     * @throws BuildClientException {@link Kind#CONNECT}: cannot connect, or the server refused us (its message,
     *     e.g. {@code unauthorized}, or that cloud build is off)
     */
    public void connect() throws InterruptedException {
        ensureConnection(System.nanoTime() + timeout.toNanos(), true, false);
    }

    /**
     * Asks for a build: {@code build {repo, branch, command?}}; its id. This client's connection owns the build until
     * {@link #detach}.
     *
     * @throws BuildClientException {@link Kind#REFUSED} with the server's reason (a repo scheme not allowed, a bad
     *     branch, the queue full...), or another kind
     */
    public String build(String repo, String branch, String command) throws InterruptedException {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("repo", Objects.requireNonNull(repo, "repo"));
        payload.put("branch", Objects.requireNonNull(branch, "branch"));
        if (command != null) {
            payload.put("command", command);
        }
        JSONObject ack = request(BuildEvents.BUILD, new JSONObject(payload), timeout, true);
        String id = BuildEntry.textOf(ack, "id");
        if (id == null || id.isEmpty()) {
            throw protocol(BuildEvents.BUILD, ack);
        }
        return id;
    }

    /** {@code detach {id}}: the build no longer ends when this client's connection does. */
    public void detach(String id) throws InterruptedException {
        request(BuildEvents.DETACH, idPayload(id), timeout, true);
    }

    /** {@code status {id}}: the build's status object ({@code {id, status, repo, branch, ...}}). */
    public JSONObject status(String id) throws InterruptedException {
        JSONObject ack = request(BuildEvents.STATUS, idPayload(id), timeout, true);
        if (BuildEntry.textOf(ack, "status") == null) {
            throw protocol(BuildEvents.STATUS, ack);
        }
        return ack;
    }

    /** {@code list {}}: the builds' status objects, newest first. */
    public List<JSONObject> list() throws InterruptedException {
        JSONObject ack = request(BuildEvents.LIST, new JSONObject(), timeout, true);
        if (!(ack.opt("builds") instanceof JSONArray builds)) {
            throw protocol(BuildEvents.LIST, ack);
        }
        List<JSONObject> all = new ArrayList<>(builds.length());
        for (int i = 0; i < builds.length(); i++) {
            if (builds.opt(i) instanceof JSONObject build) {
                all.add(build);
            }
        }
        return Collections.unmodifiableList(all);
    }

    /** {@code cancel {id}}, waiting up to the timeout; the ack, {@code {id, status}}. */
    public JSONObject cancel(String id) throws InterruptedException {
        return cancel(id, timeout);
    }

    /**
     * {@code cancel {id}}, waiting up to {@code wait} for the connection (made again if it was lost) and the ack
     * {@code {id, status}}. Works after {@link #stop()} too: it is what a stopped follower calls.
     */
    public JSONObject cancel(String id, Duration wait) throws InterruptedException {
        JSONObject ack = request(BuildEvents.CANCEL, idPayload(id), wait, false);
        if (BuildEntry.textOf(ack, "status") == null) {
            throw protocol(BuildEvents.CANCEL, ack);
        }
        return ack;
    }

    /** What a {@link #follow} gets, on the thread that called it. */
    public interface Follower {
        /** The next entry: each once, in the order of their sequence numbers. */
        void entry(BuildEntry entry);

        /** The connection was lost; the follow makes it again and goes on. */
        default void connectionLost(String reason) {
        }

        /** The connection is up again; the follow goes on from its last entry. */
        default void reconnected() {
        }
    }

    /** Where a {@link #follow} ended: the last sequence number delivered, and the status if the build ended. */
    public record FollowResult(long lastSeq, boolean finished, BuildEntry status) {
    }

    /**
     * Follows build {@code id} from the entry after {@code after}: asks {@code follow {id, after}}, hands each entry
     * to {@code follower}, and asks again after the last one delivered.
     *
     * <p>With {@code toTheEnd}, until the server says the log is finished (its status has been delivered), however
     * long that takes: a page may take the server's {@link #LONG_POLL} plus the timeout to start. Without, until
     * then or until the log holds nothing more now: a page that is not full (fewer than {@value #FULL_PAGE_ENTRIES}
     * entries and about {@value #FULL_PAGE_BYTES} bytes: the server had no more when it answered) or one that does
     * not start within a moment (about a second: the server is waiting for entries).
     *
     * <p>A lost connection is made again (see the class comment) and the follow goes on after the last entry
     * delivered; an entry that comes twice (its sequence number not above the last) is dropped.
     *
     * @throws BuildClientException {@link Kind#REFUSED} (an unknown id: the server's reason), {@link Kind#LOST} (no
     *     new connection within the timeout), {@link Kind#NO_ANSWER}, {@link Kind#STOPPED}...
     */
    public FollowResult follow(String id, long after, Follower follower, boolean toTheEnd)
            throws InterruptedException {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(follower, "follower");
        long last = after;
        BuildEntry status = null;
        long lostAt = 0;
        String lostReason = null;
        long pageWaitNanos = LONG_POLL.plus(timeout).toNanos();
        try {
            while (true) {
                Connection c;
                if (lostReason == null) {
                    c = ensureConnection(System.nanoTime() + timeout.toNanos(), true, false);
                } else {
                    try {
                        c = ensureConnection(lostAt + timeout.toNanos(), true, true);
                    } catch (BuildClientException e) {
                        if (e.kind() != Kind.CONNECT) {
                            throw e;
                        }
                        throw new BuildClientException(Kind.LOST, target + ": " + describeDrop(lostReason)
                                + "; " + e.getMessage());
                    }
                    follower.reconnected();
                }
                BlockingQueue<Object> page = new LinkedBlockingQueue<>();
                activeSink = page;
                c.sink = page;
                if (c.dropped.isDone()) {
                    page.add(new Dropped(c.dropped.getNow("transport close")));
                }
                if (stopped.isDone()) {
                    page.add(Stop.STOP);
                }
                Map<String, Object> payload = new LinkedHashMap<>();
                payload.put("id", id);
                payload.put("after", last);
                payload.put("batch", true); // a page as one event
                try {
                    c.client.emitWithAck(BuildEvents.FOLLOW, ack -> page.add(new Ack(ack)), new JSONObject(payload));
                } catch (IllegalStateException closedMeanwhile) {
                    page.add(new Dropped("io client disconnect"));
                }
                boolean first = true;
                boolean again = false;
                int pageEntries = 0;
                long pageBytes = 0;
                while (!again) {
                    long wait = !toTheEnd && first ? idle.toNanos() : pageWaitNanos;
                    Object item = page.poll(wait, TimeUnit.NANOSECONDS);
                    first = false;
                    if (item == null) {
                        if (!toTheEnd) {
                            return new FollowResult(last, false, status);
                        }
                        throw new BuildClientException(Kind.NO_ANSWER, "no answer to " + BuildEvents.FOLLOW
                                + " from " + target + " within " + format(LONG_POLL.plus(timeout)));
                    }
                    if (item instanceof BuildEntry entry) {
                        if ((entry.id() != null && !entry.id().equals(id)) || entry.seq() <= last) {
                            continue; // another build's, or one we have (a page sent again after a loss)
                        }
                        last = entry.seq();
                        lostReason = null;
                        if (!toTheEnd) {
                            pageEntries++;
                            pageBytes += 64 + entry.fields().toString().length();
                        }
                        if (entry.isStatus()) {
                            status = entry;
                        }
                        follower.entry(entry);
                    } else if (item instanceof Ack ack) {
                        JSONObject answer = answerOf(BuildEvents.FOLLOW, ack.args());
                        lostReason = null;
                        if (answer.optBoolean("finished", false)) {
                            return new FollowResult(last, true, status);
                        }
                        // the server says whether it had more (a full page); an older one does not: guess from the size
                        boolean more = answer.has("more") ? answer.optBoolean("more")
                                : pageEntries >= FULL_PAGE_ENTRIES || pageBytes >= FULL_PAGE_BYTES;
                        if (!toTheEnd && !more) {
                            return new FollowResult(last, false, status); // the server had no more: that is now
                        }
                        again = true;
                    } else if (item instanceof Dropped dropped) {
                        boolean firstLoss = lostReason == null;
                        lostReason = dropped.reason();
                        follower.connectionLost(dropped.reason());
                        if (firstLoss) {
                            lostAt = System.nanoTime(); // the time to connect again counts from here
                        }
                        again = true;
                    } else {
                        throw stoppedException();
                    }
                }
            }
        } finally {
            activeSink = null;
        }
    }

    /**
     * Makes the waiting call (and any later one, but {@link #cancel(String, Duration)}) end with
     * {@link Kind#STOPPED}. Any thread; idempotent.
     */
    public void stop() {
        stopped.complete(null);
        BlockingQueue<Object> sink = activeSink;
        if (sink != null) {
            sink.add(Stop.STOP);
        }
    }

    /** Stops and disconnects. Any thread; idempotent. */
    @Override
    public void close() {
        stop();
        Connection c;
        synchronized (this) {
            closed = true;
            c = connection;
            connection = null;
        }
        if (c != null) {
            c.client.close();
        }
    }

    // ---- connections and requests

    /** One socket.io connection to {@code /build}, with where its entries and its loss go. */
    private static final class Connection {
        final CompletableFuture<Void> connected = new CompletableFuture<>();
        final CompletableFuture<String> dropped = new CompletableFuture<>();
        volatile BlockingQueue<Object> sink;
        volatile CloudbuildClient client;

        void deliver(String type, List<Object> args) {
            BlockingQueue<Object> to = sink;
            if (to != null && !args.isEmpty() && args.get(0) instanceof JSONObject fields) {
                to.add(new BuildEntry(type, fields));
            }
        }

        /** A page as one event: {@code {id, entries: [{type, ...}, ...]}}. */
        void deliverBatch(List<Object> args) {
            BlockingQueue<Object> to = sink;
            if (to == null || args.isEmpty() || !(args.get(0) instanceof JSONObject page)
                    || !(page.opt("entries") instanceof JSONArray entries)) {
                return;
            }
            for (int i = 0; i < entries.length(); i++) {
                if (entries.opt(i) instanceof JSONObject fields) {
                    Object type = fields.remove("type");
                    to.add(new BuildEntry(String.valueOf(type), fields));
                }
            }
        }

        void lost(String reason) {
            connected.completeExceptionally(new ConnectFailed(new ConnectError(reason, false)));
            dropped.complete(reason);
            BlockingQueue<Object> to = sink;
            if (to != null) {
                to.add(new Dropped(reason));
            }
        }
    }

    /** A connect error, inside this class. */
    private static final class ConnectFailed extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient ConnectError error;

        ConnectFailed(ConnectError error) {
            super(error.reason(), null, false, false);
            this.error = error;
        }
    }

    private record Ack(List<Object> args) {
    }

    private record Dropped(String reason) {
    }

    private enum Stop { STOP }

    /**
     * The connection, made (again) if there is none or it was lost: tries until {@code deadline} (a nano time) while
     * the connection is refused (any failure to reach the server, with {@code retryAny}); a server's refusal is final.
     */
    private Connection ensureConnection(long deadline, boolean stoppable, boolean retryAny)
            throws InterruptedException {
        Connection old;
        synchronized (this) {
            if (closed) {
                throw stoppedException();
            }
            if (connection != null && !connection.dropped.isDone()) {
                return connection;
            }
            old = connection;
            connection = null;
        }
        if (old != null) {
            old.client.close();
        }
        String lastFailure = null;
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw connectFailure(lastFailure == null ? "connection timed out" : lastFailure, lastFailure != null);
            }
            ConnectError failure;
            try {
                Connection c = open(left, stoppable);
                synchronized (this) {
                    if (!closed) {
                        connection = c;
                        return c;
                    }
                }
                c.client.close();
                throw stoppedException();
            } catch (ConnectFailed e) {
                failure = e.error;
            }
            if (failure.byServer() || !(retryAny || NOT_LISTENING.equals(failure.reason()))) {
                throw connectFailure(failure.reason(), false);
            }
            lastFailure = failure.reason();
            if (deadline - System.nanoTime() <= TimeUnit.MILLISECONDS.toNanos(2 * RETRY_PAUSE_MS)) {
                throw connectFailure(lastFailure, true); // too little time left for another try to mean anything
            }
            pause(RETRY_PAUSE_MS, stoppable);
        }
    }

    private BuildClientException connectFailure(String reason, boolean tried) {
        return new BuildClientException(Kind.CONNECT, "cannot connect to " + target + ": " + reason
                + (tried ? " (tried for " + format(timeout) + ")" : ""));
    }

    /** One try at joining {@code /build}, for up to {@code timeoutNanos}. */
    private Connection open(long timeoutNanos, boolean stoppable) throws InterruptedException {
        Connection c = new Connection();
        CloudbuildClient.Builder builder = CloudbuildClient.builder(url)
                .connectTimeout(Duration.ofNanos(Math.max(timeoutNanos, TimeUnit.MILLISECONDS.toNanos(100))));
        if (token != null) {
            builder.auth("token", token);
        }
        for (String event : List.of(BuildEvents.STAGE, BuildEvents.LOG, BuildEvents.STATUS)) {
            builder.on(event, args -> c.deliver(event, args));
        }
        builder.on(BuildEvents.ENTRIES, c::deliverBatch);
        c.client = builder
                .onConnect(client -> c.connected.complete(null))
                .onConnectFailure(error -> c.connected.completeExceptionally(new ConnectFailed(error)))
                .onDisconnect(c::lost)
                .connect();
        try {
            await(c.connected, timeoutNanos, stoppable);
            return c;
        } catch (TimeoutException e) {
            c.client.close();
            throw new ConnectFailed(new ConnectError("connection timed out", false));
        } catch (ExecutionException e) {
            c.client.close();
            if (e.getCause() instanceof ConnectFailed failed) {
                throw failed;
            }
            throw new ConnectFailed(new ConnectError(String.valueOf(e.getCause()), false));
        } catch (BuildClientException | InterruptedException e) {
            c.client.close();
            throw e;
        }
    }

    /**
     * Emits {@code event} with {@code payload} and an ack, on the connection (made again first if it was lost), and
     * waits up to {@code wait} in all; the ack's object, unless it is {@code {error}}.
     */
    private JSONObject request(String event, JSONObject payload, Duration wait, boolean stoppable)
            throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        Connection c = ensureConnection(deadline, stoppable, false);
        CompletableFuture<List<Object>> answer = new CompletableFuture<>();
        c.dropped.thenAccept(reason -> answer.completeExceptionally(new LostException(reason)));
        try {
            c.client.emitWithAck(event, answer::complete, payload);
        } catch (IllegalStateException closedMeanwhile) {
            throw new BuildClientException(Kind.LOST, target + ": " + describeDrop("io client disconnect")
                    + " before " + event + " was answered");
        }
        try {
            return answerOf(event, await(answer, deadline - System.nanoTime(), stoppable));
        } catch (TimeoutException e) {
            throw new BuildClientException(Kind.NO_ANSWER,
                    "no answer to " + event + " from " + target + " within " + format(wait));
        } catch (ExecutionException e) {
            String reason = e.getCause() instanceof LostException d ? d.getMessage() : String.valueOf(e.getCause());
            throw new BuildClientException(Kind.LOST, target + ": " + describeDrop(reason)
                    + " before " + event + " was answered");
        }
    }

    /** A lost connection, as an exception for a request's future. */
    private static final class LostException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        LostException(String reason) {
            super(reason, null, false, false);
        }
    }

    /** The ack's object; {@link Kind#REFUSED} for {@code {error}}, {@link Kind#PROTOCOL} for anything else. */
    private JSONObject answerOf(String event, List<Object> ack) {
        JSONObject answer = !ack.isEmpty() && ack.get(0) instanceof JSONObject json ? json : null;
        if (answer == null) {
            throw new BuildClientException(Kind.PROTOCOL, target + ": unexpected answer to " + event + ": " + ack
                    + " (does the server have cloud build?)");
        }
        if (answer.has("error")) {
            String error = BuildEntry.textOf(answer, "error");
            throw new BuildClientException(Kind.REFUSED, error == null || error.isBlank() ? "refused" : error);
        }
        return answer;
    }

    private BuildClientException protocol(String event, JSONObject ack) {
        return new BuildClientException(Kind.PROTOCOL, target + ": unexpected answer to " + event + ": " + ack);
    }

    private <T> T await(CompletableFuture<T> future, long timeoutNanos, boolean stoppable)
            throws InterruptedException, TimeoutException, ExecutionException {
        if (stoppable) {
            CompletableFuture.anyOf(future, stopped).get(Math.max(timeoutNanos, 0), TimeUnit.NANOSECONDS);
            if (!future.isDone()) {
                throw stoppedException();
            }
            return future.get();
        }
        return future.get(Math.max(timeoutNanos, 0), TimeUnit.NANOSECONDS);
    }

    private void pause(long millis, boolean stoppable) throws InterruptedException {
        if (!stoppable) {
            Thread.sleep(millis);
            return;
        }
        try {
            stopped.get(millis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return;
        } catch (ExecutionException e) {
            // stopped never fails
        }
        throw stoppedException();
    }

    private BuildClientException stoppedException() {
        return new BuildClientException(Kind.STOPPED, "stopped");
    }

    private static JSONObject idPayload(String id) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("id", Objects.requireNonNull(id, "id"));
        return new JSONObject(payload);
    }

    /** socket.io's disconnect reasons, in words. */
    static String describeDrop(String reason) {
        return switch (reason) {
            case "io server disconnect" -> "the server closed the connection";
            case "transport close" -> "connection lost (closed)";
            case "io client disconnect" -> "connection closed";
            default -> "connection lost (" + reason + ")";
        };
    }

    /** The shortest of {@code 2h}, {@code 2m}, {@code 10s}, {@code 300ms} that is exact, for messages. */
    static String format(Duration d) {
        if (d.getNano() % 1_000_000 != 0) {
            return d.toString();
        }
        long ms = d.toMillis();
        if (ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1_000 == 0) {
            return ms / 1_000 + "s";
        }
        return ms + "ms";
    }

    @Override
    public String toString() {
        return "BuildClient[" + url + "]";
    }
}
