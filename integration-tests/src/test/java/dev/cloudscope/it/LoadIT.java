package dev.cloudscope.it;

import static dev.cloudscope.it.Golden.DISCONNECT;
import static dev.cloudscope.it.Golden.PACKET_RESPONSE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Load, with nothing lost (issue 4): many concurrent clients (node-client/load.js, socket.io-client 4.8.1 over
 * WebSocket) loop the lesson's chat on "/" against the real server jar for a bounded time. Every packet must get its
 * two replies in order before its ack, no client may see an error, the server must print each packet's lines once
 * and one disconnect! per client, and its live-connection count (GET /debug/connections) must return to zero once
 * every client has left. Loopback only; heavier runs belong to the benchmark (bench/run.sh).
 *
 * <p>{@code -Dit.load.clients=N -Dit.load.seconds=D} (default 500 and 20) shrink it for a quick local run;
 * {@code -Dit.load.gen=v2} runs socket.io-client 2.5.0 instead.
 */
class LoadIT {

    static final int CLIENTS = Integer.getInteger("it.load.clients", 500);
    static final int SECONDS = Integer.getInteger("it.load.seconds", 20);
    static final String GENERATION = System.getProperty("it.load.gen", "v4");

    /** {@code ["chat","m-<client>-<seq>"]}: the filter's packet line for one of load.js's packets. */
    static final Pattern PACKET_LINE = Pattern.compile("^\\[\"chat\",\"(m-\\d+-\\d+)\"]$");
    /** {@code chat : m-<client>-<seq> : PID}: the controller's line for it. */
    static final Pattern CHAT_LINE = Pattern.compile("^chat : (m-\\d+-\\d+) : (\\d+)$");

    @TempDir
    Path dir;

    @Test
    void everyPacketGetsAllItsRepliesInOrderAndEveryConnectionIsReleased() {
        Trace trace = new Trace(dir);
        try (ServerProcess server = ServerProcess.start(dir, trace, FreePort.next(), List.of("-Dio.debugEndpoint=true"))) {
            assertThat(server.debugConnections()).as("live connections before the load").isZero();
            int from = trace.lines().size();

            NodeLoad.Result result;
            long started = System.nanoTime();
            try (NodeLoad load = NodeLoad.start(dir, server.url("/"), CLIENTS, SECONDS, GENERATION)) {
                result = load.awaitResult();
            }
            long loadMillis = (System.nanoTime() - started) / 1_000_000;

            long drainStarted = System.nanoTime();
            await("live connections back to zero after every client left").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> server.debugConnections() == 0);
            long drainMillis = (System.nanoTime() - drainStarted) / 1_000_000;
            int finalConnections = server.debugConnections();

            List<String> lines = trace.linesFrom(from);
            ServerLines counted = ServerLines.of(lines);

            System.out.printf("LoadIT: %d clients (%s) for %d s: %d packets sent, %d acked, lost %d, reordered %d,"
                            + " unexpected %d, errors %d; %.0f packets/s; ack latency ms p50 %s p99 %s max %s;"
                            + " load.js ran %d ms (last connect at %d ms); live connections 0 after %d ms, final %d;"
                            + " server printed %d packet lines, %d packet response!, %d disconnect!%n",
                    CLIENTS, GENERATION, SECONDS, result.get("sent"), result.get("acked"), result.get("lost"),
                    result.get("reordered"), result.get("unexpected"), result.get("errors"),
                    result.get("acked") * 1000.0 / result.get("durationMs"),
                    result.numbers().get("p50"), result.numbers().get("p99"), result.numbers().get("max"),
                    loadMillis, result.get("connectMsMax"), drainMillis, finalConnections,
                    counted.packetMessages.size(), counted.packetResponses, counted.disconnects);
            System.out.println("LoadIT: load.js totals " + result.json());

            // the clients' view: every packet answered, in order, nothing else
            assertThat(result.get("errors")).as("errors (%s)", result.json()).isZero();
            assertThat(result.get("connected")).as("clients connected").isEqualTo(CLIENTS);
            assertThat(result.get("authed")).as("clients that got their auth reply").isEqualTo(CLIENTS);
            assertThat(result.get("lost")).as("lost (%s)", result.json()).isZero();
            assertThat(result.get("reordered")).as("reordered (%s)", result.json()).isZero();
            assertThat(result.get("unexpected")).as("unexpected replies (%s)", result.json()).isZero();
            assertThat(result.get("sent")).as("packets sent").isPositive();
            assertThat(result.get("acked")).as("packets acked").isEqualTo(result.get("sent"));

            // the server's view: each packet's lines once, one disconnect! per client, no connection left
            assertThat(finalConnections).as("live connections after every client left").isZero();
            assertThat(counted.other.stream().limit(20).toList())
                    .as("server lines that are none of the lesson's (%d in all)", counted.other.size()).isEmpty();
            assertThat(counted.duplicatePackets).as("packets the server printed twice").isEmpty();
            assertThat((long) counted.packetMessages.size()).as("packet lines, one per packet sent")
                    .isEqualTo(result.get("sent"));
            assertThat(counted.chatMessages).as("controller lines: one per packet line, same messages")
                    .hasSameSizeAs(counted.chatMessageList).isEqualTo(counted.packetMessages);
            assertThat(counted.chatPids).as("the pid in the controller's lines").containsOnly(server.pid());
            assertThat((long) counted.packetResponses).as("packet response! lines, one per packet")
                    .isEqualTo(result.get("sent"));
            assertThat(counted.disconnects).as("disconnect! lines, one per client").isEqualTo(CLIENTS);

            int before = trace.lines().size();
            assertThat(server.terminate()).as("server exit code after SIGTERM").isZero();
            assertThat(trace.linesFrom(before)).as("server lines after every client left").isEmpty();
            assertThat(server.stderr()).as("server stderr").isEmpty();
        }
    }

    /** The server's stdout lines for load.js's clients, counted by kind. */
    static final class ServerLines {
        final Set<String> packetMessages = new HashSet<>();
        final List<String> duplicatePackets = new ArrayList<>();
        final Set<String> chatMessages = new HashSet<>();
        final List<String> chatMessageList = new ArrayList<>();
        final Set<Long> chatPids = new HashSet<>();
        final List<String> other = new ArrayList<>();
        int packetResponses;
        int disconnects;

        static ServerLines of(List<String> lines) {
            ServerLines counted = new ServerLines();
            for (String line : lines) {
                Matcher packet = PACKET_LINE.matcher(line);
                Matcher chat = CHAT_LINE.matcher(line);
                if (packet.matches()) {
                    if (!counted.packetMessages.add(packet.group(1))) {
                        counted.duplicatePackets.add(line);
                    }
                } else if (chat.matches()) {
                    counted.chatMessages.add(chat.group(1));
                    counted.chatMessageList.add(chat.group(1));
                    counted.chatPids.add(Long.parseLong(chat.group(2)));
                } else if (line.equals(PACKET_RESPONSE)) {
                    counted.packetResponses++;
                } else if (line.equals(DISCONNECT)) {
                    counted.disconnects++;
                } else {
                    counted.other.add(line);
                }
            }
            return counted;
        }
    }
}
