package dev.cloudscope.server.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cloudscope.server.testing.Lesson;
import dev.cloudscope.server.testing.LogCapture;
import dev.cloudscope.server.testing.StdoutCapture;
import dev.cloudscope.server.testing.TestClient;
import dev.cloudscope.server.testing.TestServer;
import dev.cloudscope.server.testing.WireClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code auth.tokens}: the lesson's server as Main builds it (ConfigModule, IoModule, the real AppModule), with
 * tokens set in a HOCON file layered over the defaults, and the same server on the defaults (no tokens: open).
 * Whether the controller ran is read from stdout, where the lesson's app prints each chat.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuthTest {

    private static final long PID = ProcessHandle.current().pid();
    private static final String TOKEN = "s3cret-token-1";
    private static final String SECOND_TOKEN = "s3cret-token-2";
    /** A token may hold any character; '[' is where netty-socketio's packet decoder looks for an event's data. */
    private static final String BRACKET_TOKEN = "s3cret[3]";
    private static final Map<String, String> GOOD = Map.of("token", TOKEN);

    private TestServer secured;
    private TestServer open;
    private StdoutCapture stdout;
    private final List<AutoCloseable> clients = new ArrayList<>();

    @BeforeAll
    void startServers() {
        Awaitility.setDefaultPollDelay(Duration.ZERO);           // most awaits here are met within milliseconds
        Awaitility.setDefaultPollInterval(Duration.ofMillis(10));
        secured = TestServer.startLesson(
                "auth.tokens = [\"" + TOKEN + "\", \"" + SECOND_TOKEN + "\", \"" + BRACKET_TOKEN + "\"]");
        open = TestServer.startLesson("auth.tokens = []");
    }

    @AfterAll
    void stopServers() {
        Awaitility.reset();
        TestServer.closeAll(secured, open);
    }

    @BeforeEach
    void captureStdout() {
        stdout = StdoutCapture.start();
    }

    @AfterEach
    void closeClients() throws Exception {
        try {
            for (AutoCloseable client : clients) {
                client.close();
            }
            clients.clear();
            await().untilAsserted(() -> {
                assertThat(secured.server().connectionCount()).isZero();
                assertThat(open.server().connectionCount()).isZero();
            });
        } finally {
            stdout.close();
        }
    }

    private <C extends AutoCloseable> C track(C client) {
        clients.add(client);
        return client;
    }

    private List<String> chatLines() {
        return stdout.lines().stream().filter(line -> line.startsWith("chat : ")).toList();
    }

    /** The message of a socket.io 4 connect error, as the Java client hands it over: {"message": ...}. */
    private static String connectErrorMessage(TestClient client) throws Exception {
        Object error = client.seen("connect_error").get(0).args().get(0);
        return new ObjectMapper().readTree(String.valueOf(error)).get("message").asText();
    }

    // --- socket.io 4 clients: the auth payload

    @Test
    void aClientWithTheRightTokenInItsAuthPayloadIsServedTheLesson() {
        Lesson.assertServed(secured, GOOD);

        assertThat(chatLines()).containsExactly("chat : hello world! : " + PID);
    }

    @Test
    void everyConfiguredTokenIsAcceptedOnEveryNamespaceWithAuth() {
        Lesson.assertServed(secured, Map.of("token", SECOND_TOKEN));
        TestClient chat = track(TestClient.connectWithAuth(secured.url("/chat"), Map.of("token", SECOND_TOKEN), "res"));
        await().until(chat::connected);

        chat.emitWithAck("chat", "on /chat");

        await().untilAsserted(() -> assertThat(chat.events()).contains("ack:chat"));
        assertThat(chat.events()).containsExactly("connect", "res", "res", "ack:chat");
        assertThat(chat.seen("res")).extracting(seen -> seen.args().get(0))
                .containsExactly("auth!Hello Man!!", "Hello Man!!");
    }

    @Test
    void aWrongTokenGetsAConnectErrorSayingUnauthorizedAndTheControllerNeverRuns() throws Exception {
        TestClient intruder = track(TestClient.connectWithAuth(secured.url("/"), Map.of("token", "not-the-token"), "res"));
        intruder.emitWithAck("chat", "let me in"); // held by the client until it is connected, which it never is

        await().untilAsserted(() -> assertThat(intruder.events()).contains("connect_error"));
        assertThat(connectErrorMessage(intruder)).isEqualTo("unauthorized");

        Lesson.assertServed(secured, GOOD);
        assertThat(intruder.events()).containsExactly("connect_error");
        assertThat(chatLines()).containsExactly("chat : hello world! : " + PID);
    }

    @Test
    void noTokenAtAllGetsAConnectErrorSayingUnauthorizedOnEveryNamespaceWithAuth() throws Exception {
        TestClient main = track(TestClient.connect(secured.url("/"), "res"));
        TestClient chat = track(TestClient.connect(secured.url("/chat"), "res"));

        await().untilAsserted(() -> {
            assertThat(main.events()).contains("connect_error");
            assertThat(chat.events()).contains("connect_error");
        });
        assertThat(connectErrorMessage(main)).isEqualTo("unauthorized");
        assertThat(connectErrorMessage(chat)).isEqualTo("unauthorized");

        Lesson.assertServed(secured, GOOD);
        assertThat(main.events()).containsExactly("connect_error");
        assertThat(chat.events()).containsExactly("connect_error");
    }

    @Test
    void packetsSentRightBehindARefusedConnectReachNeitherTheFilterNorTheController() {
        WireClient intruder = track(WireClient.open(secured.port()));

        // what a hostile client can do that the socket.io client will not: send events before the answer. Those
        // read while the auth middleware runs are held and dropped with the refusal; those read after it are events
        // for a namespace the client is not connected to, which closes its connection (as socket.io 4 does)
        intruder.send("40{\"token\":\"guess\"}", "421[\"chat\",\"sneaky\"]", "42[\"chat\",\"sneaky\"]");
        await().untilAsserted(() -> assertThat(intruder.packetsOn("/")).isNotEmpty());

        assertThat(intruder.packetsOn("/")).first().isEqualTo("4{\"message\":\"unauthorized\"}");
        assertThat(intruder.packetsOn("/")).as("no CONNECT, no reply, no ack").hasSize(1);
        Lesson.assertServed(secured, GOOD);
        assertThat(stdout.lines()).as("the filter prints each packet, the controller each chat")
                .noneMatch(line -> line.contains("sneaky"));
    }

    @Test
    void aClientRefusedOnceMayAskAgainOnTheSameTransportWithTheToken() {
        WireClient client = track(WireClient.open(secured.port()));

        client.send("40{\"token\":\"guess\"}");
        await().untilAsserted(() -> assertThat(client.packetsOn("/")).isNotEmpty());
        client.send("40{\"token\":\"" + TOKEN + "\"}", "422[\"chat\",\"welcome\"]");

        await().untilAsserted(() -> assertThat(client.packetsOn("/")).contains("32[]"));
        assertThat(client.packetsOn("/")).satisfiesExactly(
                refused -> assertThat(refused).isEqualTo("4{\"message\":\"unauthorized\"}"),
                connect -> assertThat(connect).startsWith("0{\"sid\":"),
                auth -> assertThat(auth).isEqualTo("2[\"res\",\"auth!Hello Man!!\"]"),
                packet -> assertThat(packet).isEqualTo("2[\"res\",\"packet!Hello Man!!\"]"),
                chat -> assertThat(chat).isEqualTo("2[\"res\",\"Hello Man!!\"]"),
                ack -> assertThat(ack).isEqualTo("32[]"));
        assertThat(stdout.lines()).contains("chat : welcome : " + PID);
    }

    @ParameterizedTest(name = "auth {0}")
    @ValueSource(strings = {"{\"token\":12345}", "{\"token\":null}", "{\"token\":true}",
            "{\"token\":{\"value\":\"TOKEN\"}}", "{}", "{\"tok\":\"TOKEN\"}", "{\"token\":\"TOKEN \"}",
            "{\"token\":\"\"}", "{\"Token\":\"TOKEN\"}"})
    void anAuthPayloadWithoutAConfiguredTokenStringIsRefused(String payload) {
        WireClient client = track(WireClient.open(secured.port()));

        client.send("40" + payload.replace("TOKEN", TOKEN), "421[\"chat\",\"sneaky\"]");

        await().untilAsserted(() -> assertThat(client.packetsOn("/")).isNotEmpty());
        assertThat(client.packetsOn("/")).containsExactly("4{\"message\":\"unauthorized\"}");
        Lesson.assertServed(secured, GOOD);
        assertThat(client.packetsOn("/")).hasSize(1);
        assertThat(stdout.lines()).noneMatch(line -> line.contains("sneaky"));
    }

    @Test
    void aTokenWithABracketIsAcceptedInTheAuthPayload() {
        Lesson.assertServed(secured, Map.of("token", BRACKET_TOKEN));
    }

    @Test
    void aTokenWithABracketIsAcceptedInTheHandshakeQuery() {
        TestClient client = track(TestClient.connectWithQuery(secured.url("/"), "token=s3cret%5B3%5D", "res"));

        Lesson.assertServedOn(client);
    }

    @Test
    void anAuthPayloadWithAnArrayIsAnswered() {
        WireClient client = track(WireClient.open(open.port()));

        client.send("40{\"token\":\"x\",\"roles\":[\"a\",\"b\"]}");

        await().untilAsserted(() -> assertThat(client.packetsOn("/")).isNotEmpty());
        assertThat(client.packetsOn("/").get(0)).startsWith("0{\"sid\":");
    }

    // --- the handshake query: 2.x clients (Engine.IO 3), and 4.x clients that use it

    @Test
    void aTokenInTheHandshakeQueryLetsAnEngineIo3ClientIn() {
        WireClient v2 = track(WireClient.openWithQuery(secured.port(), "EIO=3&transport=websocket&token=" + TOKEN, true));
        await().untilAsserted(() -> assertThat(v2.packetsOn("/")).hasSize(2));

        v2.send("421[\"chat\",\"hello world!\"]");

        await().untilAsserted(() -> assertThat(v2.packetsOn("/")).contains("31[]"));
        assertThat(v2.packetsOn("/")).containsExactly(
                "0",                                 // Engine.IO 3: connected to / by the protocol
                "2[\"res\",\"auth!Hello Man!!\"]",
                "2[\"res\",\"packet!Hello Man!!\"]",
                "2[\"res\",\"Hello Man!!\"]",
                "31[]");
        assertThat(chatLines()).containsExactly("chat : hello world! : " + PID);
        Lesson.assertServed(secured, GOOD);
    }

    @Test
    void anEngineIo3ClientWithAWrongQueryTokenIsRefusedAndWhatItSendsNeverRuns() {
        WireClient v2 = track(WireClient.openWithQuery(secured.port(), "EIO=3&transport=websocket&token=guess", true));
        await().untilAsserted(() -> assertThat(v2.packetsOn("/")).contains("4\"unauthorized\""));

        v2.send("421[\"chat\",\"sneaky\"]");
        Lesson.assertServed(secured, GOOD);

        assertThat(v2.packetsOn("/")).as("the refusal alone, as socket.io 2 sends it: no CONNECT before it")
                .containsExactly("4\"unauthorized\"");
        assertThat(stdout.lines()).noneMatch(line -> line.contains("sneaky"));
    }

    @Test
    void aSocketIo4ClientMayAlsoSendItsTokenInTheHandshakeQuery() {
        TestClient client = track(TestClient.connectWithQuery(secured.url("/"), "token=" + TOKEN, "res"));

        Lesson.assertServedOn(client);
    }

    // --- what the log says

    @Test
    void aRefusalIsOneWarningWithTheRemoteAddressAndNeverTheToken() {
        String guess = "guess-" + TOKEN; // contains the real token: neither may appear
        try (LogCapture log = LogCapture.stderr()) {
            TestClient intruder = track(TestClient.connectWithAuth(secured.url("/"), Map.of("token", guess)));
            await().untilAsserted(() -> assertThat(intruder.events()).contains("connect_error"));
            Lesson.assertServed(secured, GOOD);

            assertThat(log.lines()).singleElement().asString()
                    .startsWith("WARN ")
                    .contains("refused", "unauthorized", "namespace /", "from /127.0.0.1:")
                    .doesNotContain(TOKEN);
            assertThat(log.messages()).noneMatch(message -> message.contains(TOKEN));
        }
    }

    @Test
    void aMalformedAuthPayloadNeverPutsTheTokenInTheLog() {
        try (LogCapture log = LogCapture.stderr()) {
            WireClient client = track(WireClient.open(secured.port()));

            client.send("40{\"token\":\"" + TOKEN + "\"");

            // a packet that breaks the protocol closes the connection (socket.io 4); the log says why, not what
            await().until(client::isClosed);
            assertThat(log.messages()).anyMatch(message -> message.contains("a payload that is not JSON"))
                    .noneMatch(message -> message.contains(TOKEN));
        }
    }

    // --- no tokens: the lesson's default

    @Test
    void withoutTokensEveryoneIsLetInAsInTheLesson() {
        Lesson.assertServed(open);
        Lesson.assertServed(open, Map.of("token", "anything at all"));
        WireClient v2 = track(WireClient.openWithQuery(open.port(), "EIO=3&transport=websocket", true));

        await().untilAsserted(() -> assertThat(v2.packetsOn("/")).containsExactly("0", "2[\"res\",\"auth!Hello Man!!\"]"));
        assertThat(chatLines()).containsExactly("chat : hello world! : " + PID, "chat : hello world! : " + PID);
    }
}
