package dev.cloudscope.server.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cloudscope.server.protocol.RawWebSocket.Frame;
import dev.cloudscope.server.testing.TestServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The Socket.IO protocol v5 (socketio/socket.io-protocol, Readme.md), one test per rule, over a raw Engine.IO 4
 * WebSocket against the real server running {@link ReferenceApp}: a port of every {@code it(...)} of the "Socket.IO
 * protocol" part of socket.io-protocol's test-suite/test-suite.js, and of the document's rules the suite leaves out.
 *
 * <p>Unlike the suite's browser WebSocket, the client answers the server's pings (pingInterval 300 ms + pingTimeout
 * 200 ms would otherwise end every session after half a second, and make every "the connection is closed" rule pass
 * by itself); pings are skipped when reading packets, except where the rule is about the next frame being one.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SocketIoRulesTest {

    /** socket.io closes the connection at once; the connectTimeout (1 s) must not be what closes it. */
    private static final Duration AT_ONCE = Duration.ofMillis(800);

    private TestServer server;
    private final List<RawWebSocket> sockets = new ArrayList<>();

    @BeforeAll
    void startServer() {
        server = ReferenceApp.start();
    }

    @AfterAll
    void stopServer() {
        TestServer.closeAll(server);
    }

    @AfterEach
    void closeClients() {
        sockets.forEach(RawWebSocket::close);
        sockets.clear();
    }

    /** An Engine.IO 4 WebSocket session (the open packet read), not connected to any namespace. */
    private RawWebSocket engineIoSession() {
        RawWebSocket socket = RawWebSocket.connect(server.port(), "EIO=4&transport=websocket", true);
        sockets.add(socket);
        assertThat(socket.nextText()).as("the Engine.IO handshake").startsWith("0{");
        return socket;
    }

    /** The suite's initSocketIOConnection: connected to "/", its CONNECT and the auth packet read. */
    private RawWebSocket connectedToRoot() {
        RawWebSocket socket = engineIoSession();
        socket.send("40");
        assertThat(socket.nextPacketText()).as("the Socket.IO handshake").startsWith("40{");
        assertThat(socket.nextPacketText()).as("the auth packet").isEqualTo("42[\"auth\",{}]");
        return socket;
    }

    /** The CONNECT packet's payload, {@code {"sid": "..."}} and nothing else. */
    private static void assertConnectPayload(String payload) {
        JsonNode handshake = Polling.json(payload);
        List<String> keys = new ArrayList<>();
        handshake.fieldNames().forEachRemaining(keys::add);
        assertThat(keys).as("keys of %s", payload).containsExactly("sid");
        assertThat(handshake.get("sid").isTextual()).as("sid is a string in %s", payload).isTrue();
    }

    // --- connect

    // Readme "Connection to a namespace"; suite: connect > should allow connection to the main namespace
    @Test
    void aClientConnectsToTheMainNamespace() {
        RawWebSocket socket = engineIoSession();

        socket.send("40");

        String connect = socket.nextPacketText();
        assertThat(connect).startsWith("40");
        assertConnectPayload(connect.substring(2));
        assertThat(socket.nextPacketText()).isEqualTo("42[\"auth\",{}]");
    }

    // Readme "Connection to a namespace" (with an additional payload); suite: should allow connection to the main
    // namespace with a payload
    @Test
    void aClientConnectsToTheMainNamespaceWithAnAuthPayload() {
        RawWebSocket socket = engineIoSession();

        socket.send("40{\"token\":\"123\"}");

        String connect = socket.nextPacketText();
        assertThat(connect).startsWith("40");
        assertConnectPayload(connect.substring(2));
        assertThat(socket.nextPacketText()).isEqualTo("42[\"auth\",{\"token\":\"123\"}]");
    }

    // Readme "Connection to a namespace" (with a custom namespace); suite: should allow connection to a custom namespace
    @Test
    void aClientConnectsToACustomNamespace() {
        RawWebSocket socket = engineIoSession();

        socket.send("40/custom,");

        String connect = socket.nextPacketText();
        assertThat(connect).startsWith("40/custom,");
        assertConnectPayload(connect.substring("40/custom,".length()));
        assertThat(socket.nextPacketText()).isEqualTo("42/custom,[\"auth\",{}]");
    }

    // Readme "Connection to a namespace"; suite: should allow connection to a custom namespace with a payload
    @Test
    void aClientConnectsToACustomNamespaceWithAnAuthPayload() {
        RawWebSocket socket = engineIoSession();

        socket.send("40/custom,{\"token\":\"abc\"}");

        String connect = socket.nextPacketText();
        assertThat(connect).startsWith("40/custom,");
        assertConnectPayload(connect.substring("40/custom,".length()));
        assertThat(socket.nextPacketText()).isEqualTo("42/custom,[\"auth\",{\"token\":\"abc\"}]");
    }

    // Readme "History > v5": the CONNECT packet carries its own payload (socket.handshake.auth is the payload of that
    // namespace's CONNECT): the auth payload of one namespace is not another's
    @Test
    void eachNamespaceSeesOnlyTheAuthPayloadOfItsOwnConnect() {
        RawWebSocket socket = engineIoSession();

        socket.send("40{\"token\":\"123\"}");
        assertThat(socket.nextPacketText()).startsWith("40{");
        assertThat(socket.nextPacketText()).isEqualTo("42[\"auth\",{\"token\":\"123\"}]");
        socket.send("40/custom,");

        assertThat(socket.nextPacketText()).startsWith("40/custom,{");
        assertThat(socket.nextPacketText()).isEqualTo("42/custom,[\"auth\",{}]");
    }

    // Readme "Connection to a namespace" (CONNECT_ERROR if not allowed); suite: should disallow connection to an
    // unknown namespace
    @Test
    void aConnectToAnUnknownNamespaceGetsInvalidNamespace() {
        RawWebSocket socket = engineIoSession();

        socket.send("40/random");

        assertThat(socket.nextPacketText()).isEqualTo("44/random,{\"message\":\"Invalid namespace\"}");
    }

    // Readme "Connection to a namespace" (no CONNECT first: close the connection immediately); suite: should
    // disallow connection with an invalid handshake
    @Test
    void anInvalidPacketInsteadOfAConnectClosesTheConnection() {
        RawWebSocket socket = engineIoSession();

        socket.send("4abc");

        socket.awaitClose(AT_ONCE);
    }

    // Readme "Connection to a namespace" (the server MUST receive a CONNECT packet first, else close the connection
    // immediately): an event before any CONNECT
    @Test
    void anEventBeforeTheClientsConnectClosesTheConnection() {
        RawWebSocket socket = engineIoSession();

        socket.send("42[\"message\",\"too early\"]");

        socket.awaitClose(AT_ONCE);
        assertThat(socket.received).noneMatch(frame -> String.valueOf(frame.text()).contains("message-back"));
    }

    // suite: connect > should close the connection if no handshake is received (socket.io's connectTimeout, 1 s here;
    // the client answers pings, so that the ping timeout cannot be what closes it)
    @Test
    void aSessionThatConnectsToNoNamespaceWithinConnectTimeoutIsClosed() {
        RawWebSocket socket = engineIoSession();

        socket.awaitClose(Duration.ofSeconds(3));
    }

    // --- disconnect

    // Readme "Disconnection from a namespace" (the low-level connection MAY be kept alive); suite: disconnect >
    // should disconnect from the main namespace (the next frame is a ping)
    @Test
    void leavingTheMainNamespaceKeepsTheEngineIoSessionPinging() {
        RawWebSocket socket = connectedToRoot();

        socket.send("41");

        Frame next = socket.next(Duration.ofSeconds(2));
        assertThat(next).as("the frame after 41, then %s", socket).isEqualTo(Frame.text("2"));
        socket.awaitPing(); // and the next ping, answered: the session is alive
        assertThat(socket.isClosed()).as("%s", socket).isFalse();
    }

    // Readme "Disconnection from a namespace" ("A client MAY be connected to multiple namespaces ... the low-level
    // connection MAY be kept alive"): after leaving "/", the session still connects to another namespace
    @Test
    void afterLeavingTheMainNamespaceTheSessionStillConnectsToAnotherNamespace() {
        RawWebSocket socket = connectedToRoot();

        socket.send("41", "40/custom,");

        assertThat(socket.nextPacketText()).startsWith("40/custom,{");
        assertThat(socket.nextPacketText()).isEqualTo("42/custom,[\"auth\",{}]");
    }

    // Readme "Disconnection from a namespace"; suite: should connect then disconnect from a custom namespace
    @Test
    void aClientConnectsThenDisconnectsFromACustomNamespaceAndTheMainOneGoesOn() {
        RawWebSocket socket = connectedToRoot();
        socket.awaitPing();

        socket.send("40/custom");
        assertThat(socket.nextPacketText()).startsWith("40/custom,");
        assertThat(socket.nextPacketText()).isEqualTo("42/custom,[\"auth\",{}]");

        socket.send("41/custom", "42[\"message\",\"message to main namespace\"]");

        assertThat(socket.nextPacketText()).isEqualTo("42[\"message-back\",\"message to main namespace\"]");
    }

    // --- message

    // Readme "Sending and receiving data"; suite: message > should send a plain-text packet
    @Test
    void aPlainTextEventIsEchoed() {
        RawWebSocket socket = connectedToRoot();

        socket.send("42[\"message\",1,\"2\",{\"3\":[true]}]");

        assertThat(socket.nextPacketText()).isEqualTo("42[\"message-back\",1,\"2\",{\"3\":[true]}]");
    }

    // Readme "Sending and receiving data" (with binary data) and "Packet encoding" (placeholders, then one binary
    // frame per attachment); suite: should send a packet with binary attachments
    @Test
    void aBinaryEventIsEchoedAsABinaryEventWithItsAttachmentsInBinaryFrames() {
        RawWebSocket socket = connectedToRoot();

        socket.send("452-[\"message\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]");
        socket.sendBinary(1, 2, 3);
        socket.sendBinary(4, 5, 6);

        assertThat(socket.nextPackets(3)).containsExactly(
                Frame.text("452-[\"message-back\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]"),
                Frame.binary(1, 2, 3),
                Frame.binary(4, 5, 6));
    }

    // Readme "Acknowledgement"; suite: message > should send a plain-text packet with an ack
    @Test
    void aPlainTextEventWithAnAckIdIsAcknowledgedWithTheSameId() {
        RawWebSocket socket = connectedToRoot();

        socket.send("42456[\"message-with-ack\",1,\"2\",{\"3\":[false]}]");

        assertThat(socket.nextPacketText()).isEqualTo("43456[1,\"2\",{\"3\":[false]}]");
    }

    // Readme "Acknowledgement" (with binary data: BINARY_ACK); suite: should send a packet with binary attachments and an ack
    @Test
    void aBinaryEventWithAnAckIdIsAcknowledgedWithABinaryAck() {
        RawWebSocket socket = connectedToRoot();

        socket.send("452-789[\"message-with-ack\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]");
        socket.sendBinary(1, 2, 3);
        socket.sendBinary(4, 5, 6);

        assertThat(socket.nextPackets(3)).containsExactly(
                Frame.text("462-789[{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]"),
                Frame.binary(1, 2, 3),
                Frame.binary(4, 5, 6));
    }

    // Readme "Exchange protocol" (packet types 0-6); suite: should close the connection upon invalid format (unknown packet type)
    @Test
    void aPacketOfUnknownTypeClosesTheConnection() {
        RawWebSocket socket = connectedToRoot();

        socket.send("4abc");

        socket.awaitClose(AT_ONCE);
    }

    // Readme "Sending and receiving data" (the payload MUST be an array, else close); suite: should close the
    // connection upon invalid format (invalid payload format)
    @Test
    void anEventWhosePayloadIsNotAnArrayClosesTheConnection() {
        RawWebSocket socket = connectedToRoot();

        socket.send("42{}");

        socket.awaitClose(AT_ONCE);
    }

    // Readme "Sending and receiving data": "The payload is mandatory and MUST be a non-empty array. If that's not the
    // case, then the receiver MUST close the connection."
    @Test
    void anEventWithAnEmptyArrayClosesTheConnection() {
        RawWebSocket socket = connectedToRoot();

        socket.send("42[]");

        socket.awaitClose(AT_ONCE);
    }

    // Readme "Packet encoding > Format" (the ack id is an integer); suite: should close the connection upon invalid
    // format (invalid ack id)
    @Test
    void anEventWithAnInvalidAckIdClosesTheConnection() {
        RawWebSocket socket = connectedToRoot();

        socket.send("42abc[\"message-with-ack\",1,\"2\",{\"3\":[false]}]");

        socket.awaitClose(AT_ONCE);
        assertThat(socket.received).as("no ack for it").noneMatch(frame -> String.valueOf(frame.text()).startsWith("43"));
    }
}
