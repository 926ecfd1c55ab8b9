package dev.cloudscope.cloudbuild;

import com.corundumstudio.socketio.AckMode;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The cloud build contract's wire side on bare netty-socketio, for the library's tests: a build of repo
 * {@code lines:N} has, at once, a stage start, N out lines, a stage end and a SUCCESS status ({@code N + 3} entries);
 * {@code refused} is refused. Follows are answered at once (no long poll: the log is complete), in pages of
 * {@link #pageSize}. {@link #dropAfter} cuts a connection (TCP) once it has been sent that many entries;
 * {@link #resend} makes each follow start that many entries before its {@code after} (a server that sends some
 * twice); {@link #mute} answers nothing. {@code /build} refuses a client presenting another token than
 * {@value #TOKEN}. Every request is logged ({@code follow ID AFTER}...).
 */
final class FakeBuildServer implements AutoCloseable {
    static final String TOKEN = "secret";

    private final SocketIOServer server;
    private final Map<String, List<Map<String, Object>>> builds = new ConcurrentHashMap<>();
    private final Map<UUID, AtomicInteger> sent = new ConcurrentHashMap<>();
    private final AtomicInteger counter = new AtomicInteger();
    final BlockingQueue<String> log = new LinkedBlockingQueue<>();
    final int port;
    volatile int pageSize = 1000;
    volatile int dropAfter;
    volatile int resend;
    volatile boolean mute;

    FakeBuildServer() {
        this(TestServer.freePort());
    }

    FakeBuildServer(int port) {
        this.port = port;
        Configuration config = new Configuration();
        config.setHostname("127.0.0.1");
        config.setPort(port);
        config.setBossThreads(1);
        config.setWorkerThreads(2);
        config.setAckMode(AckMode.MANUAL);
        server = new SocketIOServer(config);
        SocketIONamespace ns = server.addNamespace(Namespaces.BUILD);
        ns.addAuthTokenListener((auth, client) -> auth instanceof Map<?, ?> map && TOKEN.equals(map.get("token"))
                ? AuthTokenResult.AuthTokenResultSuccess
                : new AuthTokenResult(false, Map.of("message", "unauthorized")));
        ns.addEventListener(BuildEvents.BUILD, Map.class, (client, data, ack) -> {
            log.add("build " + data.get("repo") + " " + data.get("branch") + " " + data.get("command"));
            if (mute) {
                return;
            }
            String repo = String.valueOf(data.get("repo"));
            if (!repo.startsWith("lines:")) {
                ack.sendAckData(Map.of("error", "repo: scheme not allowed"));
                return;
            }
            int n = counter.incrementAndGet();
            String id = String.format("20261130%06d-%06x", n, n);
            builds.put(id, entries(id, Integer.parseInt(repo.substring("lines:".length()))));
            ack.sendAckData(Map.of("id", id));
        });
        for (String event : List.of(BuildEvents.DETACH, BuildEvents.STATUS, BuildEvents.CANCEL)) {
            ns.addEventListener(event, Map.class, (client, data, ack) -> {
                Object id = data.get("id");
                log.add(event + " " + id);
                if (mute) {
                    return;
                }
                if (!builds.containsKey(String.valueOf(id))) {
                    ack.sendAckData(Map.of("error", "id: no such build"));
                    return;
                }
                Map<String, Object> answer = new LinkedHashMap<>();
                answer.put("id", id);
                if (!event.equals(BuildEvents.DETACH)) {
                    answer.put("status", event.equals(BuildEvents.CANCEL) ? "CANCELLED" : "SUCCESS");
                    answer.put("repo", "lines:1");
                }
                ack.sendAckData(answer);
            });
        }
        ns.addEventListener(BuildEvents.LIST, Map.class, (client, data, ack) -> {
            log.add("list");
            List<Object> all = new ArrayList<>();
            for (String id : builds.keySet()) {
                all.add(Map.of("id", id, "status", "SUCCESS"));
            }
            ack.sendAckData(Map.of("builds", all));
        });
        ns.addEventListener(BuildEvents.FOLLOW, Map.class, (client, data, ack) -> {
            String id = String.valueOf(data.get("id"));
            long after = ((Number) data.get("after")).longValue();
            log.add("follow " + id + " " + after);
            if (mute) {
                return;
            }
            List<Map<String, Object>> entries = builds.get(id);
            if (entries == null) {
                ack.sendAckData(Map.of("error", "id: no such build"));
                return;
            }
            int from = (int) Math.max(0, Math.min(after - resend, entries.size()));
            int to = Math.min(entries.size(), (int) after + pageSize);
            AtomicInteger count = sent.computeIfAbsent(client.getSessionId(), k -> new AtomicInteger());
            for (int i = from; i < to; i++) {
                Map<String, Object> payload = new LinkedHashMap<>(entries.get(i));
                client.sendEvent((String) payload.remove("type"), payload);
                if (dropAfter > 0 && count.incrementAndGet() >= dropAfter) {
                    log.add("cut after seq " + (i + 1));
                    cut(client);
                    return;
                }
            }
            ack.sendAckData(Map.of("id", id, "lastSeq", to, "finished", to == entries.size()));
        });
        server.start();
    }

    private static List<Map<String, Object>> entries(String id, int lines) {
        List<Map<String, Object>> all = new ArrayList<>();
        all.add(entry(id, all.size() + 1, BuildEvents.STAGE, "stage", "build", "state", "start"));
        for (int i = 1; i <= lines; i++) {
            all.add(entry(id, all.size() + 1, BuildEvents.LOG, "stream", "out", "line", "line " + i));
        }
        all.add(entry(id, all.size() + 1, BuildEvents.STAGE, "stage", "build", "state", "end", "exitCode", 0));
        all.add(entry(id, all.size() + 1, BuildEvents.STATUS, "status", "SUCCESS", "siteUrl", "http://s/"));
        return all;
    }

    private static Map<String, Object> entry(String id, int seq, String type, Object... kv) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("type", type);
        e.put("id", id);
        e.put("seq", seq);
        for (int i = 0; i < kv.length; i += 2) {
            e.put((String) kv[i], kv[i + 1]);
        }
        return e;
    }

    /** Closes {@code client}'s TCP channel, as a network failure would. */
    private static void cut(SocketIOClient client) {
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

    String url() {
        return "http://127.0.0.1:" + port;
    }

    List<String> drainLog() {
        List<String> all = new ArrayList<>();
        log.drainTo(all);
        return all;
    }

    @Override
    public void close() {
        server.stop();
    }
}
