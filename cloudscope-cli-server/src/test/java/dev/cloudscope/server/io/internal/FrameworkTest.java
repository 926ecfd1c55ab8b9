package dev.cloudscope.server.io.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.notNullValue;

import com.google.inject.AbstractModule;
import com.google.inject.CreationException;
import dev.cloudscope.server.config.ConfigProblem;
import dev.cloudscope.server.io.ConnectionMiddleware;
import dev.cloudscope.server.io.Controller;
import dev.cloudscope.server.io.IoBindings;
import dev.cloudscope.server.io.PacketMiddleware;
import dev.cloudscope.server.io.Routes;
import dev.cloudscope.server.testing.LogCapture;
import dev.cloudscope.server.testing.RawClient;
import dev.cloudscope.server.testing.TestClient;
import dev.cloudscope.server.testing.TestClient.Seen;
import dev.cloudscope.server.testing.TestServer;
import io.socket.client.Ack;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The io framework as a client sees it: a real server (config, Guice, netty-socketio) and real clients, the
 * socket.io Java client and, where the wire itself is the point, {@link RawClient}.
 *
 * <p>One server serves the whole class (netty's graceful shutdown makes every stop take seconds); each case has
 * its own namespace, and after each case every client is closed and every connection's disconnect path has run.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FrameworkTest {

    /** Each case's namespace, and what runs on it. "/" and "/chat" exist anyway: they are in the defaults. */
    private static final String CONFIG = """
            io {
              namespace {
                "/"         { connectionMiddleware = [gate], packetMiddleware = [] }
                "/chat"     { connectionMiddleware = [], packetMiddleware = [] }
                "/greet"    { connectionMiddleware = [greet, lifecycle] }
                "/onion"    { packetMiddleware = [a, b] }
                "/fragile"  { packetMiddleware = [fragile] }
                "/held"     { connectionMiddleware = [hold] }
                "/busy"     { connectionMiddleware = [lifecycle] }
              }
              workerThreads = 4
              shutdownTimeout = 5s
            }
            """;

    /** What the server-side code did, in order. */
    private final List<String> journal = new CopyOnWriteArrayList<>();
    /** Whether "hold" lets the connection in: the test decides, when it wants. */
    private volatile CompletableFuture<Boolean> admission;
    /** The work of the "slow" controller on /busy: done when the test says so. */
    private volatile CompletableFuture<Void> busyWork;

    private TestServer server;
    private final List<AutoCloseable> clients = new ArrayList<>();

    // --- the app under test: middleware and controllers that say what they do in the journal

    private final ConnectionMiddleware gate = (ctx, next) -> ctx.socket().handshakeQuery().containsKey("deny")
            ? CompletableFuture.failedFuture(new IllegalStateException("nope"))
            : next.call();

    private final ConnectionMiddleware greet = (ctx, next) -> {
        ctx.socket().emit("res", "x");
        return next.call();
    };

    private final ConnectionMiddleware lifecycle = (ctx, next) -> {
        String ns = ctx.socket().namespace();
        journal.add("connected " + ns);
        return next.call().thenRun(() -> journal.add("disconnected " + ns));
    };

    private final ConnectionMiddleware hold = (ctx, next) -> {
        journal.add("holding");
        return admission.thenCompose(admitted -> admitted
                ? next.call()
                : CompletableFuture.failedFuture(new IllegalStateException("nope")));
    };

    private PacketMiddleware recording(String name) {
        return (ctx, next) -> {
            journal.add(name + "-in");
            return next.call().thenRun(() -> journal.add(name + "-out"));
        };
    }

    private final PacketMiddleware fragile = (ctx, next) -> switch (String.valueOf(ctx.args().get(0))) {
        case "middleware-throws" -> throw new IllegalStateException("middleware broke");
        case "middleware-returns-null" -> null;
        default -> next.call();
    };

    private static CompletionStage<Void> done() {
        return CompletableFuture.completedFuture(null);
    }

    private final Controller pong = ctx -> {
        journal.add("ping on " + ctx.socket().namespace() + " from " + ctx.socket().id());
        ctx.ack("pong");
        return done();
    };

    /** Works on another thread, so the packet's chain completes after the controller returned. */
    private final Controller order = ctx -> CompletableFuture.runAsync(() -> journal.add("controller"));

    private final Controller work = ctx -> {
        Object arg = ctx.args().get(0);
        if ("controller-fails".equals(arg)) {
            return CompletableFuture.failedFuture(new IllegalStateException("controller broke"));
        }
        ctx.ack("done " + arg);
        return done();
    };

    private final Controller seq = ctx -> {
        journal.add("seq " + ctx.args().get(0));
        ctx.socket().emit("res", ctx.args().get(0));
        return done();
    };

    private final Controller slow = ctx -> {
        journal.add("slow started");
        return busyWork.thenRun(() -> journal.add("slow finished"));
    };

    private final Routes routes = io -> {
        io.route("ping", pong);
        io.of("/onion").route("order", order).route("ping", pong);
        io.of("/fragile").route("work", work);
        io.of("/held").route("seq", seq);
        io.of("/busy").route("slow", slow);
    };

    private final class TestApp extends AbstractModule {
        @Override
        protected void configure() {
            IoBindings.connectionMiddleware(binder()).addBinding("gate").toInstance(gate);
            IoBindings.connectionMiddleware(binder()).addBinding("greet").toInstance(greet);
            IoBindings.connectionMiddleware(binder()).addBinding("lifecycle").toInstance(lifecycle);
            IoBindings.connectionMiddleware(binder()).addBinding("hold").toInstance(hold);
            IoBindings.packetMiddleware(binder()).addBinding("a").toInstance(recording("a"));
            IoBindings.packetMiddleware(binder()).addBinding("b").toInstance(recording("b"));
            IoBindings.packetMiddleware(binder()).addBinding("fragile").toInstance(fragile);
            bind(Routes.class).toInstance(routes);
        }
    }

    @BeforeAll
    void startServer() {
        server = TestServer.start(CONFIG, new TestApp());
    }

    @AfterAll
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @BeforeEach
    void freshState() {
        admission = new CompletableFuture<>();
        busyWork = new CompletableFuture<>();
    }

    @AfterEach
    void closeClientsAndAwaitTheirDisconnectPaths() throws Exception {
        admission.complete(false);
        busyWork.complete(null);
        for (AutoCloseable client : clients) {
            client.close();
        }
        clients.clear();
        await().untilAsserted(() -> assertThat(server.server().connectionCount()).isZero());
        journal.clear();
    }

    private TestClient connect(String namespace, String... events) {
        return track(TestClient.connect(server.url(namespace), events));
    }

    private TestClient connectWithQuery(String namespace, String query, String... events) {
        return track(TestClient.connectWithQuery(server.url(namespace), query, events));
    }

    private TestClient connected(String namespace, String... events) {
        TestClient client = connect(namespace, events);
        await().until(client::connected);
        return client;
    }

    private RawClient raw() {
        return track(new RawClient(server.port(), null));
    }

    private <C extends AutoCloseable> C track(C client) {
        clients.add(client);
        return client;
    }

    // --- connection middleware

    @Test
    void whatConnectionMiddlewareEmitsBeforeNextArrivesRightAfterTheConnect() {
        TestClient client = connect("/greet", "res");

        await().untilAsserted(() -> assertThat(client.events()).contains("res"));

        assertThat(client.events()).containsExactly("connect", "res");
        assertThat(client.seen("res")).singleElement().extracting(Seen::args).isEqualTo(List.of("x"));
    }

    @Test
    void codeAfterNextInConnectionMiddlewareRunsOnceWhenTheClientDisconnects() {
        TestClient client = connected("/greet");
        assertThat(journal).containsExactly("connected /greet");

        client.disconnect();

        await().untilAsserted(() -> assertThat(server.server().connectionCount()).isZero());
        assertThat(journal).containsExactly("connected /greet", "disconnected /greet");
    }

    @Test
    void aFailingConnectionMiddlewareRefusesTheClientWithItsMessageAndTheServerServesTheNext() {
        TestClient refused = connectWithQuery("/", "deny=1");
        refused.emitWithAck("ping"); // held by the client until it is connected, which it never is

        await().untilAsserted(() -> assertThat(refused.events()).contains("connect_error"));
        assertThat(refused.seen("connect_error")).singleElement().asString().contains("nope");

        TestClient welcome = connect("/");
        welcome.emitWithAck("ping");

        await().untilAsserted(() -> assertThat(welcome.events()).contains("ack:ping"));
        assertThat(welcome.events()).containsExactly("connect", "ack:ping");
        assertThat(welcome.seen("ack:ping")).singleElement().extracting(Seen::args).isEqualTo(List.of("pong"));
        assertThat(refused.events()).containsExactly("connect_error");
        assertThat(journal).containsExactly("ping on / from " + welcome.id());
    }

    @Test
    void packetsThatArriveWhileConnectionMiddlewareRunsWaitForItAndRunInArrivalOrder() {
        RawClient client = raw();
        client.send("0/held,", "2/held,1[\"seq\",1]", "2/held,2[\"seq\",2]", "2/held,3[\"seq\",3]");
        // a round trip on another namespace of the same transport: the server has read the packets above
        client.send("0/chat,", "2/chat,9[\"sync\"]");
        await().untilAsserted(() -> assertThat(client.receivedOn("/chat")).contains("39[]"));
        await().until(() -> journal.contains("holding"));

        assertThat(client.receivedOn("/held")).as("no CONNECT yet, no packet run").isEmpty();
        assertThat(journal).containsExactly("holding");

        admission.complete(true);

        await().untilAsserted(() -> assertThat(client.receivedOn("/held")).hasSize(7));
        assertThat(client.receivedOn("/held")).satisfiesExactly(
                connect -> assertThat(connect).startsWith("0{\"sid\":"),
                res -> assertThat(res).isEqualTo("2[\"res\",1]"),
                ack -> assertThat(ack).isEqualTo("31[]"),
                res -> assertThat(res).isEqualTo("2[\"res\",2]"),
                ack -> assertThat(ack).isEqualTo("32[]"),
                res -> assertThat(res).isEqualTo("2[\"res\",3]"),
                ack -> assertThat(ack).isEqualTo("33[]"));
        assertThat(journal).containsExactly("holding", "seq 1", "seq 2", "seq 3");
    }

    @Test
    void packetsHeldForARefusedConnectionNeverRun() {
        RawClient client = raw();
        client.send("0/held,", "2/held,1[\"seq\",1]");
        client.send("0/chat,", "2/chat,9[\"sync\"]");
        await().untilAsserted(() -> assertThat(client.receivedOn("/chat")).contains("39[]"));
        await().until(() -> journal.contains("holding"));

        admission.complete(false);

        await().untilAsserted(() -> assertThat(client.receivedOn("/held")).isNotEmpty());
        assertThat(client.receivedOn("/held")).containsExactly("4{\"message\":\"nope\"}");
        assertThat(journal).containsExactly("holding");
    }

    @Test
    void aClientAskingForANamespaceThatConfigDoesNotHaveGetsAConnectError() {
        TestClient lost = connect("/nope");

        await().untilAsserted(() -> assertThat(lost.events()).contains("connect_error"));
        assertThat(lost.events()).containsExactly("connect_error");
        assertThat(lost.seen("connect_error")).singleElement().asString().contains("Invalid namespace");
    }

    @Test
    void theConnectErrorForAnUnknownNamespaceHasTheShapeOfEveryOtherConnectError() {
        RawClient client = raw();

        client.send("0/nope,");

        await().untilAsserted(() -> assertThat(client.receivedOn("/nope")).isNotEmpty());
        assertThat(client.receivedOn("/nope")).containsExactly("4{\"message\":\"Invalid namespace\"}");
    }

    // --- packet middleware and controllers

    @Test
    void packetMiddlewareWrapsTheControllerAndTheAckComesAfterAllOfIt() {
        TestClient client = connected("/onion");
        AtomicReference<List<String>> journalWhenAcked = new AtomicReference<>();

        client.emit("order", new Object[0], (Ack) args -> journalWhenAcked.set(List.copyOf(journal)));

        await().untilAtomic(journalWhenAcked, notNullValue());
        assertThat(journalWhenAcked.get()).containsExactly("a-in", "b-in", "controller", "b-out", "a-out");
        assertThat(journal).containsExactly("a-in", "b-in", "controller", "b-out", "a-out");
    }

    @Test
    void aControllerAnswersTheAckItself() {
        TestClient client = connected("/onion");

        client.emitWithAck("ping");

        await().untilAsserted(() -> assertThat(client.events()).contains("ack:ping"));
        assertThat(client.seen("ack:ping")).singleElement().extracting(Seen::args).isEqualTo(List.of("pong"));
    }

    @Test
    void anAckAnsweredByTheControllerIsSentOnceOnly() {
        RawClient client = raw();

        // ping's chain ends (and would ack a second time) before order's starts: one lane per connection
        client.send("0/onion,", "2/onion,1[\"ping\"]", "2/onion,2[\"order\"]");

        await().untilAsserted(() -> assertThat(client.receivedOn("/onion")).contains("32[]"));
        assertThat(client.receivedOn("/onion")).filteredOn(packet -> packet.startsWith("3"))
                .containsExactly("31[\"pong\"]", "32[]");
    }

    @Test
    void aFailingPacketIsLoggedWithItsCauseAckedWithoutItAndTheSocketStaysUsable() {
        try (LogCapture log = LogCapture.of("dev.cloudscope.server.io.internal.core.Connection")) {
            TestClient client = connected("/fragile");

            client.emitWithAck("work", "middleware-throws");
            client.emitWithAck("work", "controller-fails");
            client.emitWithAck("work", "fine");

            await().untilAsserted(() -> assertThat(client.seen("ack:work")).hasSize(3));
            assertThat(client.seen("ack:work")).extracting(Seen::args).containsExactly(
                    List.of("{\"error\":\"internal server error\"}"),
                    List.of("{\"error\":\"internal server error\"}"),
                    List.of("done fine"));
            assertThat(client.connected()).isTrue();
            assertThat(client.events()).doesNotContain("disconnect");
            assertThat(log.errors()).hasSize(2)
                    .allSatisfy(line -> assertThat(line).contains("work", "/fragile", client.id()));
            assertThat(log.errors().get(0)).contains("middleware broke");
            assertThat(log.errors().get(1)).contains("controller broke");
        }
    }

    @Test
    void packetMiddlewareReturningNullFailsThePacketWithAClearMessage() {
        try (LogCapture log = LogCapture.of("dev.cloudscope.server.io.internal.core.Connection")) {
            TestClient client = connected("/fragile");

            client.emitWithAck("work", "middleware-returns-null");
            client.emitWithAck("work", "fine");

            await().untilAsserted(() -> assertThat(client.seen("ack:work")).hasSize(2));
            assertThat(client.seen("ack:work").get(0).args()).containsExactly("{\"error\":\"internal server error\"}");
            assertThat(client.seen("ack:work").get(1).args()).containsExactly("done fine");
            assertThat(log.errors()).singleElement().asString().contains("returned null instead of a CompletionStage");
        }
    }

    @Test
    void packetMiddlewareReturningNullIsNamedByItsConfigName() {
        try (LogCapture log = LogCapture.of("dev.cloudscope.server.io.internal.core.Connection")) {
            TestClient client = connected("/fragile");

            client.emitWithAck("work", "middleware-returns-null");

            await().untilAsserted(() -> assertThat(client.seen("ack:work")).hasSize(1));
            assertThat(log.errors()).singleElement().asString()
                    .contains("packetMiddleware 'fragile'").doesNotContain("$$Lambda");
        }
    }

    // --- disconnect

    @Test
    void theDisconnectPathWaitsForPacketsInFlight() {
        RawClient client = raw();
        client.send("0/busy,", "2/busy,[\"slow\"]");
        await().until(() -> journal.contains("slow started"));

        client.send("1/busy,");                           // leaves /busy while "slow" is still working
        client.send("0/chat,", "2/chat,9[\"sync\"]");    // the server has read the disconnect
        await().untilAsserted(() -> assertThat(client.receivedOn("/chat")).contains("39[]"));
        assertThat(journal).containsExactly("connected /busy", "slow started");

        busyWork.complete(null);

        await().until(() -> journal.contains("disconnected /busy"));
        assertThat(journal).containsExactly("connected /busy", "slow started", "slow finished", "disconnected /busy");
    }

    @Test
    void aClientCanReconnectToANamespaceWhileItsOldConnectionIsStillClosing() {
        RawClient client = raw();
        client.send("0/busy,", "2/busy,[\"slow\"]");
        await().until(() -> journal.contains("slow started"));

        client.send("1/busy,", "0/busy,");

        await().untilAsserted(() -> assertThat(client.receivedOn("/busy"))
                .filteredOn(packet -> packet.startsWith("0")).hasSize(2));
    }

    @Test
    void theConnectionCountFollowsTheClients() {
        TestClient one = connected("/greet");
        TestClient two = connected("/onion");
        TestClient three = connected("/onion");
        assertThat(server.server().connectionCount()).isEqualTo(3);

        one.disconnect();
        two.close();
        three.close();

        await().untilAsserted(() -> assertThat(server.server().connectionCount()).isZero());
    }

    // --- config meets code

    private static final class PassThroughApp extends AbstractModule {
        @Override
        protected void configure() {
            IoBindings.connectionMiddleware(binder()).addBinding("auth").toInstance((ctx, next) -> next.call());
            IoBindings.packetMiddleware(binder()).addBinding("filter").toInstance((ctx, next) -> next.call());
            bind(Routes.class).toInstance(io -> io.of("/chat").route("chat", ctx -> done()));
        }
    }

    @Test
    void anUnknownConnectionMiddlewareNameStopsTheInjectorNamingNamespaceAndName() {
        String config = "io.namespace.\"/chat\".connectionMiddleware = [auth, auht]";

        assertThatThrownBy(() -> TestServer.injector(config, TestServer.freePort(), new PassThroughApp()))
                .isInstanceOf(CreationException.class)
                .satisfies(e -> assertThat(ConfigProblem.behind(e).orElseThrow().getMessage())
                        .contains("io.namespace.\"/chat\".connectionMiddleware", "'auht'", "/chat", "auth"));
    }

    @Test
    void aConnectionMiddlewareNameIsNotAPacketMiddlewareName() {
        String config = "io.namespace.\"/chat\".packetMiddleware = [auth]";

        assertThatThrownBy(() -> TestServer.injector(config, TestServer.freePort(), new PassThroughApp()))
                .isInstanceOf(CreationException.class)
                .satisfies(e -> assertThat(ConfigProblem.behind(e).orElseThrow().getMessage())
                        .contains("io.namespace.\"/chat\".packetMiddleware", "'auth'", "filter"));
    }

    @Test
    void routesOnANamespaceThatConfigDoesNotHaveStopTheInjector() {
        AbstractModule strayRoutes = new AbstractModule() {
            @Override
            protected void configure() {
                IoBindings.connectionMiddleware(binder()).addBinding("auth").toInstance((ctx, next) -> next.call());
                IoBindings.packetMiddleware(binder()).addBinding("filter").toInstance((ctx, next) -> next.call());
                bind(Routes.class).toInstance(io -> io.of("/admin").route("chat", ctx -> done()));
            }
        };

        assertThatThrownBy(() -> TestServer.injector("", TestServer.freePort(), strayRoutes))
                .isInstanceOf(CreationException.class)
                .satisfies(e -> assertThat(ConfigProblem.behind(e).orElseThrow().getMessage()).contains("/admin", "io.namespace"));
    }
}
