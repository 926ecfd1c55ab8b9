package dev.cloudscope.cli;

import com.corundumstudio.socketio.AckMode;
import com.corundumstudio.socketio.AckRequest;
import com.corundumstudio.socketio.AuthTokenResult;
import com.corundumstudio.socketio.Configuration;
import com.corundumstudio.socketio.SocketIOClient;
import com.corundumstudio.socketio.SocketIONamespace;
import com.corundumstudio.socketio.SocketIOServer;
import com.corundumstudio.socketio.Transport;
import com.corundumstudio.socketio.handler.ClientHead;
import com.corundumstudio.socketio.handler.TransportState;
import com.corundumstudio.socketio.transport.NamespaceClient;
import dev.cloudscope.protocol.BuildEvents;
import dev.cloudscope.protocol.Namespaces;
import io.netty.channel.Channel;
import java.lang.reflect.Field;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The cloud build contract on bare netty-socketio, in the test's JVM, on a free port, with scripted builds instead
 * of real ones: namespace {@code /build}; {@code build {repo, branch, command?}} acks {@code {id}} (or {@code {error}}
 * for a repo ending in {@code /refused}); {@code detach}, {@code follow} (long poll, pages of at most
 * {@link #pageSize} entries), {@code cancel}, {@code status}, {@code list} as the contract says; an owner that
 * disconnects without having detached cancels its build.
 *
 * <p>The script is chosen by the repo's last path segment:
 * <ul>
 *   <li>{@code success} (and anything unknown): the five stages, a few out and err lines, SUCCESS with a site URL;</li>
 *   <li>{@code failure}: install fails with exit code 1: FAILURE;</li>
 *   <li>{@code many}: {@value #MANY} numbered out lines in the build stage, a few at a time, then SUCCESS;</li>
 *   <li>{@code slow}: a line every 50 ms for 20 s (until cancelled);</li>
 *   <li>{@code refused}: the build is refused, {@code {error: "repo: scheme not allowed"}}.</li>
 * </ul>
 * {@link #dropAfter} cuts a follower's connection (its TCP channel, no socket.io DISCONNECT) once it has been sent
 * that many entries on it. With {@link #off}, {@code /build} refuses every client that presents a token with
 * "cloud build is off". Every packet is logged, e.g. {@code build REPO main}, {@code detach ID},
 * {@code follow ID 0}, {@code cancel ID}.
 */
final class BuildServer implements AutoCloseable {
    static final int MANY = 3000;
    static final String OFF_MESSAGE = "cloud build is off on this server (build.enabled = false)";
    private static final long LONG_POLL_MS = 25_000;

    private final SocketIOServer server;
    /** Runs the scripts, one thread each. */
    private final ExecutorService runner = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fake-build");
        t.setDaemon(true);
        return t;
    });
    /** Ends long polls. */
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "fake-build-timer");
        t.setDaemon(true);
        return t;
    });
    private final BlockingQueue<String> log = new LinkedBlockingQueue<>();
    private final Map<String, Build> builds = new ConcurrentHashMap<>();
    private final Map<UUID, AtomicInteger> sentOnSocket = new ConcurrentHashMap<>();
    private final AtomicInteger counter = new AtomicInteger();
    final int port;

    /** Entries per follow page. */
    volatile int pageSize = 1000;
    /** Cut a connection once it has been sent this many entries; 0: never. */
    volatile int dropAfter;
    /** Refuse the namespace to clients presenting a token (netty-socketio asks only those). */
    volatile boolean off;
    /** How many lines {@code slow} prints, one every 50 ms. */
    volatile int slowTicks = 400;
    /** Cut the owner's connection right after acking its build (before its detach can arrive). */
    volatile boolean cutAfterBuild;
    /** The token clients must present, when not {@code null}. */
    volatile String token;

    BuildServer() {
        port = ChatServer.freePort();
        Configuration config = new Configuration();
        config.setHostname("127.0.0.1");
        config.setPort(port);
        config.setBossThreads(1);
        config.setWorkerThreads(2);
        config.setAckMode(AckMode.MANUAL);
        server = new SocketIOServer(config);
        SocketIONamespace ns = server.addNamespace(Namespaces.BUILD);
        ns.addAuthTokenListener((auth, client) -> {
            if (off) {
                return new AuthTokenResult(false, Map.of("message", OFF_MESSAGE));
            }
            String expected = token;
            return expected == null || (auth instanceof Map<?, ?> map && expected.equals(map.get("token")))
                    ? AuthTokenResult.AuthTokenResultSuccess
                    : new AuthTokenResult(false, Map.of("message", "unauthorized"));
        });
        ns.addEventListener(BuildEvents.BUILD, Map.class, (client, data, ack) -> build(client, data, ack));
        ns.addEventListener(BuildEvents.DETACH, Map.class, (client, data, ack) -> {
            Build b = find(data, ack, BuildEvents.DETACH);
            if (b != null) {
                b.detached = true;
                ack.sendAckData(Map.of("id", b.id));
            }
        });
        ns.addEventListener(BuildEvents.FOLLOW, Map.class, (client, data, ack) -> {
            Build b = find(data, ack, BuildEvents.FOLLOW + " " + data.get("after"));
            if (b != null) {
                long after = ((Number) data.getOrDefault("after", 0)).longValue();
                b.follow(new Follower(client, ack, after));
            }
        });
        ns.addEventListener(BuildEvents.CANCEL, Map.class, (client, data, ack) -> {
            Build b = find(data, ack, BuildEvents.CANCEL);
            if (b != null) {
                b.end(BuildEvents.CANCELLED, null, null, "cancelled by a client", null);
                ack.sendAckData(Map.of("id", b.id, "status", b.status));
            }
        });
        ns.addEventListener(BuildEvents.STATUS, Map.class, (client, data, ack) -> {
            Build b = find(data, ack, BuildEvents.STATUS);
            if (b != null) {
                ack.sendAckData(b.statusObject());
            }
        });
        ns.addEventListener(BuildEvents.LIST, Map.class, (client, data, ack) -> {
            log.add("list");
            List<Build> all = new ArrayList<>(builds.values());
            all.sort((a, b) -> b.id.compareTo(a.id));
            List<Object> objects = new ArrayList<>();
            for (Build b : all) {
                objects.add(b.statusObject());
            }
            ack.sendAckData(Map.of("builds", objects));
        });
        ns.addDisconnectListener(client -> {
            for (Build b : builds.values()) {
                if (client.getSessionId().equals(b.owner) && !b.detached && !b.isFinal()) {
                    log.add("owner gone " + b.id);
                    b.end(BuildEvents.CANCELLED, null, null, "its client disconnected", null);
                }
            }
        });
        server.start();
    }

    private Build find(Map<?, ?> data, AckRequest ack, String what) {
        Object id = data.get("id");
        Build b = id == null ? null : builds.get(id.toString());
        log.add(what.contains(" ") ? what.replaceFirst(" ", " " + id + " ") : what + " " + id);
        if (b == null) {
            ack.sendAckData(Map.of("error", "id: no such build"));
        }
        return b;
    }

    private void build(SocketIOClient client, Map<?, ?> data, AckRequest ack) {
        String repo = String.valueOf(data.get("repo"));
        String branch = String.valueOf(data.get("branch"));
        Object command = data.get("command");
        log.add("build " + repo + " " + branch + (command == null ? "" : " " + command));
        String script = repo.replaceAll("/+$", "").replaceAll(".*/", "");
        if (script.equals("refused")) {
            ack.sendAckData(Map.of("error", "repo: scheme not allowed"));
            return;
        }
        String id = LocalDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("uuuuMMddHHmmss"))
                + "-" + String.format("%06x", counter.incrementAndGet());
        Build b = new Build(id, repo, branch, command == null ? "npm run build" : command.toString(),
                client.getSessionId());
        builds.put(id, b);
        ack.sendAckData(Map.of("id", id));
        if (cutAfterBuild) {
            // as the server sees a connection lost before the detach arrives: the owner is gone, the build ends
            log.add("cut after build " + id);
            log.add("owner gone " + id);
            b.end(BuildEvents.CANCELLED, null, null, "its client disconnected", null);
            cut(client);
        }
        runner.execute(() -> b.run(script));
    }

    /** A follow waiting for entries (long poll). */
    private final class Follower {
        final SocketIOClient client;
        final AckRequest ack;
        final long after;
        ScheduledFuture<?> expiry;

        Follower(SocketIOClient client, AckRequest ack, long after) {
            this.client = client;
            this.ack = ack;
            this.after = after;
        }
    }

    /** One scripted build. */
    final class Build {
        final String id;
        final String repo;
        final String branch;
        final String command;
        final UUID owner;
        final String createdAt = Instant.now().toString();
        volatile boolean detached;
        private final List<Map<String, Object>> entries = new ArrayList<>();
        private final List<Follower> waiting = new ArrayList<>();
        volatile String status = BuildEvents.QUEUED;
        volatile String stage;
        volatile String siteUrl;

        Build(String id, String repo, String branch, String command, UUID owner) {
            this.id = id;
            this.repo = repo;
            this.branch = branch;
            this.command = command;
            this.owner = owner;
        }

        boolean isFinal() {
            return BuildEvents.FINAL_STATUSES.contains(status);
        }

        void run(String script) {
            synchronized (this) {
                if (isFinal()) {
                    return; // cancelled before it started
                }
                status = BuildEvents.WORKING;
            }
            switch (script) {
                case "failure" -> {
                    stage("prepare", 0);
                    stage("download", 0);
                    start("install");
                    line("err", "npm ERR! missing script: ci");
                    end("install", 1);
                    end(BuildEvents.FAILURE, "install", 1, "npm ci exited with 1", null);
                }
                case "many" -> {
                    stage("prepare", 0);
                    stage("download", 0);
                    stage("install", 0);
                    start("build");
                    for (int i = 1; i <= MANY && !isFinal(); i++) {
                        line(i % 10 == 0 ? "err" : "out", "line " + i);
                        if (i % 50 == 0) {
                            sleep(5);
                        }
                    }
                    end("build", 0);
                    stage("publish", 0);
                    end(BuildEvents.SUCCESS, null, null, null, site());
                }
                case "slow" -> {
                    stage("prepare", 0);
                    stage("download", 0);
                    start("install");
                    for (int i = 1; i <= slowTicks && !isFinal(); i++) {
                        line("out", "tick " + i);
                        sleep(50);
                    }
                    end("install", 0);
                    end(BuildEvents.SUCCESS, null, null, null, site());
                }
                default -> {
                    stage("prepare", 0);
                    stage("download", 0);
                    start("install");
                    line("out", "added 0 packages in 0.1s");
                    line("err", "npm WARN no lock file");
                    end("install", 0);
                    start("build");
                    line("out", "> app@1.0.0 build");
                    line("out", "wrote dist/index.html");
                    line("err", "(node) a warning");
                    end("build", 0);
                    stage("publish", 0);
                    end(BuildEvents.SUCCESS, null, null, null, site());
                }
            }
        }

        private String site() {
            return "http://127.0.0.1:" + port + "/sites/app/1.0.0/";
        }

        private void sleep(long ms) {
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private void stage(String name, int exitCode) {
            start(name);
            end(name, exitCode);
        }

        private void start(String name) {
            stage = name;
            Map<String, Object> e = entry(BuildEvents.STAGE);
            e.put("stage", name);
            e.put("state", "start");
            append(e);
        }

        private void end(String name, int exitCode) {
            Map<String, Object> e = entry(BuildEvents.STAGE);
            e.put("stage", name);
            e.put("state", "end");
            e.put("exitCode", exitCode);
            e.put("durationMs", 12);
            append(e);
        }

        private void line(String stream, String text) {
            Map<String, Object> e = entry(BuildEvents.LOG);
            e.put("stream", stream);
            e.put("line", text);
            append(e);
        }

        /** The status entry, once; later ends are ignored. */
        synchronized void end(String word, String failedStage, Integer exitCode, String message, String site) {
            if (isFinal()) {
                return;
            }
            Map<String, Object> e = entry(BuildEvents.STATUS);
            e.put("status", word);
            if (failedStage != null) {
                e.put("stage", failedStage);
            }
            if (exitCode != null) {
                e.put("exitCode", exitCode);
            }
            if (message != null) {
                e.put("message", message);
            }
            if (site != null) {
                e.put("siteUrl", site);
            }
            status = word;
            siteUrl = site;
            appendLocked(e);
        }

        private Map<String, Object> entry(String type) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("type", type); // kept out of the payload; see send
            e.put("id", id);
            return e;
        }

        private synchronized void append(Map<String, Object> e) {
            if (isFinal()) {
                return;
            }
            appendLocked(e);
        }

        private void appendLocked(Map<String, Object> e) {
            e.put("seq", (long) entries.size() + 1);
            entries.add(e);
            List<Follower> now = new ArrayList<>(waiting);
            waiting.clear();
            for (Follower f : now) {
                f.expiry.cancel(false);
                serve(f);
            }
        }

        synchronized void follow(Follower f) {
            if (f.after < entries.size() || isFinal()) {
                serve(f);
                return;
            }
            waiting.add(f);
            f.expiry = timer.schedule(() -> {
                synchronized (this) {
                    if (waiting.remove(f)) {
                        serve(f);
                    }
                }
            }, LONG_POLL_MS, TimeUnit.MILLISECONDS);
        }

        /** Sends the page after {@code f.after} and acks it; cuts the connection when it has been sent enough. */
        private void serve(Follower f) {
            int from = (int) Math.min(f.after, entries.size());
            int to = Math.min(entries.size(), from + pageSize);
            AtomicInteger sent = sentOnSocket.computeIfAbsent(f.client.getSessionId(), k -> new AtomicInteger());
            int limit = dropAfter;
            for (int i = from; i < to; i++) {
                Map<String, Object> e = entries.get(i);
                Map<String, Object> payload = new LinkedHashMap<>(e);
                String type = (String) payload.remove("type");
                f.client.sendEvent(type, payload);
                if (limit > 0 && sent.incrementAndGet() >= limit) {
                    log.add("cut after seq " + e.get("seq"));
                    cut(f.client);
                    return;
                }
            }
            boolean finished = isFinal() && to == entries.size();
            Map<String, Object> ack = new LinkedHashMap<>();
            ack.put("id", id);
            ack.put("lastSeq", (long) to);
            ack.put("finished", finished);
            f.ack.sendAckData(ack);
        }

        Map<String, Object> statusObject() {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("id", id);
            s.put("status", status);
            if (stage != null) {
                s.put("stage", stage);
            }
            s.put("repo", repo);
            s.put("branch", branch);
            s.put("command", command);
            s.put("name", "app");
            s.put("version", "1.0.0");
            s.put("createdAt", createdAt);
            if (siteUrl != null) {
                s.put("siteUrl", siteUrl);
            }
            return s;
        }
    }

    /** Closes {@code client}'s TCP channel, as a network failure would: no socket.io DISCONNECT is sent. */
    static void cut(SocketIOClient client) {
        try {
            ClientHead head = ((NamespaceClient) client).getBaseClient();
            Field channels = ClientHead.class.getDeclaredField("channels");
            channels.setAccessible(true);
            @SuppressWarnings("unchecked")
            Map<Transport, TransportState> states = (Map<Transport, TransportState>) channels.get(head);
            for (TransportState state : states.values()) {
                Channel channel = state.getChannel();
                if (channel != null) {
                    channel.close();
                }
            }
        } catch (ReflectiveOperationException | ClassCastException e) {
            client.disconnect();
        }
    }

    /** The build with {@code id}. */
    Build build(String id) {
        return builds.get(id);
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    /** Everything logged so far, taken out of the log. */
    List<String> drainLog() {
        List<String> all = new ArrayList<>();
        log.drainTo(all);
        return all;
    }

    @Override
    public void close() {
        runner.shutdownNow();
        timer.shutdownNow();
        server.stop();
    }
}
