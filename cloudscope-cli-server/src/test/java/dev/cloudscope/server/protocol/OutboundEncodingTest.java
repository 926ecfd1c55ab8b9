package dev.cloudscope.server.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.AbstractModule;
import dev.cloudscope.server.io.Controller;
import dev.cloudscope.server.io.IoBindings;
import dev.cloudscope.server.io.Routes;
import dev.cloudscope.server.protocol.RawWebSocket.Frame;
import dev.cloudscope.server.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What the server writes, per Engine.IO generation, for what an app emits: binary data (socket.io's BINARY_EVENT and
 * BINARY_ACK, with their attachments after the packet), several packets in one polling response, and nothing but
 * packets over a WebSocket after an upgrade. The app here emits fixed data, so that the server's side is checked
 * whatever it does with the client's binary data on the way in.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OutboundEncodingTest {

    private static final String CONFIG = """
            io {
              maxPayloadBytes = 20000
              namespace = null
              namespace {
                "/"       { connectionMiddleware = [], packetMiddleware = [] }
                "/custom" { connectionMiddleware = [], packetMiddleware = [] }
              }
            }
            """;

    private static final byte[] ONE_TWO_THREE = {1, 2, 3};
    private static final byte[] FOUR_FIVE_SIX = {4, 5, 6};
    private static final String TWO_PLACEHOLDERS =
            "{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}";
    private static final int MANY = 120;

    private static final Controller TWO_BYTES = ctx -> {
        ctx.socket().emit("two-bytes", ONE_TWO_THREE, FOUR_FIVE_SIX);
        return CompletableFuture.completedFuture(null);
    };

    /** An app sending socket.io.emit("nested", {a: <01>}, ["x", <02>]). */
    private static final Controller NESTED = ctx -> {
        ctx.socket().emit("nested", Map.of("a", new byte[] {1}), List.of("x", new byte[] {2}));
        return CompletableFuture.completedFuture(null);
    };

    private static final Controller ACK_BYTES = ctx -> {
        ctx.ack(ONE_TWO_THREE, FOUR_FIVE_SIX);
        return CompletableFuture.completedFuture(null);
    };

    /** Over io.maxPayloadBytes: netty-socketio sends it in 8 KB fragments, a client reads one message. */
    private static final String BIG = "é".repeat(25_000);

    private static final Controller BIG_EVENT = ctx -> {
        ctx.socket().emit("big", BIG);
        return CompletableFuture.completedFuture(null);
    };

    private static final Controller MANY_EVENTS = ctx -> {
        for (int i = 0; i < MANY; i++) {
            ctx.socket().emit("n", i);
        }
        return CompletableFuture.completedFuture(null);
    };

    private static final class App extends AbstractModule {
        @Override
        protected void configure() {
            IoBindings.connectionMiddleware(binder());
            IoBindings.packetMiddleware(binder());
            Routes routes = io -> {
                io.route("two-bytes", TWO_BYTES).route("nested", NESTED).route("ack-bytes", ACK_BYTES)
                        .route("many", MANY_EVENTS).route("big", BIG_EVENT);
                io.of("/custom").route("two-bytes", TWO_BYTES);
            };
            bind(Routes.class).toInstance(routes);
        }
    }

    private TestServer server;
    private final List<AutoCloseable> clients = new ArrayList<>();

    @BeforeAll
    void startServer() {
        server = TestServer.start(CONFIG, new App());
    }

    @AfterAll
    void stopServer() {
        TestServer.closeAll(server);
    }

    @AfterEach
    void closeClients() throws Exception {
        for (AutoCloseable client : clients) {
            client.close();
        }
        clients.clear();
    }

    private RawWebSocket webSocket(String query) {
        RawWebSocket socket = RawWebSocket.connect(server.port(), query, true);
        clients.add(socket);
        return socket;
    }

    /** An Engine.IO 4 WebSocket connected to "/". */
    private RawWebSocket v4OnRoot() {
        RawWebSocket socket = webSocket("EIO=4&transport=websocket");
        assertThat(socket.nextText()).startsWith("0{");
        socket.send("40");
        assertThat(socket.nextPacketText()).startsWith("40{\"sid\":");
        return socket;
    }

    private Polling v4PollingOnRoot() {
        Polling session = Polling.open(server.port());
        clients.add(session::close);
        assertThat(session.post("40").status()).isEqualTo(200);
        assertThat(session.collect(1)).singleElement().asString().startsWith("40{\"sid\":");
        return session;
    }

    // --- Engine.IO 4 over WebSocket: the packet, then each attachment as a binary frame of its bytes alone

    @Test
    void aBinaryEventIsATextFrameThenOneBinaryFramePerAttachmentAsItIs() {
        RawWebSocket socket = v4OnRoot();

        socket.send("42[\"two-bytes\"]");

        assertThat(socket.nextPackets(3)).containsExactly(
                Frame.text("452-[\"two-bytes\"," + TWO_PLACEHOLDERS + "]"),
                Frame.binary(1, 2, 3),
                Frame.binary(4, 5, 6));
    }

    @Test
    void anAckWithBinaryDataIsABinaryAckWithTheAckId() {
        RawWebSocket socket = v4OnRoot();

        socket.send("42789[\"ack-bytes\"]");

        assertThat(socket.nextPackets(3)).containsExactly(
                Frame.text("462-789[" + TWO_PLACEHOLDERS + "]"),
                Frame.binary(1, 2, 3),
                Frame.binary(4, 5, 6));
    }

    @Test
    void binaryDataInAMapOrAListIsAnAttachmentToo() {
        RawWebSocket socket = v4OnRoot();

        socket.send("42[\"nested\"]");

        assertThat(socket.nextPackets(3)).containsExactly(
                Frame.text("452-[\"nested\",{\"a\":{\"_placeholder\":true,\"num\":0}},"
                        + "[\"x\",{\"_placeholder\":true,\"num\":1}]]"),
                Frame.binary(1),
                Frame.binary(2));
    }

    @Test
    void aBinaryEventOnACustomNamespaceNamesItBeforeThePlaceholders() {
        RawWebSocket socket = v4OnRoot();
        socket.send("40/custom,");
        assertThat(socket.nextPacketText()).startsWith("40/custom,{\"sid\":");

        socket.send("42/custom,[\"two-bytes\"]");

        assertThat(socket.nextPackets(3)).containsExactly(
                Frame.text("452-/custom,[\"two-bytes\"," + TWO_PLACEHOLDERS + "]"),
                Frame.binary(1, 2, 3),
                Frame.binary(4, 5, 6));
    }

    @Test
    void aPacketOverTheFrameSizeLimitArrivesAsOneMessage() {
        RawWebSocket socket = v4OnRoot();

        socket.send("42[\"big\"]", "42[\"two-bytes\"]");

        assertThat(socket.nextPackets(2)).containsExactly(
                Frame.text("42[\"big\",\"" + BIG + "\"]"),
                Frame.text("452-[\"two-bytes\"," + TWO_PLACEHOLDERS + "]"));
    }

    @Test
    void afterAnUpgradeTheWebSocketCarriesNoNoop() {
        Polling session = Polling.open(server.port());
        clients.add(session::close);
        RawWebSocket socket = webSocket("EIO=4&transport=websocket&sid=" + session.sid);
        assertThat(socket.awaitOpen()).as("upgrade: %s", socket).isTrue();
        socket.send("2probe");
        assertThat(socket.next()).isEqualTo(Frame.text("3probe"));

        socket.send("5", "40");

        assertThat(socket.next().text()).as("the first frame after the upgrade, not a noop").startsWith("40{\"sid\":");
        socket.send("42[\"two-bytes\"]");
        assertThat(socket.nextPackets(3)).hasSize(3);
        assertThat(socket.received).as("every frame").noneMatch(Frame::isNoop);
    }

    // --- Engine.IO 4 over polling: packets joined with 0x1e, each attachment a packet of its own, b + base64

    @Test
    void overPollingABinaryEventIsFollowedByItsAttachmentsInBase64WithB() {
        Polling session = v4PollingOnRoot();

        assertThat(session.post("42[\"two-bytes\"]").status()).isEqualTo(200);

        assertThat(session.collect(3)).containsExactly(
                "452-[\"two-bytes\"," + TWO_PLACEHOLDERS + "]", "bAQID", "bBAUG");
    }

    @Test
    void overPollingAnAckWithBinaryDataIsABinaryAck() {
        Polling session = v4PollingOnRoot();

        assertThat(session.post("4212[\"ack-bytes\"]").status()).isEqualTo(200);

        assertThat(session.collect(3)).containsExactly("462-12[" + TWO_PLACEHOLDERS + "]", "bAQID", "bBAUG");
    }

    @Test
    void overPollingEveryPacketArrivesWhenMoreAreQueuedThanOneResponseTakes() {
        Polling session = v4PollingOnRoot();

        assertThat(session.post("42[\"many\"]").status()).isEqualTo(200);

        assertThat(session.collect(MANY)).containsExactlyElementsOf(
                IntStream.range(0, MANY).mapToObj(i -> "42[\"n\"," + i + "]").toList());
    }

    // engine.io's server ignores b64 for Engine.IO 4 (one payload format); Engine.IO 3's "<length>:<packet>" is not it
    @Test
    void anEngineIo4ClientAskingForBase64GetsTheTextPayload() {
        Http.Reply handshake = Http.get(Polling.base(server.port()) + "?EIO=4&transport=polling&b64=1");

        assertThat(handshake.status()).as("%s", handshake).isEqualTo(200);
        assertThat(handshake.text()).startsWith("0{\"sid\":");
        String sid = Polling.json(handshake.text().substring(1)).path("sid").asText();
        clients.add(() -> Http.sendAsync("POST", Polling.base(server.port()) + "?EIO=4&transport=polling&sid=" + sid,
                "1", Duration.ofSeconds(2)));
    }

    // --- Engine.IO 3 (socket.io-client 2.x): as netty-socketio frames it, an attachment is a binary MESSAGE packet

    @Test
    void anEngineIo3BinaryEventOverWebSocketHasItsAttachmentsAsBinaryMessagePackets() {
        RawWebSocket socket = webSocket("EIO=3&transport=websocket");
        assertThat(socket.nextText()).startsWith("0{");
        assertThat(socket.nextPacketText()).isEqualTo("40");

        socket.send("42[\"two-bytes\"]");

        assertThat(socket.nextPackets(3)).containsExactly(
                Frame.text("452-[\"two-bytes\"," + TWO_PLACEHOLDERS + "]"),
                Frame.binary(4, 1, 2, 3),
                Frame.binary(4, 4, 5, 6));
    }

    @Test
    void anEngineIo3BinaryEventOverPollingIsABinaryPayloadWithBinaryMessagePackets() {
        String base = Polling.base(server.port());
        Http.Reply handshake = Http.get(base + "?EIO=3&transport=polling");
        String open = (String) decodeEngineIo3Payload(handshake.body()).get(0);
        String url = base + "?EIO=3&transport=polling&sid=" + Polling.json(open.substring(1)).path("sid").asText();
        clients.add(() -> Http.sendAsync("POST", url, "1:1", Duration.ofSeconds(2)));
        assertThat(decodeEngineIo3Payload(Http.get(url).body())).containsExactly("40");

        assertThat(Http.post(url, EngineIo3Test.encodeTextPayload("42[\"two-bytes\"]")).status()).isEqualTo(200);
        List<Object> packets = decodeEngineIo3Payload(Http.get(url).body());

        assertThat(packets).hasSize(3);
        assertThat(packets.get(0)).isEqualTo("452-[\"two-bytes\"," + TWO_PLACEHOLDERS + "]");
        assertThat(packets.get(1)).isEqualTo(new byte[] {4, 1, 2, 3});
        assertThat(packets.get(2)).isEqualTo(new byte[] {4, 4, 5, 6});
    }

    /**
     * engine.io-parser 2.x's {@code decodePayloadAsBinary}: {@code <0 text|1 binary><length digits><0xFF><packet>},
     * back to back; a text packet as a String, a binary one as its bytes.
     */
    private static List<Object> decodeEngineIo3Payload(byte[] payload) {
        List<Object> packets = new ArrayList<>();
        int i = 0;
        while (i < payload.length) {
            byte kind = payload[i++];
            assertThat(kind).as("packet %d's kind at byte %d of %s", packets.size(), i - 1,
                    HexFormat.ofDelimiter(" ").formatHex(payload)).isIn((byte) 0, (byte) 1);
            int length = 0;
            while (payload[i] != (byte) 0xFF) {
                length = length * 10 + payload[i++];
            }
            i++;
            packets.add(kind == 0 ? new String(payload, i, length, StandardCharsets.UTF_8)
                    : java.util.Arrays.copyOfRange(payload, i, i + length));
            i += length;
        }
        return packets;
    }
}
