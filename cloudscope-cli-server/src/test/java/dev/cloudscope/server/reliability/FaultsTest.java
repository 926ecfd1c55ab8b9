package dev.cloudscope.server.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import com.corundumstudio.socketio.transport.WebSocketTransport;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import dev.cloudscope.server.app.AppRoutes;
import dev.cloudscope.server.app.io.controller.ChatController;
import dev.cloudscope.server.io.ConnectionMiddleware;
import dev.cloudscope.server.io.Controller;
import dev.cloudscope.server.io.IoBindings;
import dev.cloudscope.server.io.IoContext;
import dev.cloudscope.server.io.PacketMiddleware;
import dev.cloudscope.server.io.Routes;
import dev.cloudscope.server.testing.Lesson;
import dev.cloudscope.server.testing.LogCapture;
import dev.cloudscope.server.testing.StdoutCapture;
import dev.cloudscope.server.testing.TestClient;
import dev.cloudscope.server.testing.TestClient.Seen;
import dev.cloudscope.server.testing.TestServer;
import dev.cloudscope.server.testing.WireClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Faults: a peer that goes silent, a transport cut while a packet is inside slow packet middleware, a controller or
 * middleware that fails. The lesson's app (as Main builds it) plus the test's own namespaces, middleware and routes,
 * on three servers: one with {@code io.errorEvent = "error"}, one on the defaults, one with a 300 ms heartbeat.
 * After each case every client is gone, every connection's disconnect path has run, and a well-behaved client is
 * served the lesson's exact sequence.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FaultsTest {

    private static final long PID = ProcessHandle.current().pid();
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The framework's connection, which logs failed packets. */
    private static final String CONNECTION_LOGGER = "dev.cloudscope.server.io.internal.core.Connection";

    private static final String NAMESPACES = """
            io.namespace {
              "/slow"      { connectionMiddleware = [auth, lifecycle], packetMiddleware = [slow, filter] }
              "/faulty"    { connectionMiddleware = [], packetMiddleware = [fragile] }
              "/lifecycle" { connectionMiddleware = [lifecycle], packetMiddleware = [] }
            }
            """;

    /** What the test's server-side code did, in order. */
    private final List<String> journal = new CopyOnWriteArrayList<>();
    /** The "slow" packet middleware calls next once the test completes this. */
    private volatile CompletableFuture<Void> release = new CompletableFuture<>();

    private TestServer withErrorEvent;
    private TestServer plain;
    private TestServer heartbeat;
    private StdoutCapture stdout;
    private final List<AutoCloseable> clients = new ArrayList<>();

    // --- the test's additions to the lesson's app

    private final ConnectionMiddleware lifecycle = (ctx, next) -> {
        String ns = ctx.socket().namespace();
        journal.add("connected " + ns);
        return next.call().thenRun(() -> journal.add("disconnected " + ns));
    };

    private final PacketMiddleware slow = (ctx, next) -> {
        journal.add("slow: waiting");
        return release.thenCompose(released -> next.call()).thenRun(() -> journal.add("slow: after next"));
    };

    private static String firstArg(IoContext ctx) {
        return ctx.args().isEmpty() ? "" : String.valueOf(ctx.args().get(0));
    }

    private final PacketMiddleware fragile = (ctx, next) -> switch (firstArg(ctx)) {
        case "middleware-throws" -> throw new IllegalStateException("middleware broke");
        case "middleware-fails" -> CompletableFuture.failedFuture(new IllegalStateException("middleware failed"));
        default -> next.call();
    };

    private final Controller work = ctx -> switch (firstArg(ctx)) {
        case "controller-throws" -> throw new IllegalStateException("controller broke");
        case "controller-fails" -> CompletableFuture.failedFuture(new IllegalStateException("controller failed"));
        default -> {
            ctx.ack("done " + firstArg(ctx));
            yield CompletableFuture.completedFuture(null);
        }
    };

    private final class FaultApp extends AbstractModule {
        @Override
        protected void configure() {
            IoBindings.connectionMiddleware(binder()).addBinding("lifecycle").toInstance(lifecycle);
            IoBindings.packetMiddleware(binder()).addBinding("slow").toInstance(slow);
            IoBindings.packetMiddleware(binder()).addBinding("fragile").toInstance(fragile);
        }

        /** The lesson's routes, and the test's. */
        @Provides
        Routes routes(AppRoutes lesson, ChatController chat) {
            return io -> {
                lesson.define(io);
                io.of("/slow").route("chat", chat::index);
                io.of("/faulty").route("work", work);
            };
        }
    }

    @BeforeAll
    void startServers() {
        Awaitility.setDefaultPollDelay(Duration.ZERO);
        Awaitility.setDefaultPollInterval(Duration.ofMillis(10));
        withErrorEvent = TestServer.startLesson(NAMESPACES + "io.errorEvent = \"error\"\n", new FaultApp());
        plain = TestServer.startLesson(NAMESPACES, new FaultApp());
        heartbeat = TestServer.startLesson(NAMESPACES + "io.pingInterval = 300ms\nio.pingTimeout = 300ms\n", new FaultApp());
    }

    @AfterAll
    void stopServers() {
        Awaitility.reset();
        TestServer.closeAll(withErrorEvent, plain, heartbeat);
    }

    @BeforeEach
    void freshState() {
        release = new CompletableFuture<>();
        journal.clear();
        stdout = StdoutCapture.start();
    }

    @AfterEach
    void closeClientsAndAwaitTheirDisconnectPaths() throws Exception {
        try {
            release.complete(null);
            for (AutoCloseable client : clients) {
                client.close();
            }
            clients.clear();
            await().untilAsserted(() -> {
                assertThat(withErrorEvent.server().connectionCount()).isZero();
                assertThat(plain.server().connectionCount()).isZero();
                assertThat(heartbeat.server().connectionCount()).isZero();
            });
        } finally {
            stdout.close();
        }
    }

    private <C extends AutoCloseable> C track(C client) {
        clients.add(client);
        return client;
    }

    private long journalCount(String entry) {
        return journal.stream().filter(entry::equals).count();
    }

    // ------------------------------------------------------------------------------------------------------------

    @Nested
    class DeadPeers {

        @Test
        void aPeerThatStopsAnsweringPingsIsDroppedAndItsDisconnectPathsRunOnce() {
            WireClient silent = track(WireClient.openWithQuery(heartbeat.port(), "EIO=4&transport=websocket", false));
            WireClient alive = track(WireClient.open(heartbeat.port()));
            silent.send("40", "40/lifecycle,");
            alive.send("40/lifecycle,");
            await().untilAsserted(() -> {
                assertThat(silent.packetsOn("/lifecycle")).hasSize(1);
                assertThat(alive.packetsOn("/lifecycle")).hasSize(1);
            });
            assertThat(silent.received.get(0)).as("the heartbeat config reaches the handshake")
                    .contains("\"pingInterval\":300", "\"pingTimeout\":300");

            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(silent.isClosed())
                    .as("dropped by the server; it saw %s; live connections: %d", silent,
                            heartbeat.server().connectionCount()).isTrue());

            assertThat(silent.received).as("it was pinged, and never answered").contains("2");
            await().untilAsserted(() -> assertThat(heartbeat.server().connectionCount()).isEqualTo(1));
            assertThat(journal).containsExactly("connected /lifecycle", "connected /lifecycle", "disconnected /lifecycle");
            await().untilAsserted(() -> assertThat(stdout.lines()).contains("disconnect!"));
            assertThat(stdout.lines()).as("the lesson's auth on /: its code after next, once").containsExactly("disconnect!");
            assertThat(alive.isClosed()).as("a peer that answers its pings stays").isFalse();
            assertThat(alive.received).contains("2");

            alive.close();
            await().untilAsserted(() -> assertThat(heartbeat.server().connectionCount()).isZero());
            assertThat(journalCount("disconnected /lifecycle")).isEqualTo(2);
            Lesson.assertServed(heartbeat);
        }

        @Test
        void aPeerThatGoesSilentLaterIsDroppedToo() {
            WireClient peer = track(WireClient.open(heartbeat.port()));
            peer.send("40/lifecycle,");
            await().untilAsserted(() -> assertThat(peer.received).contains("2")); // answered one ping at least

            peer.answerPings(false);

            await().atMost(Duration.ofSeconds(5)).until(peer::isClosed);
            await().untilAsserted(() -> assertThat(heartbeat.server().connectionCount()).isZero());
            assertThat(journal).containsExactly("connected /lifecycle", "disconnected /lifecycle");
            Lesson.assertServed(heartbeat);
        }
    }

    // ------------------------------------------------------------------------------------------------------------

    @Nested
    class TransportCut {

        @Test
        void aClientCutWhileItsPacketIsInSlowMiddlewareGetsTheRestOfTheChainThenTheDisconnectPathOnceEach() {
            WireClient client = track(WireClient.open(plain.port()));
            client.send("40/slow,");
            await().untilAsserted(() -> assertThat(client.packetsOn("/slow")).hasSize(2)); // CONNECT, auth's reply
            client.send("42/slow,1[\"chat\",\"cut me\"]");
            await().until(() -> journal.contains("slow: waiting"));

            try (LogCapture transport = LogCapture.of(WebSocketTransport.class, Level.DEBUG);
                 LogCapture framework = LogCapture.stderr()) {
                client.cut();
                // netty-socketio says so at debug level when it sees the channel go, before it runs the disconnect
                await().untilAsserted(() -> assertThat(transport.messages()).contains("channel inactive " + client.sid()));
                assertThat(journal).as("the disconnect path waits for the packet")
                        .containsExactly("connected /slow", "slow: waiting");

                release.complete(null);

                await().untilAsserted(() -> assertThat(plain.server().connectionCount()).isZero());
                assertThat(journal).containsExactly(
                        "connected /slow", "slow: waiting", "slow: after next", "disconnected /slow");
                assertThat(stdout.lines()).containsExactly(
                        "[\"chat\",\"cut me\"]",
                        "chat : cut me : " + PID,
                        "packet response!",
                        "disconnect!");
                assertThat(framework.lines()).as("replies to a client that is gone are dropped quietly").isEmpty();
            }
            Lesson.assertServed(plain);
        }

        @Test
        void aClientCutWhileItsConnectionIsEstablishedRunsTheDisconnectPathOnce() {
            WireClient client = track(WireClient.open(plain.port()));
            client.send("40/lifecycle,", "40/slow,");
            await().untilAsserted(() -> {
                assertThat(client.packetsOn("/lifecycle")).hasSize(1);
                assertThat(client.packetsOn("/slow")).hasSize(2);
            });

            client.cut();

            await().untilAsserted(() -> assertThat(plain.server().connectionCount()).isZero());
            assertThat(journalCount("disconnected /lifecycle")).isEqualTo(1);
            assertThat(journalCount("disconnected /slow")).isEqualTo(1);
            assertThat(stdout.lines()).containsExactly("disconnect!");
            Lesson.assertServed(plain);
        }
    }

    // ------------------------------------------------------------------------------------------------------------

    @Nested
    class FailingPackets {

        private static final List<String> FAILURES =
                List.of("controller-throws", "controller-fails", "middleware-throws", "middleware-fails");

        /** Each failure, then a packet that works, each with an ack; returns the client once every ack is in. */
        private TestClient sendFailuresThenAGoodPacket(TestServer server) {
            TestClient client = track(TestClient.connect(server.url("/faulty"), "error"));
            await().until(client::connected);
            FAILURES.forEach(failure -> client.emitWithAck("work", failure));
            client.emitWithAck("work", "fine");
            await().untilAsserted(() -> assertThat(client.seen("ack:work")).hasSize(FAILURES.size() + 1));
            return client;
        }

        private Map<?, ?> json(Seen seen) throws Exception {
            return JSON.readValue(String.valueOf(seen.args().get(0)), Map.class);
        }

        @Test
        void withAnErrorEventConfiguredTheClientIsToldOfEachFailureAndTheNextPacketIsServed() throws Exception {
            try (LogCapture log = LogCapture.of(CONNECTION_LOGGER)) {
                TestClient client = sendFailuresThenAGoodPacket(withErrorEvent);

                assertThat(client.events()).containsExactly("connect",
                        "ack:work", "error", "ack:work", "error", "ack:work", "error", "ack:work", "error",
                        "ack:work");
                for (Seen error : client.seen("error")) {
                    assertThat(json(error)).isEqualTo(Map.of("message", "internal server error", "event", "work"));
                }
                List<Seen> acks = client.seen("ack:work");
                for (Seen failed : acks.subList(0, FAILURES.size())) {
                    assertThat(json(failed)).isEqualTo(Map.of("error", "internal server error"));
                }
                assertThat(acks.get(FAILURES.size()).args()).containsExactly("done fine");
                assertThat(client.toString()).as("the details stay in the log").doesNotContain("broke", "failed");
                assertThat(log.errors()).hasSize(FAILURES.size())
                        .allSatisfy(line -> assertThat(line).contains("work", "/faulty", client.id()));
            }
            Lesson.assertServed(withErrorEvent);
        }

        @Test
        void withoutAnErrorEventTheClientIsToldNothingButItsAcks() throws Exception {
            try (LogCapture log = LogCapture.of(CONNECTION_LOGGER)) {
                TestClient client = sendFailuresThenAGoodPacket(plain);

                assertThat(client.events()).containsExactly("connect",
                        "ack:work", "ack:work", "ack:work", "ack:work", "ack:work");
                List<Seen> acks = client.seen("ack:work");
                for (Seen failed : acks.subList(0, FAILURES.size())) {
                    assertThat(json(failed)).isEqualTo(Map.of("error", "internal server error"));
                }
                assertThat(acks.get(FAILURES.size()).args()).containsExactly("done fine");
                assertThat(log.errors()).hasSize(FAILURES.size());
            }
            Lesson.assertServed(plain);
        }

        @Test
        void theErrorEventGoesOnlyToTheSocketWhosePacketFailed() {
            TestClient bystander = track(TestClient.connect(withErrorEvent.url("/faulty"), "error"));
            await().until(bystander::connected);
            try (LogCapture log = LogCapture.of(CONNECTION_LOGGER)) {
                sendFailuresThenAGoodPacket(withErrorEvent);
                bystander.emitWithAck("work", "fine");
                await().untilAsserted(() -> assertThat(bystander.events()).contains("ack:work"));

                assertThat(bystander.events()).containsExactly("connect", "ack:work");
            }
            Lesson.assertServed(withErrorEvent);
        }
    }
}
