package dev.cloudscope.server.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.cloudscope.server.testing.Lesson;
import dev.cloudscope.server.testing.LogCapture;
import dev.cloudscope.server.testing.PollingClient;
import dev.cloudscope.server.testing.StdoutCapture;
import dev.cloudscope.server.testing.TestServer;
import dev.cloudscope.server.testing.WireClient;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestClassOrder;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Clients that do not play by the protocol, against the lesson's server (the real app, open, as Main builds it) with
 * {@code io.maxPayloadBytes = 1000}: malformed frames over a raw WebSocket, odd events, oversize messages, an
 * unknown Engine.IO version and a seeded fuzz run. After each case, the offending connection's outcome is asserted
 * (it stays connected and usable, or it is closed) and a well-behaved client is served the lesson's exact sequence.
 *
 * <p>One server for the class (every stop takes seconds); the fuzz run goes last. After each case every client is
 * gone and so is every connection (the server's live count is zero).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestClassOrder(ClassOrderer.OrderAnnotation.class)
class HostileInputTest {

    private static final long PID = ProcessHandle.current().pid();
    private static final int MAX_PAYLOAD = 1000;

    private TestServer server;
    private StdoutCapture stdout;
    private final List<AutoCloseable> clients = new ArrayList<>();

    @BeforeAll
    void startServer() {
        Awaitility.setDefaultPollDelay(Duration.ZERO);           // most awaits here are met within milliseconds
        Awaitility.setDefaultPollInterval(Duration.ofMillis(10));
        server = TestServer.startLesson("io.maxPayloadBytes = " + MAX_PAYLOAD + "\nio.debugEndpoint = true\n");
    }

    @AfterAll
    void stopServer() {
        Awaitility.reset();
        TestServer.closeAll(server);
    }

    @BeforeEach
    void captureStdout() {
        stdout = StdoutCapture.start();
    }

    @AfterEach
    void closeClientsAndAwaitTheirDisconnectPaths() throws Exception {
        try {
            for (AutoCloseable client : clients) {
                client.close();
            }
            clients.clear();
            await().untilAsserted(() -> assertThat(server.server().connectionCount()).isZero());
        } finally {
            stdout.close();
        }
    }

    private <C extends AutoCloseable> C track(C client) {
        clients.add(client);
        return client;
    }

    /** A raw Engine.IO 4 client connected to {@code /}, greeted by the auth middleware. */
    private WireClient connectedToRoot() {
        WireClient client = track(WireClient.open(server.port()));
        client.send("40");
        await().untilAsserted(() -> assertThat(client.packetsOn("/")).hasSize(2));
        assertThat(client.packetsOn("/")).satisfiesExactly(
                connect -> assertThat(connect).startsWith("0{\"sid\":"),
                auth -> assertThat(auth).isEqualTo("2[\"res\",\"auth!Hello Man!!\"]"));
        return client;
    }

    /**
     * {@code client} is still connected to {@code /} and usable: its next chat (ack id {@code ackId}) gets the
     * filter's and the controller's replies and its ack, and nothing else arrives before them.
     */
    private void assertServesAChat(WireClient client, int ackId) {
        int before = client.packetsOn("/").size();
        client.send("42" + ackId + "[\"chat\",\"still here " + ackId + "\"]");

        await().untilAsserted(() -> assertThat(client.packetsOn("/")).contains("3" + ackId + "[]"));
        assertThat(client.packetsOn("/").subList(before, client.packetsOn("/").size())).containsExactly(
                "2[\"res\",\"packet!Hello Man!!\"]",
                "2[\"res\",\"Hello Man!!\"]",
                "3" + ackId + "[]");
        assertThat(client.isClosed()).isFalse();
        assertThat(stdout.lines()).contains("chat : still here " + ackId + " : " + PID);
    }

    /** The log has at most one line for the case, a warning, without a stack trace. */
    private static void assertAtMostOneWarningLine(LogCapture log) {
        assertThat(log.lines()).as("what the server printed on stderr")
                .hasSizeLessThanOrEqualTo(1)
                .allSatisfy(line -> assertThat(line).startsWith("WARN ").doesNotContain("stack trace"));
    }

    private static String repeat(int length) {
        return "x".repeat(length);
    }

    // ------------------------------------------------------------------------------------------------------------

    /** One malformed (or pointless) frame, and how to send it. */
    record Malformed(String name, Consumer<WireClient> send) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> malformedFrames() {
        return Stream.of(
                new Malformed("garbage text", c -> c.send("hello, this is not Engine.IO")),
                new Malformed("a JSON object instead of a packet", c -> c.send("{\"type\":\"message\"}")),
                new Malformed("truncated JSON", c -> c.send("42[\"chat\",\"hel")),
                new Malformed("unknown Engine.IO packet type 9", c -> c.send("9")),
                new Malformed("unknown socket.io packet type 9", c -> c.send("49")),
                new Malformed("socket.io packet type x", c -> c.send("4x")),
                new Malformed("an event that is not an array", c -> c.send("42{\"chat\":1}")),
                new Malformed("an event without a name", c -> c.send("42[]")),
                new Malformed("an event whose name is a number", c -> c.send("42[7,\"x\"]")),
                new Malformed("an ack id too large for a long", c -> c.send("42/chat,99999999999999999999[\"chat\"]")),
                new Malformed("a binary frame of garbage", c -> c.sendBinary(new byte[] {(byte) 0xde, (byte) 0xad, (byte) 0xbe, (byte) 0xef})),
                new Malformed("an Engine.IO 3 length prefix that lies", c -> c.send("\u0000999999\u00ff42[\"chat\",\"x\"]")),
                new Malformed("an empty text frame", c -> c.send("")),
                new Malformed("an empty binary frame", c -> c.sendBinary(new byte[0])),
                new Malformed("a ping from the client", c -> c.send("2")),
                new Malformed("a reserved event name", c -> c.send("42[\"disconnect\"]"))
        ).map(Arguments::of);
    }

    static Stream<Arguments> ignoredFrames() {
        return Stream.of(
                new Malformed("an ack nobody asked for", c -> c.send("4399[\"unexpected\"]")),
                new Malformed("a pong nobody asked for", c -> c.send("3")),
                new Malformed("an Engine.IO noop", c -> c.send("6"))
        ).map(Arguments::of);
    }

    @Nested
    @Order(2)
    class MalformedFrames {

        @ParameterizedTest(name = "{0}")
        @MethodSource("dev.cloudscope.server.reliability.HostileInputTest#malformedFrames")
        void aMalformedFrameClosesItsConnectionAndNoOther(Malformed frame) {
            try (LogCapture log = LogCapture.stderr()) {
                WireClient bystander = connectedToRoot();
                WireClient client = connectedToRoot();

                frame.send().accept(client);

                // as socket.io 4: a packet that breaks the protocol ends its connection, its disconnect path runs
                await().until(client::isClosed);
                await().untilAsserted(() -> assertThat(stdout.lines()).contains("disconnect!"));
                assertServesAChat(bystander, 1);
                assertThat(log.lines()).as("logged").noneMatch(line -> line.startsWith("ERROR dev.cloudscope.server.io.internal.core.Connection"));
            }
            Lesson.assertServed(server);
        }

                @ParameterizedTest(name = "{0}")
        @MethodSource("dev.cloudscope.server.reliability.HostileInputTest#malformedFrames")
        void aMalformedFrameIsAtMostOneWarningLine(Malformed frame) {
            WireClient client = connectedToRoot();
            try (LogCapture log = LogCapture.stderr()) {
                frame.send().accept(client);
                await().until(client::isClosed);

                assertAtMostOneWarningLine(log);
            }
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("dev.cloudscope.server.reliability.HostileInputTest#ignoredFrames")
        void aFrameWithNothingToDoIsIgnoredQuietly(Malformed frame) {
            try (LogCapture log = LogCapture.stderr()) {
                WireClient client = connectedToRoot();

                frame.send().accept(client);

                assertServesAChat(client, 1);
                assertThat(client.packetsOn("/")).hasSize(2 + 3);
                assertThat(log.lines()).isEmpty();
            }
            Lesson.assertServed(server);
        }

        @Test
        void aDeclaredAttachmentThatNeverComesLeavesTheConnectionOpenAndEveryoneElseServed() {
            try (LogCapture log = LogCapture.stderr()) {
                WireClient client = connectedToRoot();

                client.send("451-[\"x\",{\"_placeholder\":true,\"num\":0}]");

                Lesson.assertServed(server);
                assertThat(client.isClosed()).isFalse();
                assertThat(stdout.lines()).as("no event ran for it").noneMatch(line -> line.contains("\"x\""));
                assertThat(log.lines()).isEmpty();
            }
        }

        @Test
        void aHugeDeclaredAttachmentCountClosesTheConnectionBeforeItWaitsForAny() {
            try (LogCapture log = LogCapture.stderr()) {
                WireClient client = connectedToRoot();

                client.send("45999999999-[\"x\",{\"_placeholder\":true,\"num\":0}]");

                await().until(client::isClosed);
                assertThat(stdout.lines()).noneMatch(line -> line.contains("\"x\""));
                assertThat(log.lines()).singleElement().asString()
                        .contains("closed the connection").contains("declaring 999999999 attachments");
            }
            Lesson.assertServed(server);
        }

        @Test
        void aTextPacketBeforeTheAttachmentsClosesTheConnection() {
            try (LogCapture log = LogCapture.stderr()) {
                WireClient client = connectedToRoot();

                client.send("451-[\"x\",{\"_placeholder\":true,\"num\":0}]", "421[\"chat\",\"after\"]");

                // socket.io-parser: plain text while a binary packet waits for its attachments is an error
                await().until(client::isClosed);
                assertThat(stdout.lines()).noneMatch(line -> line.startsWith("[\"x\"") || line.contains("after"));
                assertThat(log.lines()).singleElement().asString()
                        .contains("closed the connection").contains("a packet before the attachments of a binary one");
            }
            Lesson.assertServed(server);
        }

        @Test
        void aBinaryEventWithItsAttachmentIsServedAndPingsInBetweenAreAnswered() {
            WireClient client = connectedToRoot();
            client.answerPings(false);

            client.send("451-[\"chat\",{\"_placeholder\":true,\"num\":0}]", "3");
            client.sendBinary(new byte[] {1, 2, 3});
            client.send("42[\"chat\",\"after\"]");

            await().untilAsserted(() -> assertThat(stdout.lines()).anyMatch(line -> line.contains("after")));
            assertThat(client.isClosed()).isFalse();
            assertThat(stdout.lines()).as("the binary chat ran first, the text chat after it")
                    .filteredOn(line -> line.startsWith("chat : ")).hasSize(2);
        }
    }

    /**
     * Server memory: what a client sent must not pin buffers once handled. netty's leak detector (every buffer
     * tracked) reports a buffer that was collected without being released; one packet per message leaks none.
     */
    @Nested
    @Order(1) // before anything that leaks (the fuzz run does): earlier leaks would be reported here
    class Buffers {

        private static final String BUG = "BUG: every Engine.IO message that holds several packets joined by \\u001e "
                + "(a batching Engine.IO 4 polling client's POST, or such a WebSocket frame) leaks a pooled direct buffer "
                + "per extra packet: netty-socketio's PacketDecoder.decode copies each packet out (frame.copy) and never "
                + "releases the copy";

        /** Runs {@code send} with every buffer tracked; the leak reports netty logged after a few collections. */
        private List<String> leaksReportedAfter(ThrowingRunnable send) throws Exception {
            ResourceLeakDetector.Level level = ResourceLeakDetector.getLevel();
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
            try (LogCapture leaks = LogCapture.of(ResourceLeakDetector.class)) {
                collectAndAllocate(3); // what leaked before this test is reported now, and forgotten
                leaks.clear();

                send.run();
                // a leak is reported once the leaked buffer was collected, when the next buffer is allocated
                for (int i = 0; i < 10 && leaks.errors().isEmpty(); i++) {
                    collectAndAllocate(1);
                }
                return leaks.errors();
            } finally {
                ResourceLeakDetector.setLevel(level);
            }
        }

        private void collectAndAllocate(int times) throws InterruptedException {
            for (int i = 0; i < times; i++) {
                System.gc();
                PooledByteBufAllocator.DEFAULT.directBuffer(1).release();
                Thread.sleep(20);
            }
        }

        @Test
        void webSocketFramesHoldingTwoPacketsCloseTheirConnectionAndLeaveNoBufferBehind() throws Exception {
            List<String> leaks = leaksReportedAfter(() -> {
                for (int i = 0; i < 20; i++) {
                    WireClient client = connectedToRoot();
                    // Engine.IO 4 over WebSocket: one packet a frame; \u001e joins packets over polling only
                    client.send("42" + (100 + 2 * i) + "[\"echo\",1]\u001e42" + (101 + 2 * i) + "[\"echo\",2]");
                    await().until(client::isClosed);
                }
            });

            assertThat(leaks).as("netty's leak reports").isEmpty();
        }

        @Test
        void pollingPostsWithJoinedPacketsLeaveNoBufferBehind() throws Exception {
            PollingClient polling = track(PollingClient.open(server.port()));

            List<String> leaks = leaksReportedAfter(() -> {
                polling.post("40");
                for (int i = 0; i < 50; i++) {
                    polling.post("42" + (100 + 2 * i) + "[\"echo\",1]\u001e42" + (101 + 2 * i) + "[\"echo\",2]");
                }
            });

            assertThat(leaks).as("netty's leak reports").isEmpty();
        }

        @Test
        void messagesOfOnePacketEachLeaveNoBufferBehind() throws Exception {
            WireClient client = connectedToRoot();
            PollingClient polling = track(PollingClient.open(server.port()));

            List<String> leaks = leaksReportedAfter(() -> {
                polling.post("40");
                for (int i = 0; i < 50; i++) {
                    client.send("42" + (100 + i) + "[\"echo\",1]");
                    polling.post("42" + (100 + i) + "[\"echo\",1]");
                }
                await().untilAsserted(() -> assertThat(client.packetsOn("/")).contains("3149[1]"));
            });

            assertThat(leaks).as("netty's leak reports").isEmpty();
            Lesson.assertServed(server);
        }
    }

    @FunctionalInterface
    interface ThrowingRunnable {
        void run() throws Exception;
    }

    // ------------------------------------------------------------------------------------------------------------

    static Stream<Arguments> chatArguments() {
        return Stream.of(
                Arguments.of("no argument", "", "null"),
                Arguments.of("a number", ",42", "42"),
                Arguments.of("a boolean", ",true", "true"),
                Arguments.of("null", ",null", "null"),
                Arguments.of("an object", ",{\"text\":\"hi\",\"n\":1}", "{text=hi, n=1}"),
                Arguments.of("an array", ",[\"a\",\"b\"]", "[a, b]"),
                Arguments.of("10 arguments", ",\"one\",2,3,4,5,6,7,8,9,10", "one"));
    }

    @Nested
    @Order(3)
    class OddEvents {

        @ParameterizedTest(name = "chat with {0}")
        @MethodSource("dev.cloudscope.server.reliability.HostileInputTest#chatArguments")
        void aChatWithOddArgumentsRunsTheFilterAndTheControllerWithWhatCameAndIsAcked(String what, String args,
                                                                                        String printed) {
            try (LogCapture log = LogCapture.stderr()) {
                WireClient client = connectedToRoot();

                client.send("427[\"chat\"" + args + "]");

                await().untilAsserted(() -> assertThat(client.packetsOn("/")).contains("37[]"));
                assertThat(client.packetsOn("/").subList(2, client.packetsOn("/").size())).containsExactly(
                        "2[\"res\",\"packet!Hello Man!!\"]",
                        "2[\"res\",\"Hello Man!!\"]",
                        "37[]");
                await().untilAsserted(() -> assertThat(stdout.lines()).contains("packet response!"));
                assertThat(stdout.lines()).containsExactly(
                        "[\"chat\"" + args + "]",                  // the filter prints the packet as it came
                        "chat : " + printed + " : " + PID,         // the controller takes the first argument
                        "packet response!");
                assertServesAChat(client, 8);
                assertThat(log.lines()).isEmpty();
            }
            Lesson.assertServed(server);
        }

        @Test
        void anEventWithNoRouteRunsThePacketMiddlewareOnlyAndIsAcked() {
            WireClient client = connectedToRoot();

            client.send("421[\"nothing-here\",1]");

            await().untilAsserted(() -> assertThat(client.packetsOn("/")).contains("31[]"));
            assertThat(client.packetsOn("/").subList(2, client.packetsOn("/").size()))
                    .containsExactly("2[\"res\",\"packet!Hello Man!!\"]", "31[]");
            await().untilAsserted(() -> assertThat(stdout.lines()).contains("packet response!"));
            assertThat(stdout.lines()).containsExactly("[\"nothing-here\",1]", "packet response!");
            assertServesAChat(client, 2);
            Lesson.assertServed(server);
        }

        @Test
        void anEventForANamespaceTheClientIsNotConnectedToClosesTheConnection() {
            for (String frame : new String[] {"42/chat,5[\"chat\",\"not connected\"]", "42/nope,6[\"chat\",\"no such namespace\"]"}) {
                WireClient client = connectedToRoot();

                client.send(frame);

                await().until(client::isClosed);
                assertThat(client.packets()).as("nothing on /chat or /nope, no ack")
                        .noneMatch(packet -> packet.contains("/chat") || packet.contains("/nope"));
            }
            assertThat(stdout.lines()).noneMatch(line -> line.contains("not connected") || line.contains("no such namespace"));
            Lesson.assertServed(server);
        }

        @Test
        void anEventBeforeAnyConnectClosesTheConnection() {
            WireClient client = track(WireClient.open(server.port()));
            await().until(() -> !client.received.isEmpty());

            client.send("421[\"chat\",\"too early\"]", "40");

            await().until(client::isClosed);
            assertThat(client.packetsOn("/")).as("no CONNECT, no ack").isEmpty();
            assertThat(stdout.lines()).noneMatch(line -> line.contains("too early"));
            Lesson.assertServed(server);
        }
    }

    // ------------------------------------------------------------------------------------------------------------

    @Nested
    @Order(4)
    class PayloadLimit {

        /** A chat frame of exactly {@code size} bytes: {@code 42["chat","xx...x"]}. */
        private String chatFrameOf(int size) {
            String frame = "42[\"chat\",\"" + repeat(size - "42[\"chat\",\"\"]".length()) + "\"]";
            assertThat(frame.getBytes(StandardCharsets.UTF_8)).hasSize(size);
            return frame;
        }

        @Test
        void aFrameOfExactlyTheLimitIsServed() {
            WireClient client = connectedToRoot();

            client.send(chatFrameOf(MAX_PAYLOAD));

            await().untilAsserted(() -> assertThat(client.packetsOn("/")).hasSize(4));
            assertThat(client.isClosed()).isFalse();
            assertServesAChat(client, 1);
            Lesson.assertServed(server);
        }

        @Test
        void aFrameOverTheLimitClosesThatConnectionInOneWarningAndEveryoneElseIsServed() {
            try (LogCapture log = LogCapture.stderr()) {
                WireClient client = connectedToRoot();

                client.send(chatFrameOf(MAX_PAYLOAD + 1));

                await().until(client::isClosed);
                await().untilAsserted(() -> assertThat(stdout.lines()).contains("disconnect!"));
                assertThat(stdout.lines()).as("the oversize chat never ran; the disconnect path ran once")
                        .containsExactly("disconnect!");
                assertThat(client.packetsOn("/")).hasSize(2);
                assertThat(log.lines()).singleElement().asString()
                        .startsWith("WARN ").contains("Max frame length of " + MAX_PAYLOAD).doesNotContain("stack trace");
            }
            Lesson.assertServed(server);
        }

        @Test
        void aFrameOverTheLimitIsClosedWithCode1009AndAReason() {
            WireClient client = connectedToRoot();

            client.send(chatFrameOf(MAX_PAYLOAD + 1));

            await().until(client::isClosed);
            assertThat(client.closeInfo().code()).isEqualTo(1009);
            assertThat(client.closeInfo().reason()).isNotBlank();
        }

        /** Polls until the server has sent {@code count} packets (a poll answers with what is queued so far). */
        private List<String> packets(PollingClient polling, int count) throws Exception {
            List<String> packets = new ArrayList<>();
            for (int polls = 0; packets.size() < count && polls < 10; polls++) {
                packets.addAll(polling.poll());
            }
            return packets;
        }

        /** POSTs {@code body}; the status, or -1 when the server answered nothing and closed the connection. */
        private int postStatus(PollingClient polling, String body) throws InterruptedException {
            try {
                return polling.post(body).statusCode();
            } catch (IOException e) {
                return -1;
            }
        }

        @Test
        void aPollingPostOverTheLimitIsRejectedAndNeverRuns() throws Exception {
            PollingClient polling = track(PollingClient.open(server.port()));
            assertThat(polling.post("40").body()).isEqualTo("ok");
            assertThat(packets(polling, 2)).last().isEqualTo("42[\"res\",\"auth!Hello Man!!\"]");

            int status = postStatus(polling, chatFrameOf(MAX_PAYLOAD + 1));

            assertThat(status).as("413, or no answer and the connection closed").isIn(413, -1);
            Lesson.assertServed(server);
            assertThat(stdout.lines()).noneMatch(line -> line.contains(repeat(100)));
        }

        @Test
        void aPollingPostOfExactlyTheLimitIsServed() throws Exception {
            PollingClient polling = track(PollingClient.open(server.port()));
            assertThat(polling.post("40").body()).isEqualTo("ok");
            assertThat(packets(polling, 2)).first().asString().startsWith("40{\"sid\":");

            assertThat(polling.post(chatFrameOf(MAX_PAYLOAD)).statusCode()).isEqualTo(200);

            assertThat(packets(polling, 2)).containsExactly(
                    "42[\"res\",\"packet!Hello Man!!\"]", "42[\"res\",\"Hello Man!!\"]");
            Lesson.assertServed(server);
        }

                @Test
        void aPollingPostOverTheLimitIsAnsweredWith413() throws Exception {
            PollingClient polling = track(PollingClient.open(server.port()));

            assertThat(postStatus(polling, chatFrameOf(MAX_PAYLOAD + 1))).isEqualTo(413);
        }

        @Test
        void twentyOversizeMessagesLeaveTheServerServingAndNothingBehind() throws Exception {
            String huge = "42[\"chat\",\"" + repeat(200_000) + "\"]";
            try (LogCapture log = LogCapture.stderr()) {
                for (int i = 0; i < 10; i++) {
                    WireClient client = connectedToRoot();
                    client.send(huge);
                    await().until(client::isClosed);
                    PollingClient polling = track(PollingClient.open(server.port()));
                    assertThat(postStatus(polling, huge)).isIn(413, -1);
                }

                Lesson.assertServed(server);
                assertThat(log.lines()).as("one warning per oversize frame, none for the POSTs").hasSize(10)
                        .allSatisfy(line -> assertThat(line).startsWith("WARN ").doesNotContain("stack trace"));
            }
            assertThat(stdout.lines()).noneMatch(line -> line.contains(repeat(100)));
        }
    }

    // ------------------------------------------------------------------------------------------------------------

    @Nested
    @Order(5)
    class EngineIoVersions {

        @Test
        void aWebSocketWithAnUnknownEngineIoVersionIsRefusedAndTheServerKeepsServing() {
            try (LogCapture log = LogCapture.stderr()) {
                assertThatThrownBy(() -> WireClient.openWithQuery(server.port(), "EIO=9&transport=websocket", false))
                        .hasMessageContaining("400");

                Lesson.assertServed(server);
                assertThat(log.lines()).noneMatch(line -> line.startsWith("ERROR"));
            }
        }

                @Test
        void aHandshakeWithAnUnknownEngineIoVersionIsRefusedWith400() throws Exception {
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                            "http://127.0.0.1:" + server.port() + "/socket.io/?EIO=9&transport=polling"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());

            try {
                assertThat(response.statusCode()).isEqualTo(400);
                assertThat(response.body()).contains("Unsupported protocol version");
                assertThat(server.server().connectionCount()).isZero();
                assertThat(stdout.lines()).isEmpty();
            } finally {
                closeSessionOf(response); // while the bug is there, the server made a session; end it
            }
        }

        /** Ends the polling session that {@code handshake} opened, if it did, with an Engine.IO 3 close ("1:1"). */
        private void closeSessionOf(HttpResponse<String> handshake) throws Exception {
            Matcher sid = Pattern.compile("\"sid\":\"([^\"]+)\"").matcher(handshake.body());
            if (sid.find()) {
                HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                                + "/socket.io/?EIO=9&transport=polling&sid=" + sid.group(1)))
                        .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString("1:1")).build(),
                        HttpResponse.BodyHandlers.ofString());
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------------

    /**
     * A seeded fuzz run: valid frames of the lesson's protocol, mutated (bytes flipped, inserted, deleted, packet type
     * digits swapped, JSON cut, random namespaces and ack ids, frames doubled or joined), sent over a handful of raw
     * connections (one the server closes is replaced), bounded by a frame count and a time cap. Then every fuzz
     * connection leaves, the live count returns to zero, and a well-behaved client gets the lesson's exact sequence.
     *
     * <p>Reproduce a run with {@code -Dfuzz.seed=N} (and {@code -Dfuzz.frames=N}); the run prints both.
     */
    @Nested
    @Order(6)
    class Fuzz {

        private static final long DEFAULT_SEED = 0x5eed_c10dL;
        private static final int CONNECTIONS = 8;
        /** Frames a fuzz connection gets before it leaves and a fresh one takes its place (a declared attachment count
         *  can make a connection swallow every later frame; see MalformedFrames). */
        private static final int FRAMES_PER_CONNECTION = 150;
        private static final Duration TIME_CAP = Duration.ofSeconds(20);

        private static final String[] VALID = {
                "40", "40/chat,", "40{\"token\":\"t\"}", "41", "41/chat,",
                "42[\"chat\",\"hello world!\"]", "421[\"chat\",\"hello world!\"]", "42/chat,[\"chat\",\"hi\"]",
                "42/chat,7[\"chat\",\"hi\"]", "4212[\"echo\",1,{\"a\":[true,null]}]", "42/chat,3[\"echo\",\"x\"]",
                "42[\"nothing\"]", "431[]", "43/chat,2[\"ok\"]", "44{\"message\":\"x\"}",
                "451-[\"chat\",{\"_placeholder\":true,\"num\":0}]", "461-[{\"_placeholder\":true,\"num\":0}]",
                "2", "3", "2probe", "5", "6",
        };
        private static final String ALPHABET = "0123456789[]{}\",:/-?\\ \u001e\u0000abcxyzé😀\u00ff";

        private final Random random = new Random();

        private String randomNamespace() {
            return switch (random.nextInt(5)) {
                case 0 -> "/chat";
                case 1 -> "/";
                case 2 -> "/nope";
                case 3 -> "/" + (char) ('a' + random.nextInt(26)) + random.nextInt(100);
                default -> "";
            };
        }

        private String randomAckId() {
            return switch (random.nextInt(4)) {
                case 0 -> String.valueOf(random.nextInt(10));
                case 1 -> String.valueOf(random.nextInt(Integer.MAX_VALUE));
                case 2 -> String.valueOf(Math.abs(random.nextLong()));
                default -> "9".repeat(1 + random.nextInt(30));
            };
        }

        private char randomChar() {
            return ALPHABET.charAt(random.nextInt(ALPHABET.length()));
        }

        private String mutate(String frame) {
            StringBuilder out = new StringBuilder(frame);
            int mutations = 1 + random.nextInt(3);
            for (int m = 0; m < mutations; m++) {
                int at = out.length() == 0 ? 0 : random.nextInt(out.length());
                switch (random.nextInt(9)) {
                    case 0 -> { if (out.length() > 0) out.setCharAt(at, randomChar()); }                  // flip
                    case 1 -> out.insert(at, randomChar());                                              // insert
                    case 2 -> { if (out.length() > 0) out.deleteCharAt(at); }                            // delete
                    case 3 -> { if (out.length() > 0) out.setCharAt(random.nextInt(Math.min(2, out.length())), // type digits
                            (char) ('0' + random.nextInt(10))); }
                    case 4 -> out.setLength(at);                                                          // cut
                    case 5 -> out.insert(Math.min(2, out.length()), randomNamespace() + ",");             // namespace
                    case 6 -> out.insert(Math.min(2, out.length()), randomAckId());                       // ack id
                    case 7 -> out.append(out.toString());                                                 // doubled
                    default -> out.append('\u001e').append(VALID[random.nextInt(VALID.length)]);        // joined
                }
            }
            return out.toString();
        }

        /** A fresh fuzz connection, on / and /chat as a real client would start. */
        private WireClient fuzzConnection() {
            WireClient client = track(WireClient.open(server.port()));
            client.send("40", "40/chat,");
            return client;
        }

        @Test
        void afterThousandsOfMutatedFramesTheServerServesTheLessonAndNothingIsLeft() throws Exception {
            long seed = Long.getLong("fuzz.seed", DEFAULT_SEED);
            int maxFrames = Integer.getInteger("fuzz.frames", 5000);
            random.setSeed(seed);
            List<WireClient> connections = new ArrayList<>();
            int[] sentOn = new int[CONNECTIONS];
            int opened = 0;
            int closedByServer = 0;
            int frames = 0;
            long started = System.nanoTime();
            long deadline = started + TIME_CAP.toNanos();
            try (LogCapture log = LogCapture.stderr()) {
                for (int i = 0; i < CONNECTIONS; i++) {
                    connections.add(fuzzConnection());
                    opened++;
                }
                while (frames < maxFrames && System.nanoTime() < deadline) {
                    int slot = random.nextInt(CONNECTIONS);
                    if (connections.get(slot).isClosed() || sentOn[slot] == FRAMES_PER_CONNECTION) {
                        closedByServer += connections.get(slot).isClosed() ? 1 : 0;
                        connections.get(slot).close();
                        connections.set(slot, fuzzConnection());
                        sentOn[slot] = 0;
                        opened++;
                    }
                    sentOn[slot]++;
                    WireClient client = connections.get(slot);
                    int kind = random.nextInt(100);
                    String valid = VALID[random.nextInt(VALID.length)];
                    if (kind < 10) {
                        client.send(valid);
                    } else if (kind < 13) {
                        client.sendBinary(mutate(valid).getBytes(StandardCharsets.UTF_8));
                    } else if (kind < 14) {
                        client.send("42[\"chat\",\"" + repeat(MAX_PAYLOAD + random.nextInt(MAX_PAYLOAD)) + "\"]");
                    } else {
                        client.send(mutate(valid));
                    }
                    frames++;
                }
                long elapsedMs = (System.nanoTime() - started) / 1_000_000;
                String summary = String.format("fuzz: seed=%d frames=%d connections=%d (%d at a time, %d closed by the "
                        + "server) in %d ms; repeat with -Dfuzz.seed=%d", seed, frames, opened, CONNECTIONS, closedByServer,
                        elapsedMs, seed);
                stdout.printOriginal(summary); // for the reader of the test's output, not for the capture

                for (WireClient client : connections) {
                    client.close();
                }
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(server.server().connectionCount())
                        .as("live connections after every fuzz client left (seed %d)", seed).isZero());
                Lesson.assertServed(server);
                await().untilAsserted(() -> assertThat(debugConnections()).isEqualTo("{\"connections\":0}"));

                assertThat(frames).as("frames sent (seed %d)", seed).isGreaterThanOrEqualTo(Math.min(maxFrames, 1000));
                assertThat(log.lines()).as("our framework never failed a chain (seed %d)", seed)
                        .noneMatch(line -> line.startsWith("ERROR dev.cloudscope.server.io.internal.core.Connection"));
                stdout.printOriginal(String.format("fuzz: the server logged %d lines meanwhile, by logger: %s",
                        log.lines().size(), log.events().stream().collect(Collectors.groupingBy(
                                event -> event.getLevel() + " " + event.getLoggerName(), TreeMap::new,
                                Collectors.counting()))));
            }
        }

        private String debugConnections() throws Exception {
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                            "http://127.0.0.1:" + server.port() + "/debug/connections"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            return response.body().strip();
        }
    }
}
