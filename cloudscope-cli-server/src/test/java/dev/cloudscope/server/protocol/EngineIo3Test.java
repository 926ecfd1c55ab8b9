package dev.cloudscope.server.protocol;

import static dev.cloudscope.server.protocol.ReferenceApp.PING_INTERVAL;
import static dev.cloudscope.server.protocol.ReferenceApp.PING_TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cloudscope.server.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What socket.io 2.x clients (Engine.IO 3, socket.io protocol v4) rely on today, on the wire, against the real server
 * running {@link ReferenceApp}: the handshake over polling and over WebSocket, the CONNECT of "/" that the protocol
 * gives them, a custom namespace, an event and an ack. Engine.IO 3 (engine.io-protocol, tag v3): the client pings
 * ({@code 2}) and the server answers ({@code 3}); a polling response is a binary payload
 * ({@code <0 = string><length as digit bytes><0xFF><packet>}...), a polling request a text payload
 * ({@code <length>:<packet>}...). These pass today; they are here so that a fix for Engine.IO 4 cannot break them.
 *
 * <p>As a 2.x client does, each session pings every {@code pingInterval}, so the server's ping timeout
 * (pingInterval + pingTimeout from the last packet) does not end it mid-test.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EngineIo3Test {

    private TestServer server;
    private final List<AutoCloseable> clients = new ArrayList<>();
    private final ScheduledExecutorService pinger = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "eio3-pinger");
        thread.setDaemon(true);
        return thread;
    });

    @BeforeAll
    void startServer() {
        server = ReferenceApp.start();
    }

    @AfterAll
    void stopServer() {
        pinger.shutdownNow();
        TestServer.closeAll(server);
    }

    @AfterEach
    void closeClients() throws Exception {
        for (AutoCloseable client : clients) {
            client.close();
        }
        clients.clear();
    }

    // --- WebSocket

    /** An Engine.IO 3 WebSocket that pings as a 2.x client does, every pingInterval. */
    private RawWebSocket webSocket() {
        RawWebSocket socket = RawWebSocket.connect(server.port(), "EIO=3&transport=websocket", false);
        clients.add(socket);
        java.util.concurrent.ScheduledFuture<?> pings = pinger.scheduleAtFixedRate(
                () -> socket.send("2"), PING_INTERVAL / 2, PING_INTERVAL / 2, TimeUnit.MILLISECONDS);
        clients.add(0, () -> pings.cancel(false));
        return socket;
    }

    /** The next frame that is not the server's pong. */
    private static String nextPacket(RawWebSocket socket) {
        return socket.nextTextSkipping("3"::equals);
    }

    private static void assertEio3Handshake(String open) {
        assertThat(open).startsWith("0{");
        JsonNode value = Polling.json(open.substring(1));
        assertThat(value.path("sid").isTextual()).as("sid in %s", open).isTrue();
        assertThat(value.path("pingInterval").asInt(-1)).as("pingInterval in %s", open).isEqualTo(PING_INTERVAL);
        assertThat(value.path("pingTimeout").asInt(-1)).as("pingTimeout in %s", open).isEqualTo(PING_TIMEOUT);
        assertThat(value.path("upgrades").isArray()).as("upgrades in %s", open).isTrue();
    }

    /** A 2.x client over WebSocket: the open packet, then "/" connected by the protocol (CONNECT, then auth). */
    private RawWebSocket connectedOverWebSocket() {
        RawWebSocket socket = webSocket();
        assertEio3Handshake(socket.nextText());
        assertThat(nextPacket(socket)).as("the CONNECT of / a 2.x client gets").isEqualTo("40");
        assertThat(nextPacket(socket)).isEqualTo("42[\"auth\",{}]");
        return socket;
    }

    // engine.io-protocol v3 "Sample session with WebSocket only"; socket.io-protocol v4: a 2.x client is connected
    // to "/" without asking, and gets its CONNECT "40"
    @Test
    void anEngineIo3WebSocketHandshakeIsFollowedByTheConnectOfTheMainNamespace() {
        connectedOverWebSocket();
    }

    // engine.io-protocol v3 "2 ping" / "3 pong": the client pings, the server answers with a pong
    @Test
    void anEngineIo3PingFromTheClientIsAnsweredWithAPong() {
        RawWebSocket socket = RawWebSocket.connect(server.port(), "EIO=3&transport=websocket", false);
        clients.add(socket);
        assertEio3Handshake(socket.nextText());
        assertThat(socket.nextText()).isEqualTo("40");
        assertThat(socket.nextText()).isEqualTo("42[\"auth\",{}]");

        socket.send("2");

        assertThat(socket.nextText()).isEqualTo("3");
    }

    // socket.io-protocol v4 EVENT over Engine.IO 3
    @Test
    void anEngineIo3EventIsServed() {
        RawWebSocket socket = connectedOverWebSocket();

        socket.send("42[\"message\",1,\"2\",{\"3\":[true]}]");

        assertThat(nextPacket(socket)).isEqualTo("42[\"message-back\",1,\"2\",{\"3\":[true]}]");
    }

    // socket.io-protocol v4 EVENT with an ack id, answered by ACK with the same id
    @Test
    void anEngineIo3EventWithAnAckIdIsAcknowledged() {
        RawWebSocket socket = connectedOverWebSocket();

        socket.send("4212[\"message-with-ack\",\"x\",2]");

        assertThat(nextPacket(socket)).isEqualTo("4312[\"x\",2]");
    }

    // socket.io-protocol v4: a 2.x client asks for another namespace with CONNECT "40/custom"
    @Test
    void anEngineIo3ClientConnectsToACustomNamespace() {
        RawWebSocket socket = connectedOverWebSocket();

        socket.send("40/custom");

        assertThat(nextPacket(socket)).matches("40/custom,?");
        assertThat(nextPacket(socket)).isEqualTo("42/custom,[\"auth\",{}]");
    }

    // --- polling

    /**
     * An Engine.IO 3 binary payload (engine.io-parser 2.x's {@code decodePayloadAsBinary}): each packet
     * {@code <0><length digits as bytes><0xFF><packet>}, back to back. With {@code strict} off, a {@code 0x1e} between
     * two packets is skipped: netty-socketio writes one there today, which {@link
     * #severalPacketsInOneEngineIo3PollingResponseAreBackToBackAsEngineIoParser2ReadsThem} is about; the other tests
     * here are not.
     */
    static List<String> decodeBinaryPayload(byte[] payload, boolean strict) {
        List<String> packets = new ArrayList<>();
        int i = 0;
        while (i < payload.length) {
            if (!strict && !packets.isEmpty() && payload[i] == 0x1e) {
                i++;
            }
            assertThat(payload[i]).as("packet %d's kind (0: a string) at byte %d of %s", packets.size(), i,
                    java.util.HexFormat.ofDelimiter(" ").formatHex(payload)).isEqualTo((byte) 0);
            i++;
            int length = 0;
            while (payload[i] != (byte) 0xFF) {
                assertThat(payload[i]).as("a length digit").isBetween((byte) 0, (byte) 9);
                length = length * 10 + payload[i];
                i++;
            }
            i++;
            packets.add(new String(payload, i, length, StandardCharsets.UTF_8));
            i += length;
        }
        return packets;
    }

    /** An Engine.IO 3 text payload, as a 2.x client POSTs it: {@code <length>:<packet>} for each. */
    static String encodeTextPayload(String... packets) {
        StringBuilder payload = new StringBuilder();
        for (String packet : packets) {
            payload.append(packet.length()).append(':').append(packet);
        }
        return payload.toString();
    }

    private String pollingUrl(String sid) {
        return Polling.base(server.port()) + "?EIO=3&transport=polling&sid=" + sid;
    }

    /** Polls until {@code count} packets other than pongs have come, within 10 polls; pings between polls. */
    private List<String> collect(String sid, int count) {
        List<String> packets = new ArrayList<>();
        for (int polls = 0; packets.size() < count && polls < 10; polls++) {
            assertThat(Http.post(pollingUrl(sid), encodeTextPayload("2")).status()).as("ping").isEqualTo(200);
            Http.Reply reply = Http.get(pollingUrl(sid), Duration.ofSeconds(5));
            assertThat(reply.status()).as("poll %d: %s (so far %s)", polls, reply, packets).isEqualTo(200);
            for (String packet : decodeBinaryPayload(reply.body(), false)) {
                if (!packet.equals("3")) {
                    packets.add(packet);
                }
            }
        }
        return packets;
    }

    // engine.io-protocol v3 "Sample session" (polling handshake, binary payload); socket.io-protocol v4: "/" connected
    // by the protocol ("40"), then the app's auth event
    @Test
    void anEngineIo3PollingHandshakeIsFollowedByTheConnectOfTheMainNamespace() {
        Http.Reply handshake = Http.get(Polling.base(server.port()) + "?EIO=3&transport=polling");

        assertThat(handshake.status()).as("%s", handshake).isEqualTo(200);
        List<String> open = decodeBinaryPayload(handshake.body(), true);
        assertThat(open).hasSize(1);
        assertEio3Handshake(open.get(0));
        JsonNode value = Polling.json(open.get(0).substring(1));
        assertThat(value.path("upgrades").get(0).asText()).as("upgrades over polling").isEqualTo("websocket");
        String sid = value.path("sid").asText();
        clients.add(() -> Http.sendAsync("POST", pollingUrl(sid), encodeTextPayload("1"), Duration.ofSeconds(2)));

        assertThat(collect(sid, 2)).containsExactly("40", "42[\"auth\",{}]");
    }

    // engine.io-protocol v3 "Payload" (a POST of length-prefixed packets); socket.io-protocol v4 EVENT and ACK
    @Test
    void anEngineIo3EventAndAnAckOverPollingAreServed() {
        Http.Reply handshake = Http.get(Polling.base(server.port()) + "?EIO=3&transport=polling");
        String sid = Polling.json(decodeBinaryPayload(handshake.body(), true).get(0).substring(1)).path("sid").asText();
        clients.add(() -> Http.sendAsync("POST", pollingUrl(sid), encodeTextPayload("1"), Duration.ofSeconds(2)));
        assertThat(collect(sid, 2)).containsExactly("40", "42[\"auth\",{}]");

        Http.Reply post = Http.post(pollingUrl(sid),
                encodeTextPayload("42[\"message\",\"hi\"]", "427[\"message-with-ack\",\"x\"]"));

        assertThat(post.status()).isEqualTo(200);
        assertThat(post.text()).isEqualTo("ok");
        assertThat(collect(sid, 2)).containsExactly("42[\"message-back\",\"hi\"]", "437[\"x\"]");
    }


    // engine.io-protocol v3 "Payload" (XHR2 binary payload: packets back to back, no separator; what
    // engine.io-parser 2.x, inside every socket.io-client 2.x, decodes): a poll answering two queued pongs
    @Test
    void severalPacketsInOneEngineIo3PollingResponseAreBackToBackAsEngineIoParser2ReadsThem() {
        Http.Reply handshake = Http.get(Polling.base(server.port()) + "?EIO=3&transport=polling");
        String sid = Polling.json(decodeBinaryPayload(handshake.body(), true).get(0).substring(1)).path("sid").asText();
        clients.add(() -> Http.sendAsync("POST", pollingUrl(sid), encodeTextPayload("1"), Duration.ofSeconds(2)));
        assertThat(collect(sid, 2)).containsExactly("40", "42[\"auth\",{}]");

        assertThat(Http.post(pollingUrl(sid), encodeTextPayload("2", "2")).status()).isEqualTo(200);
        Http.Reply poll = Http.get(pollingUrl(sid), Duration.ofSeconds(5));

        assertThat(poll.status()).as("%s", poll).isEqualTo(200);
        assertThat(decodeBinaryPayload(poll.body(), true)).containsExactly("3", "3");
    }
}
