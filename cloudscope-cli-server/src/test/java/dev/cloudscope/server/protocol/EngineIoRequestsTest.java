package dev.cloudscope.server.protocol;

import static dev.cloudscope.server.protocol.ReferenceApp.MAX_PAYLOAD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cloudscope.server.testing.TestServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What the server's Engine.IO request checks answer, beyond the statuses {@link EngineIoRulesTest} asks for:
 * engine.io's {@code {code, message}} for each refusal, and the cases the protocol suites leave out (a second
 * WebSocket while the first is still probing, OPTIONS as a handshake, the session a too-large POST ends).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EngineIoRequestsTest {

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

    private RawWebSocket webSocket(String query) {
        RawWebSocket socket = RawWebSocket.connect(server.port(), query, true);
        sockets.add(socket);
        return socket;
    }

    private static void assertError(SoftAssertions soft, String what, Http.Reply reply, int code, String message) {
        soft.assertThat(reply.status()).as("%s: %s", what, reply).isEqualTo(400);
        if (reply.status() == 400) {
            JsonNode error = Polling.json(reply.text());
            soft.assertThat(error.path("code").asInt(-1)).as("%s: code", what).isEqualTo(code);
            soft.assertThat(error.path("message").asText()).as("%s: message", what).isEqualTo(message);
        }
    }

    @Test
    void eachRefusalCarriesEngineIosCodeAndMessage() {
        Polling upgradedSession = polling();
        RawWebSocket socket = webSocket("EIO=4&transport=websocket&sid=" + upgradedSession.sid);
        assertThat(socket.awaitOpen()).as("upgrade: %s", socket).isTrue();
        socket.send("2probe");
        assertThat(socket.nextPacketText()).isEqualTo("3probe");
        socket.send("5", "40"); // a CONNECT answered over the WebSocket proves the upgrade done
        assertThat(socket.nextPacketText()).startsWith("40{\"sid\":");
        Polling live = polling();
        Duration wait = Duration.ofSeconds(3);

        SoftAssertions soft = new SoftAssertions();
        assertError(soft, "no transport", Http.get(base() + "?EIO=4"), 0, "Transport unknown");
        assertError(soft, "transport=abc, with a sid", Http.get(live.url().replace("polling", "abc")),
                0, "Transport unknown");
        assertError(soft, "unknown sid", Http.send("GET", base() + "?EIO=4&transport=polling&sid="
                + UUID.randomUUID(), null, wait), 1, "Session ID unknown");
        assertError(soft, "sid=abc", Http.send("POST", base() + "?EIO=4&transport=polling&sid=abc", "40", wait),
                1, "Session ID unknown");
        assertError(soft, "POST handshake", Http.post(base() + "?EIO=4&transport=polling", ""),
                2, "Bad handshake method");
        assertError(soft, "OPTIONS handshake (no CORS configured)",
                Http.send("OPTIONS", base() + "?EIO=4&transport=polling", null, wait), 2, "Bad handshake method");
        assertError(soft, "poll after the upgrade", upgradedSession.poll(wait), 3, "Bad request");
        assertError(soft, "POST after the upgrade", Http.send("POST", upgradedSession.url(), "42[\"message\"]", wait),
                3, "Bad request");
        assertError(soft, "transport=websocket without an upgrade", Http.get(base() + "?EIO=4&transport=websocket"),
                3, "Bad request");
        assertError(soft, "no EIO", Http.get(base() + "?transport=polling"), 5, "Unsupported protocol version");
        assertError(soft, "EIO=5", Http.get(base() + "?EIO=5&transport=polling"), 5, "Unsupported protocol version");
        soft.assertThat(live.post("40").status()).as("a live session after them all").isEqualTo(200);
        soft.assertAll();
    }

    // README "WebSocket": one WebSocket per session, also while the first is only probing
    @Test
    void aSecondWebSocketWhileTheFirstProbesIsRefusedAndTheFirstUpgrades() {
        Polling session = polling();
        RawWebSocket first = webSocket("EIO=4&transport=websocket&sid=" + session.sid);
        assertThat(first.awaitOpen()).as("first: %s", first).isTrue();
        first.send("2probe");
        assertThat(first.nextPacketText()).isEqualTo("3probe");

        RawWebSocket second = webSocket("EIO=4&transport=websocket&sid=" + session.sid);

        assertThat(second.awaitClose(Duration.ofSeconds(3)).httpStatus()).as("second: %s", second).isEqualTo(400);
        first.send("5", "40");
        assertThat(first.nextPacketText()).startsWith("40{\"sid\":");
        assertThat(first.nextPacketText()).isEqualTo("42[\"auth\",{}]");
    }

    // socket.io's maxHttpBufferSize: the session ends, and a poll waiting on it is told so
    @Test
    void aPostOverMaxPayloadEndsTheSessionAndClosesItsPendingPoll() throws Exception {
        Polling session = polling();
        CompletableFuture<Http.Reply> pending = session.pollAsync(Duration.ofSeconds(3));
        Thread.sleep(50); // pending before the POST (no observable event)

        int status = Http.statusOfHeadOnly(server.port(),
                "POST /socket.io/?EIO=4&transport=polling&sid=" + session.sid + " HTTP/1.1\r\n"
                        + "Host: 127.0.0.1:" + server.port() + "\r\n"
                        + "Content-Type: text/plain;charset=UTF-8\r\n"
                        + "Content-Length: " + (MAX_PAYLOAD + 1) + "\r\n\r\n");

        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(status).as("the oversize POST").isEqualTo(413);
        Http.Reply answered = pending.get();
        soft.assertThat(answered.status()).as("the pending poll: %s", answered).isEqualTo(200);
        soft.assertThat(Polling.packets(answered)).as("the pending poll, pings aside")
                .filteredOn(packet -> !packet.equals("2")).containsExactly("1");
        assertError(soft, "a poll after it", session.poll(Duration.ofSeconds(2)), 1, "Session ID unknown");
        soft.assertAll();
    }

    // README "Receiving data": the session a duplicate poll ends is gone, its connections' disconnect paths run
    @Test
    void aSecondPendingPollEndsTheSessionsConnections() throws Exception {
        Polling session = polling();
        assertThat(session.post("40").status()).isEqualTo(200);
        assertThat(session.collect(2)).hasSize(2);
        await().atMost(Duration.ofSeconds(2)).until(() -> server.server().connectionCount() >= 1);
        // right after a ping, so that the next one (a ping interval later) answers neither poll
        await().atMost(Duration.ofSeconds(2)).until(() -> Polling.packets(session.poll()).contains("2"));
        assertThat(session.post("3").status()).isEqualTo(200);
        CompletableFuture<Http.Reply> first = session.pollAsync(Duration.ofSeconds(3));
        Thread.sleep(50); // pending before the second (no observable event)

        Http.Reply second = session.poll(Duration.ofSeconds(3));

        assertThat(first.get().text()).as("the first poll").isEqualTo("1");
        assertThat(second.status()).as("the second poll: %s", second).isEqualTo(400);
        await().atMost(Duration.ofSeconds(2)).until(() -> server.server().connectionCount() == 0);
    }
}
