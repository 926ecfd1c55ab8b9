package dev.cloudscope.server.protocol;

import static dev.cloudscope.server.protocol.ReferenceApp.MAX_PAYLOAD;
import static dev.cloudscope.server.protocol.ReferenceApp.PING_INTERVAL;
import static dev.cloudscope.server.protocol.ReferenceApp.PING_TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cloudscope.server.protocol.RawWebSocket.Frame;
import dev.cloudscope.server.testing.TestServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The Engine.IO protocol v4 (socketio/engine.io-protocol, README.md), one test per rule, over raw HTTP and raw
 * WebSocket against the real server behind socket.io (path {@code /socket.io/}) running {@link ReferenceApp}.
 *
 * <p>Each test ports one {@code it(...)} of socket.io-protocol's test-suite/test-suite.js ("Engine.IO protocol"
 * part), or of engine.io-protocol's test-suite/test-suite.js where socket.io-protocol's suite has no such case; where
 * the bare Engine.IO suite echoes {@code 4hello}, the test speaks socket.io through the reference app instead.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EngineIoRulesTest {

    private static final String[] HANDSHAKE_KEYS = {"sid", "upgrades", "pingInterval", "pingTimeout", "maxPayload"};

    private TestServer server;
    private final List<RawWebSocket> sockets = new ArrayList<>();
    private final List<Polling> sessions = new ArrayList<>();

    @BeforeAll
    void startServer() {
        server = ReferenceApp.startForEngineIo();
    }

    @AfterAll
    void stopServer() {
        TestServer.closeAll(server);
    }

    @AfterEach
    void closeClients() {
        sockets.forEach(RawWebSocket::close);
        sockets.clear();
        sessions.forEach(Polling::close);
        sessions.clear();
    }

    private String base() {
        return Polling.base(server.port());
    }

    private Polling polling() {
        Polling session = Polling.open(server.port());
        sessions.add(session);
        return session;
    }

    private RawWebSocket webSocket(String query, boolean answerPings) {
        RawWebSocket socket = RawWebSocket.connect(server.port(), query, answerPings);
        sockets.add(socket);
        return socket;
    }

    /** A polling session connected to "/" (its CONNECT and the auth echo read). */
    private Polling pollingOnRoot() {
        Polling session = polling();
        assertThat(session.post("40").text()).isEqualTo("ok");
        assertThat(session.collect(2)).satisfiesExactly(
                connect -> assertThat(connect).startsWith("40{\"sid\":"),
                auth -> assertThat(auth).isEqualTo("42[\"auth\",{}]"));
        return session;
    }

    /** A WebSocket that has upgraded {@code session} (probe, then upgrade) and joined "/" over it. */
    private RawWebSocket upgraded(Polling session) {
        RawWebSocket socket = webSocket("EIO=4&transport=websocket&sid=" + session.sid, true);
        assertThat(socket.awaitOpen()).as("upgrade: %s", socket).isTrue();
        socket.send("2probe");
        assertThat(socket.nextPacketText()).isEqualTo("3probe");
        socket.send("5", "40"); // a CONNECT answered over the WebSocket proves the upgrade done
        assertThat(socket.nextPacketText()).startsWith("40{\"sid\":");
        assertThat(socket.nextPacketText()).isEqualTo("42[\"auth\",{}]");
        return socket;
    }

    private static void assertHandshake(String open, List<String> upgrades) {
        assertThat(open).startsWith("0");
        JsonNode value = Polling.json(open.substring(1));
        SoftAssertions soft = new SoftAssertions();
        List<String> keys = new ArrayList<>();
        value.fieldNames().forEachRemaining(keys::add);
        soft.assertThat(keys).as("the open packet's keys, in %s", open).containsExactlyInAnyOrder(HANDSHAKE_KEYS);
        soft.assertThat(value.path("sid").isTextual()).as("sid is a string").isTrue();
        List<String> offered = new ArrayList<>();
        value.path("upgrades").forEach(node -> offered.add(node.asText()));
        soft.assertThat(value.path("upgrades").isArray()).as("upgrades is an array").isTrue();
        soft.assertThat(offered).as("upgrades").isEqualTo(upgrades);
        soft.assertThat(value.path("pingInterval").asInt(-1)).as("pingInterval").isEqualTo(PING_INTERVAL);
        soft.assertThat(value.path("pingTimeout").asInt(-1)).as("pingTimeout").isEqualTo(PING_TIMEOUT);
        soft.assertThat(value.path("maxPayload").asInt(-1)).as("maxPayload").isEqualTo(MAX_PAYLOAD);
        soft.assertAll();
    }

    // --- handshake, HTTP long-polling

    // README "Handshake"; suite: handshake > HTTP long-polling > should successfully open a session
    @Test
    void aPollingHandshakeOpensASessionWithSidUpgradesPingIntervalPingTimeoutAndMaxPayload() {
        Http.Reply response = Http.get(base() + "?EIO=4&transport=polling");

        assertThat(response.status()).isEqualTo(200);
        assertHandshake(response.text(), List.of("websocket"));
    }

    // README "Query parameters" (EIO mandatory, else 400); suite: should fail with an invalid 'EIO' query parameter
    @Test
    void aPollingHandshakeWithoutEioOrWithAnInvalidEioIsRefusedWith400() {
        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(Http.get(base() + "?transport=polling")).as("no EIO")
                .extracting(Http.Reply::status).isEqualTo(400);
        soft.assertThat(Http.get(base() + "?EIO=abc&transport=polling")).as("EIO=abc")
                .extracting(Http.Reply::status).isEqualTo(400);
        soft.assertAll();
    }

    // README "Query parameters" (transport mandatory, else 400); suite: should fail with an invalid 'transport' query parameter
    @Test
    void aPollingHandshakeWithoutTransportOrWithAnUnknownTransportIsRefusedWith400() {
        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(Http.get(base() + "?EIO=4")).as("no transport")
                .extracting(Http.Reply::status).isEqualTo(400);
        soft.assertThat(Http.get(base() + "?EIO=4&transport=abc")).as("transport=abc")
                .extracting(Http.Reply::status).isEqualTo(400);
        soft.assertAll();
    }

    // README "Handshake" (the client MUST send a GET); suite: should fail with an invalid request method
    @Test
    void aHandshakeByPostOrPutInsteadOfGetIsRefusedWith400() {
        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(Http.send("POST", base() + "?EIO=4&transport=polling", "", Http.TIMEOUT)).as("POST")
                .extracting(Http.Reply::status).isEqualTo(400);
        soft.assertThat(Http.send("PUT", base() + "?EIO=4&transport=polling", "", Http.TIMEOUT)).as("PUT")
                .extracting(Http.Reply::status).isEqualTo(400);
        soft.assertAll();
    }

    // README "Sending data" and "Receiving data": 400 if the session ID is not known
    @Test
    void aPollOrPostWithAnUnknownSidIsRefusedWith400() {
        String unknownUuid = base() + "?EIO=4&transport=polling&sid=" + UUID.randomUUID();
        String unknownText = base() + "?EIO=4&transport=polling&sid=abc";
        Duration wait = Duration.ofSeconds(3);
        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(Http.send("GET", unknownUuid, null, wait)).as("GET, unknown sid")
                .extracting(Http.Reply::status).isEqualTo(400);
        soft.assertThat(Http.send("POST", unknownUuid, "40", wait)).as("POST, unknown sid")
                .extracting(Http.Reply::status).isEqualTo(400);
        soft.assertThat(Http.send("GET", unknownText, null, wait)).as("GET, sid=abc")
                .extracting(Http.Reply::status).isEqualTo(400);
        soft.assertThat(Http.send("POST", unknownText, "40", wait)).as("POST, sid=abc")
                .extracting(Http.Reply::status).isEqualTo(400);
        soft.assertAll();
    }

    // --- handshake, WebSocket

    // README "Handshake" (WebSocket-only session); suite: handshake > WebSocket > should successfully open a session
    @Test
    void aWebSocketHandshakeOpensASessionWithNoUpgrades() {
        RawWebSocket socket = webSocket("EIO=4&transport=websocket", false);

        Frame open = socket.next();

        assertThat(open.isBinary()).isFalse();
        assertHandshake(open.text(), List.of());
    }

    // README "WebSocket" (a mandatory query parameter missing: the server MUST close the WebSocket connection);
    // suite: WebSocket > should fail with an invalid 'EIO' query parameter
    @Test
    void aWebSocketWithoutEioOrWithAnInvalidEioIsClosedWithoutASession() {
        RawWebSocket noEio = webSocket("transport=websocket", false);
        RawWebSocket badEio = webSocket("EIO=abc&transport=websocket", false);

        SoftAssertions soft = new SoftAssertions();
        for (RawWebSocket socket : List.of(noEio, badEio)) {
            RawWebSocket.Close close = socket.awaitClose();
            soft.assertThat(socket.received).as("frames before %s", close)
                    .noneMatch(frame -> !frame.isBinary() && frame.text().startsWith("0"));
        }
        soft.assertAll();
    }

    // README "WebSocket" (a mandatory query parameter missing: the server MUST close the WebSocket connection);
    // suite: WebSocket > should fail with an invalid 'transport' query parameter
    @Test
    void aWebSocketWithoutTransportOrWithAnUnknownTransportIsClosedWithoutASession() {
        RawWebSocket noTransport = webSocket("EIO=4", false);
        RawWebSocket badTransport = webSocket("EIO=4&transport=abc", false);

        SoftAssertions soft = new SoftAssertions();
        for (RawWebSocket socket : List.of(noTransport, badTransport)) {
            RawWebSocket.Close close = socket.awaitClose();
            soft.assertThat(socket.received).as("frames before %s", close)
                    .noneMatch(frame -> !frame.isBinary() && frame.text().startsWith("0"));
        }
        soft.assertAll();
    }

    // --- heartbeat

    // README "Heartbeat"; suite: heartbeat > HTTP long-polling > should send ping/pong packets
    @Test
    void overPollingTheServerPingsAndAcceptsPongs() {
        Polling session = polling();

        for (int i = 0; i < 3; i++) {
            Http.Reply poll = session.poll();
            assertThat(poll.status()).as("poll %d", i).isEqualTo(200);
            assertThat(poll.text()).as("poll %d", i).isEqualTo("2");

            Http.Reply pong = session.post("3");
            assertThat(pong.status()).as("pong %d", i).isEqualTo(200);
        }
    }

    // README "Heartbeat" (no pong: the connection is closed); suite: HTTP long-polling > should close the session upon ping timeout
    @Test
    void overPollingASessionThatNeverPongsIsClosedAndItsNextPollGets400() {
        Polling session = polling();
        AtomicReference<Http.Reply> last = new AtomicReference<>();

        // each poll waits at most a ping interval for the next ping, which is not answered
        await().atMost(Duration.ofSeconds(5)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    last.set(session.poll(Duration.ofSeconds(2)));
                    return last.get().status() != 200;
                });

        assertThat(last.get().status()).as("the poll after the ping timeout: %s", last.get()).isEqualTo(400);
    }

    // README "Heartbeat"; suite: heartbeat > WebSocket > should send ping/pong packets
    @Test
    void overWebSocketTheServerPingsAndAcceptsPongs() {
        RawWebSocket socket = webSocket("EIO=4&transport=websocket", false);
        assertThat(socket.nextText()).startsWith("0{");

        for (int i = 0; i < 3; i++) {
            assertThat(socket.nextText()).as("frame %d after the handshake", i).isEqualTo("2");
            socket.send("3");
        }
        assertThat(socket.isClosed()).as("closed: %s", socket).isFalse();
    }

    // README "Heartbeat"; suite: heartbeat > WebSocket > should close the session upon ping timeout
    @Test
    void overWebSocketASessionThatNeverPongsIsClosed() {
        RawWebSocket socket = webSocket("EIO=4&transport=websocket", false);

        socket.awaitClose(Duration.ofSeconds(3));
    }

    // --- close

    // README "Protocol" (close: the transport can be closed); suite: close > HTTP long-polling > should forcefully close the session
    @Test
    void aPollingCloseAnswersThePendingPollWithNoopAndEndsTheSession() throws Exception {
        Polling session = polling();
        CompletableFuture<Http.Reply> pending = session.pollAsync(Duration.ofSeconds(3));
        Thread.sleep(50); // the suite's order: the poll is pending before the close arrives (no observable event)

        Http.Reply close = session.post("1");
        Http.Reply answered = pending.get();

        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(close.status()).as("the close POST").isEqualTo(200);
        soft.assertThat(answered.status()).as("the pending poll: %s", answered).isEqualTo(200);
        soft.assertThat(answered.text()).as("the pending poll").isEqualTo("6");
        Http.Reply after = session.poll(Duration.ofSeconds(2));
        soft.assertThat(after.status()).as("a poll after the close: %s", after).isEqualTo(400);
        soft.assertAll();
    }

    // README "Protocol" (close); suite: close > WebSocket > should forcefully close the session
    @Test
    void aWebSocketCloseClosesTheWebSocket() {
        RawWebSocket socket = webSocket("EIO=4&transport=websocket", true); // only the close may end it
        assertThat(socket.nextText()).startsWith("0{");

        socket.send("1");

        socket.awaitClose(Duration.ofSeconds(2));
    }

    // --- upgrade

    // README "Upgrade"; suite: upgrade > should successfully upgrade from HTTP long-polling to WebSocket
    // (and engine.io-protocol's: the pending poll is answered with a noop, then the WebSocket carries the packets)
    @Test
    void aPollingSessionUpgradesToWebSocketWithProbeNoopAndUpgrade() {
        Polling session = polling();
        RawWebSocket socket = webSocket("EIO=4&transport=websocket&sid=" + session.sid, true);
        assertThat(socket.awaitOpen()).as("the upgrade request: %s", socket).isTrue();

        socket.send("2probe");
        assertThat(socket.nextPacketText()).isEqualTo("3probe");

        Http.Reply poll = session.poll(Duration.ofSeconds(3));
        assertThat(poll.status()).as("the poll during the upgrade: %s", poll).isEqualTo(200);
        assertThat(Polling.packets(poll)).as("the poll during the upgrade, pings aside")
                .filteredOn(packet -> !packet.equals("2")).containsExactly("6");

        socket.send("5", "40");
        assertThat(socket.nextPacketText()).startsWith("40{\"sid\":");
        assertThat(socket.nextPacketText()).isEqualTo("42[\"auth\",{}]");
    }

    // README "Upgrade"; suite: upgrade > should ignore HTTP requests with same sid after upgrade
    @Test
    void aPollAfterTheUpgradeIsRefusedWith400AndTheWebSocketGoesOn() {
        Polling session = polling();
        RawWebSocket socket = upgraded(session);

        Http.Reply poll = session.poll(Duration.ofSeconds(2));

        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(poll.status()).as("a poll after the upgrade: %s", poll).isEqualTo(400);
        socket.send("42[\"message\",\"still here\"]");
        soft.assertThat(socket.nextPackets(1)).as("the WebSocket after it")
                .containsExactly(Frame.text("42[\"message-back\",\"still here\"]"));
        soft.assertAll();
    }

    // README "WebSocket" (more than one WebSocket per session: the server MUST close it); suite: upgrade > should
    // ignore WebSocket connection with same sid after upgrade
    @Test
    void aSecondWebSocketWithTheSameSidAfterTheUpgradeIsClosedAndTheFirstGoesOn() {
        Polling session = polling();
        RawWebSocket first = upgraded(session);

        RawWebSocket second = webSocket("EIO=4&transport=websocket&sid=" + session.sid, true);

        SoftAssertions soft = new SoftAssertions();
        soft.assertThatCode(() -> second.awaitClose(Duration.ofSeconds(3))).as("the second WebSocket")
                .doesNotThrowAnyException();
        first.send("42[\"message\",\"still here\"]");
        soft.assertThat(first.nextPackets(1)).as("the first WebSocket after it")
                .containsExactly(Frame.text("42[\"message-back\",\"still here\"]"));
        soft.assertAll();
    }

    // --- messages over polling (engine.io-protocol's suite)

    // README "Packet encoding > HTTP long-polling" (packets joined with \x1e); engine.io suite: sends and receives a
    // payload containing several plain text packets
    @Test
    void severalPacketsInOnePollingPayloadAreEachServed() {
        Polling session = polling();

        Http.Reply post = session.post("40\u001e42[\"message\",\"a\"]\u001e42[\"message\",\"b\"]");

        assertThat(post.status()).isEqualTo(200);
        assertThat(post.text()).isEqualTo("ok");
        List<String> packets = session.collect(4);
        assertThat(packets).hasSize(4);
        assertThat(packets.get(0)).startsWith("40{\"sid\":");
        assertThat(packets.subList(1, 4)).containsExactly(
                "42[\"auth\",{}]", "42[\"message-back\",\"a\"]", "42[\"message-back\",\"b\"]");
    }

    // README "Packet encoding > HTTP long-polling" (binary: 'b' + base64, both ways); engine.io suite: sends and
    // receives a payload containing plain text and binary packets
    @Test
    void aBinaryAttachmentOverPollingIsBase64WithBPrefixBothWays() {
        Polling session = pollingOnRoot();

        Http.Reply post = session.post("451-[\"message\",{\"_placeholder\":true,\"num\":0}]\u001ebAQIDBA==");

        assertThat(post.status()).isEqualTo(200);
        assertThat(session.collect(2)).containsExactly(
                "451-[\"message-back\",{\"_placeholder\":true,\"num\":0}]", "bAQIDBA==");
    }

    // README "Packet encoding > HTTP long-polling" ("Binary payloads MUST be base64-encoded and prefixed with a b"),
    // the server's side alone: a binary argument the app emits
    @Test
    void aBinaryPayloadTheServerSendsOverPollingIsBase64WithBPrefix() {
        Polling session = pollingOnRoot();

        assertThat(session.post("42[\"bytes\"]").status()).isEqualTo(200);

        assertThat(session.collect(2)).containsExactly(
                "451-[\"bytes\",{\"_placeholder\":true,\"num\":0}]", "bAQIDBA==");
    }

    // README "Packet encoding > WebSocket" ("Binary payloads are sent as is, without modification"), the server's side
    // alone: a binary argument the app emits
    @Test
    void aBinaryPayloadTheServerSendsOverWebSocketIsSentAsIs() {
        RawWebSocket socket = webSocket("EIO=4&transport=websocket", true);
        assertThat(socket.nextText()).startsWith("0{");
        socket.send("40");
        assertThat(socket.nextPacketText()).startsWith("40{");
        assertThat(socket.nextPacketText()).isEqualTo("42[\"auth\",{}]");

        socket.send("42[\"bytes\"]");

        assertThat(socket.nextPackets(2)).containsExactly(
                Frame.text("451-[\"bytes\",{\"_placeholder\":true,\"num\":0}]"),
                Frame.binary(1, 2, 3, 4));
    }

    // README "Sending data" / engine.io suite: closes the session upon invalid packet format (HTTP 400, session gone)
    @Test
    void aPollingPostThatIsNotAPacketIsRefusedWith400AndEndsTheSession() {
        Polling session = polling();

        Http.Reply post = session.post("abc");

        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(post.status()).as("the POST (400, or the suite's abnormal close): %s", post)
                .isIn(400, Http.ABORTED);
        Http.Reply poll = session.poll(Duration.ofSeconds(2));
        soft.assertThat(poll.status()).as("a poll after it: %s", poll).isEqualTo(400);
        soft.assertAll();
    }

    // README "Receiving data" (more than one active GET: 400 and close the session); engine.io suite: closes the
    // session upon duplicate poll requests
    @Test
    void aSecondPendingPollClosesTheSession() throws Exception {
        Polling session = polling();
        CompletableFuture<Http.Reply> first = session.pollAsync(Duration.ofSeconds(3));
        Thread.sleep(50); // the suite's order: the first poll is pending before the second (no observable event)

        Http.Reply second = session.poll(Duration.ofSeconds(3));
        Http.Reply firstReply = first.get();

        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(firstReply.status()).as("the first poll: %s", firstReply).isEqualTo(200);
        soft.assertThat(firstReply.text()).as("the first poll: a close packet").isEqualTo("1");
        soft.assertThat(second.status()).as("the second poll: %s", second).isIn(400, 500);
        Http.Reply after = session.poll(Duration.ofSeconds(2));
        soft.assertThat(after.status()).as("a poll after them: %s", after).isEqualTo(400);
        soft.assertAll();
    }

    // README "Handshake" (maxPayload) and socket.io's maxHttpBufferSize: a larger POST gets 413 and the session is closed
    @Test
    void aPollingPostLargerThanMaxPayloadIsRefusedWith413AndEndsTheSession() {
        Polling session = polling();

        int status = Http.statusOfHeadOnly(server.port(),
                "POST /socket.io/?EIO=4&transport=polling&sid=" + session.sid + " HTTP/1.1\r\n"
                        + "Host: 127.0.0.1:" + server.port() + "\r\n"
                        + "Content-Type: text/plain;charset=UTF-8\r\n"
                        + "Content-Length: " + (MAX_PAYLOAD + 1) + "\r\n\r\n");

        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(status).as("the oversize POST").isEqualTo(413);
        Http.Reply poll = session.poll(Duration.ofSeconds(2));
        soft.assertThat(poll.status()).as("a poll after it: %s", poll).isEqualTo(400);
        soft.assertAll();
    }
}
