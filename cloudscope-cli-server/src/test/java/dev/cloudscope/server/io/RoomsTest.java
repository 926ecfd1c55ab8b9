package dev.cloudscope.server.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.inject.AbstractModule;
import dev.cloudscope.server.testing.LogCapture;
import dev.cloudscope.server.testing.RawClient;
import dev.cloudscope.server.testing.TestClient;
import dev.cloudscope.server.testing.TestServer;
import dev.cloudscope.server.testing.WireClient;
import io.socket.client.Ack;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.json.JSONArray;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Rooms and broadcast, as an app uses them ({@link IoSocket#join}, {@link IoSocket#to}, {@link IoSocket#broadcast},
 * {@link IoSocket#nsp}, {@link IoContext#to}, {@link Io#of}, {@link Broadcast}) and as real clients see them.
 *
 * <p>The test app routes the same small controllers on every namespace: {@code join (room...)}, {@code leave
 * (room...)} and {@code rooms}, each acknowledged with the socket's rooms, sorted; and {@code send (how, [to...],
 * [except...], text)}, which builds the broadcast {@code how} names ({@code socket.to}, {@code ctx.to},
 * {@code socket.broadcast}, {@code nsp}, {@code nsp.in}, {@code io.of:/ns}), narrows it with {@code to} and
 * {@code except}, asks it for its {@code socketIds()}, emits {@code news (text, sender's id)} and acknowledges with
 * the ids, sorted. Connection middleware: {@code gate} (joins {@code lobby}, then refuses a client asking with
 * {@code ?deny}) and {@code early} (joins {@code lobby}, then keeps a client asking with {@code ?hold} waiting for
 * the test's word; with {@code ?late} too, it joins {@code late} once let in); on {@code /}, {@code rootGate}
 * (joins {@code lobby} and refuses, for a client asking with {@code ?deny} only). Two more controllers work until
 * the test releases them: {@code busy}, and {@code joinWhenReleased (room)}, which then joins {@code room}.
 *
 * <p>"Gets nothing" is asserted after a round trip of the client's own ({@link #settle}): an emit to it from an
 * earlier chain was written to its transport before the answer to a packet it sends afterwards.
 *
 * <p>The cases under "known bugs" fail until those bugs are fixed.
 *
 * <p>One server serves the whole class; after each case every client is closed and every connection's disconnect
 * path has run.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RoomsTest {

    private static final String CONFIG = """
            io {
              namespace {
                "/"      { connectionMiddleware = [rootGate], packetMiddleware = [] }
                "/chat"  { connectionMiddleware = [], packetMiddleware = [] }
                "/gate"  { connectionMiddleware = [gate] }
                "/early" { connectionMiddleware = [early] }
              }
              workerThreads = 4
              shutdownTimeout = 5s
            }
            """;
    private static final List<String> NAMESPACES = List.of("/", "/chat", "/gate", "/early");
    private static final String NEWS = "news";
    private static final String LOBBY = "lobby";
    private static final Duration ANSWER = Duration.ofSeconds(10);
    /** Where the core logs refused connections and failed packets: captured where a test causes them. */
    private static final String CONNECTION_LOG = "dev.cloudscope.server.io.internal.core.Connection";
    private static final Pattern SID = Pattern.compile("^0\\{\"sid\":\"([^\"]+)\"");

    private TestServer server;
    /** The server's {@link Io}, as the app gets it injected: for emits outside any packet's chain. */
    private volatile Io io;
    private final List<AutoCloseable> clients = new ArrayList<>();
    /** What the server-side code did, in order. */
    private final List<String> journal = new CopyOnWriteArrayList<>();
    /** Whether "early" lets a ?hold client in: the test decides, when it wants. */
    private volatile CompletableFuture<Boolean> admission;
    /** When the work of "busy" and "joinWhenReleased" is done: the test decides. */
    private volatile CompletableFuture<Void> release;

    // --- the app under test

    private final ConnectionMiddleware gate = (ctx, next) -> {
        ctx.socket().join(LOBBY);
        return ctx.socket().handshakeQuery().containsKey("deny")
                ? CompletableFuture.failedFuture(new IllegalStateException("denied"))
                : next.call();
    };

    /** On "/": refuses (after joining the lobby) only a client asking with ?deny. */
    private final ConnectionMiddleware rootGate = (ctx, next) -> {
        if (!ctx.socket().handshakeQuery().containsKey("deny")) {
            return next.call();
        }
        ctx.socket().join(LOBBY);
        return CompletableFuture.failedFuture(new IllegalStateException("denied"));
    };

    private final ConnectionMiddleware early = (ctx, next) -> {
        ctx.socket().join(LOBBY);
        if (!ctx.socket().handshakeQuery().containsKey("hold")) {
            return next.call();
        }
        journal.add("holding " + ctx.socket().id());
        return admission.thenCompose(admitted -> {
            if (!admitted) {
                return CompletableFuture.failedFuture(new IllegalStateException("not admitted"));
            }
            if (ctx.socket().handshakeQuery().containsKey("late")) {
                ctx.socket().join("late"); // after an asynchronous step, e.g. a lookup
            }
            return next.call();
        });
    };

    private final Controller join = ctx -> {
        ctx.args().forEach(room -> ctx.socket().join((String) room));
        ctx.ack(sorted(ctx.socket().rooms()));
        return done();
    };

    private final Controller leave = ctx -> {
        ctx.args().forEach(room -> ctx.socket().leave((String) room));
        ctx.ack(sorted(ctx.socket().rooms()));
        return done();
    };

    private final Controller rooms = ctx -> {
        ctx.ack(sorted(ctx.socket().rooms()));
        return done();
    };

    private final Controller send = ctx -> {
        String how = (String) ctx.args().get(0);
        List<String> to = strings(ctx.args().get(1));
        List<String> except = strings(ctx.args().get(2));
        String text = (String) ctx.args().get(3);
        IoSocket socket = ctx.socket();
        Broadcast broadcast = switch (how) {
            case "socket.to" -> rest(socket.to(to.get(0)), to);
            case "ctx.to" -> rest(ctx.to(to.get(0)), to);
            case "socket.broadcast" -> all(socket.broadcast(), to);
            case "nsp" -> all(socket.nsp(), to);
            case "nsp.in" -> {
                Broadcast in = socket.nsp();
                for (String room : to) {
                    in = in.in(room);
                }
                yield in;
            }
            default -> {
                if (!how.startsWith("io.of:")) {
                    throw new IllegalArgumentException("no such broadcast: " + how);
                }
                yield all(io.of(how.substring("io.of:".length())), to);
            }
        };
        for (String room : except) {
            broadcast = broadcast.except(room);
        }
        Broadcast target = broadcast;
        return target.socketIds().thenAccept(ids -> {
            target.emit(NEWS, text, socket.id());
            ctx.ack(sorted(ids));
        });
    };

    /** Works until the test releases it. */
    private final Controller busy = ctx -> {
        journal.add("busy");
        return release;
    };

    /** Joins its room once the test releases it, as after a lookup. */
    private final Controller joinWhenReleased = ctx -> {
        journal.add("joining when released");
        return release.thenRun(() -> ctx.socket().join((String) ctx.args().get(0)));
    };

    private static Broadcast rest(Broadcast first, List<String> to) {
        return all(first, to.subList(1, to.size()));
    }

    private static Broadcast all(Broadcast broadcast, List<String> to) {
        for (String room : to) {
            broadcast = broadcast.to(room);
        }
        return broadcast;
    }

    private final Routes routes = router -> {
        for (String namespace : NAMESPACES) {
            router.of(namespace).route("join", join).route("leave", leave).route("rooms", rooms).route("send", send)
                    .route("busy", busy).route("joinWhenReleased", joinWhenReleased);
        }
    };

    /** Hands the test the server's {@link Io}, as the app would have it injected. */
    private final class IoCatcher {
        @Inject
        void catchIo(Io injected) {
            io = injected;
        }
    }

    private final class TestApp extends AbstractModule {
        @Override
        protected void configure() {
            IoBindings.connectionMiddleware(binder()).addBinding("gate").toInstance(gate);
            IoBindings.connectionMiddleware(binder()).addBinding("early").toInstance(early);
            IoBindings.connectionMiddleware(binder()).addBinding("rootGate").toInstance(rootGate);
            bind(Routes.class).toInstance(routes);
            requestInjection(new IoCatcher());
        }
    }

    @BeforeAll
    void startServer() {
        server = TestServer.start(CONFIG, new TestApp());
        assertThat(io).as("Io injected").isNotNull();
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
        release = new CompletableFuture<>();
    }

    @AfterEach
    void closeClientsAndAwaitTheirDisconnectPaths() throws Exception {
        admission.complete(false);
        release.complete(null);
        for (AutoCloseable client : clients) {
            client.close();
        }
        clients.clear();
        await().untilAsserted(() -> assertThat(server.server().connectionCount()).isZero());
        for (String namespace : NAMESPACES) {
            assertThat(ids(io.of(namespace))).as("sockets left on %s", namespace).isEmpty();
        }
        journal.clear();
    }

    // --- rooms of a socket

    @Test
    void aSocketIsInItsOwnRoomFromItsConnectAndInTheRoomsItJoinsUntilItLeavesThem() {
        TestClient alice = connected("/chat");
        String id = alice.id();

        assertThat(call(alice, "rooms")).as("just connected").containsExactly(id);
        assertThat(call(alice, "join", "x", "y")).isEqualTo(sorted(id, "x", "y"));
        assertThat(call(alice, "join", "x")).as("joined twice, in once").isEqualTo(sorted(id, "x", "y"));
        assertThat(call(alice, "leave", "x")).isEqualTo(sorted(id, "y"));
        assertThat(call(alice, "leave", "never-joined")).isEqualTo(sorted(id, "y"));
        assertThat(call(alice, "leave", id)).as("a socket stays in its own room while connected").isEqualTo(sorted(id, "y"));

        assertThat(ids(io.of("/chat").to("y"))).containsExactly(id);
        assertThat(ids(io.of("/chat").to(id))).containsExactly(id);
        assertThat(ids(io.of("/chat").to("x"))).isEmpty();
    }

    @Test
    void aRoomHasANonEmptyName() {
        TestClient alice = connected("/chat");

        try (LogCapture log = LogCapture.of(CONNECTION_LOG)) {
            assertThat(call(alice, "join", "")).as("the join's chain failed")
                    .containsExactly("{\"error\":\"internal server error\"}");
            assertThat(log.errors()).singleElement().asString().contains("a room has a non-empty name");
        }
        assertThat(call(alice, "rooms")).containsExactly(alice.id());
        assertThatThrownBy(() -> io.of("/chat").to("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> io.of("/chat").except(null)).isInstanceOf(IllegalArgumentException.class);
    }

    // --- who an emit reaches

    @Test
    void toARoomReachesItsOtherMembersNotTheSenderNorTheSocketsOutsideIt() {
        TestClient sender = connected("/chat");
        TestClient bob = connected("/chat");
        TestClient carol = connected("/chat");
        TestClient outsider = connected("/chat");
        for (TestClient member : List.of(sender, bob, carol)) {
            call(member, "join", "r");
        }
        call(outsider, "join", "elsewhere");

        assertThat(send(sender, "socket.to", List.of("r"), List.of(), "one")).isEqualTo(sorted(bob, carol));
        assertThat(send(sender, "ctx.to", List.of("r"), List.of(), "two")).isEqualTo(sorted(bob, carol));
        settle(sender, bob, carol, outsider);

        assertThat(news(bob)).containsExactly("one", "two");
        assertThat(news(carol)).containsExactly("one", "two");
        assertThat(news(sender)).isEmpty();
        assertThat(news(outsider)).isEmpty();
        assertThat(bob.seen(NEWS)).allSatisfy(seen -> assertThat(seen.args().get(1)).isEqualTo(sender.id()));
    }

    @Test
    void broadcastReachesEverySocketOfTheNamespaceButTheSender() {
        TestClient sender = connected("/chat");
        TestClient bob = connected("/chat");
        TestClient carol = connected("/chat");
        TestClient onRoot = connected("/");
        call(sender, "join", "r");
        call(bob, "join", "r");

        assertThat(send(sender, "socket.broadcast", List.of(), List.of(), "to all")).isEqualTo(sorted(bob, carol));
        assertThat(send(sender, "socket.broadcast", List.of("r"), List.of(), "to r")).isEqualTo(sorted(bob));
        settle(sender, bob, carol, onRoot);

        assertThat(news(bob)).containsExactly("to all", "to r");
        assertThat(news(carol)).containsExactly("to all");
        assertThat(news(sender)).isEmpty();
        assertThat(news(onRoot)).as("another namespace").isEmpty();
    }

    @Test
    void theNamespaceReachesEverySocketOfItTheSenderIncludedAndNoOtherNamespace() {
        TestClient sender = connected("/chat");
        TestClient bob = connected("/chat");
        TestClient onRoot = connected("/");

        assertThat(send(sender, "nsp", List.of(), List.of(), "nsp")).isEqualTo(sorted(sender, bob));
        // io.of from a controller of another namespace: the sender is not addressed
        assertThat(send(onRoot, "io.of:/chat", List.of(), List.of(), "io.of from /")).isEqualTo(sorted(sender, bob));
        // io.of outside any chain, as a service would
        assertThat(ids(io.of("/chat"))).isEqualTo(Set.copyOf(sorted(sender, bob)));
        io.of("/chat").emit(NEWS, "from the app", "server");
        io.of("/").emit(NEWS, "to root", "server");
        settle(sender, bob, onRoot);

        assertThat(news(sender)).containsExactly("nsp", "io.of from /", "from the app");
        assertThat(news(bob)).containsExactly("nsp", "io.of from /", "from the app");
        assertThat(news(onRoot)).containsExactly("to root");
        assertThatThrownBy(() -> io.of("/nope")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("/nope");
    }

    @Test
    void toSeveralRoomsReachesEachSocketInAnyOfThemOnce() {
        TestClient sender = connected("/chat");
        TestClient inBoth = connected("/chat");
        TestClient inA = connected("/chat");
        TestClient inB = connected("/chat");
        TestClient inNeither = connected("/chat");
        call(sender, "join", "a", "b");
        call(inBoth, "join", "a", "b");
        call(inA, "join", "a");
        call(inB, "join", "b");

        assertThat(send(sender, "socket.to", List.of("a", "b"), List.of(), "socket.to(a).to(b)"))
                .isEqualTo(sorted(inBoth, inA, inB));
        assertThat(send(sender, "nsp", List.of("a", "b"), List.of(), "nsp.to(a).to(b)"))
                .isEqualTo(sorted(sender, inBoth, inA, inB));
        assertThat(send(sender, "nsp.in", List.of("b", "a"), List.of(), "nsp.in(b).in(a)"))
                .isEqualTo(sorted(sender, inBoth, inA, inB));
        assertThat(ids(io.of("/chat").to("a").to("b").to("a"))).isEqualTo(Set.copyOf(sorted(sender, inBoth, inA, inB)));
        settle(sender, inBoth, inA, inB, inNeither);

        assertThat(news(inBoth)).containsExactly("socket.to(a).to(b)", "nsp.to(a).to(b)", "nsp.in(b).in(a)");
        assertThat(news(inA)).containsExactly("socket.to(a).to(b)", "nsp.to(a).to(b)", "nsp.in(b).in(a)");
        assertThat(news(inB)).containsExactly("socket.to(a).to(b)", "nsp.to(a).to(b)", "nsp.in(b).in(a)");
        assertThat(news(sender)).containsExactly("nsp.to(a).to(b)", "nsp.in(b).in(a)");
        assertThat(news(inNeither)).isEmpty();
    }

    @Test
    void exceptLeavesOutEverySocketInTheRoom() {
        TestClient sender = connected("/chat");
        TestClient inBoth = connected("/chat");
        TestClient inA = connected("/chat");
        TestClient inB = connected("/chat");
        TestClient inNeither = connected("/chat");
        call(inBoth, "join", "a", "b");
        call(inA, "join", "a");
        call(inB, "join", "b");

        assertThat(send(sender, "nsp", List.of("a"), List.of("b"), "a but not b")).isEqualTo(sorted(inA));
        assertThat(send(sender, "nsp", List.of(), List.of("b"), "all but b")).isEqualTo(sorted(sender, inA, inNeither));
        assertThat(send(sender, "socket.broadcast", List.of(), List.of("a"), "others but a"))
                .isEqualTo(sorted(inB, inNeither));
        assertThat(send(sender, "nsp", List.of(), List.of("a", "b"), "all but a and b")).isEqualTo(sorted(sender, inNeither));
        assertThat(send(sender, "nsp", List.of("a"), List.of("a"), "nobody")).isEmpty();
        settle(sender, inBoth, inA, inB, inNeither);

        assertThat(news(inA)).containsExactly("a but not b", "all but b");
        assertThat(news(inB)).containsExactly("others but a");
        assertThat(news(inNeither)).containsExactly("all but b", "others but a", "all but a and b");
        assertThat(news(sender)).containsExactly("all but b", "all but a and b");
        assertThat(news(inBoth)).isEmpty();
    }

    @Test
    void socketIdsAreTheSocketsAddressedNow() {
        TestClient alice = connected("/chat");
        TestClient bob = connected("/chat");
        IoNamespace chat = io.of("/chat");
        assertThat(chat.name()).isEqualTo("/chat");
        assertThat(ids(chat.to("r"))).isEmpty();

        call(alice, "join", "r");
        assertThat(ids(chat.to("r"))).containsExactly(alice.id());
        call(bob, "join", "r");
        assertThat(ids(chat.to("r"))).containsExactlyInAnyOrder(alice.id(), bob.id());
        assertThat(ids(chat.to("r").except(alice.id()))).containsExactly(bob.id());
        assertThat(ids(chat)).containsExactlyInAnyOrder(alice.id(), bob.id());

        call(alice, "leave", "r");
        assertThat(ids(chat.to("r"))).containsExactly(bob.id());
        assertThat(ids(chat)).as("leaving a room is not leaving the namespace").containsExactlyInAnyOrder(alice.id(), bob.id());
    }

    // --- disconnects and refusals

    @Test
    void aSocketThatDisconnectsIsGoneFromEveryRoomAndTheCountsDrop() {
        TestClient alice = connected("/chat");
        TestClient bob = connected("/chat");
        TestClient carol = connected("/chat");
        for (TestClient member : List.of(alice, bob, carol)) {
            call(member, "join", "r", "s");
        }
        String carolsId = carol.id();
        assertThat(ids(io.of("/chat").to("r"))).hasSize(3);

        carol.close();

        await().untilAsserted(() -> assertThat(ids(io.of("/chat"))).containsExactlyInAnyOrder(alice.id(), bob.id()));
        assertThat(ids(io.of("/chat").to("r"))).containsExactlyInAnyOrder(alice.id(), bob.id());
        assertThat(ids(io.of("/chat").to("s"))).containsExactlyInAnyOrder(alice.id(), bob.id());
        assertThat(ids(io.of("/chat").to(carolsId))).as("its own room").isEmpty();
        assertThat(send(alice, "socket.to", List.of("r", "s"), List.of(), "after carol")).isEqualTo(sorted(bob));
    }

    /**
     * A client that leaves a namespace keeps its transport for the others: what the namespace's rooms send afterwards
     * would reach it over that transport, if it were still in them.
     */
    @Test
    void aSocketThatLeavesTheNamespaceGetsNothingMoreFromItsRoomsOrTheNamespace() {
        TestClient alice = connected("/chat");
        TestClient bob = connected("/chat");
        call(alice, "join", "r");
        call(bob, "join", "r");
        RawClient leaver = raw();
        leaver.send("0", "0/chat,");
        await().untilAsserted(() -> assertThat(leaver.receivedOn("/chat")).anyMatch(p -> p.startsWith("0{")));
        String leaversId = sid(leaver);
        leaver.send("2/chat,1[\"join\",\"r\"]");
        await().untilAsserted(() -> assertThat(leaver.receivedOn("/chat")).anyMatch(p -> p.startsWith("31[")));
        assertThat(ids(io.of("/chat").to("r"))).contains(leaversId);

        leaver.send("1/chat,");
        roundTripOnRoot(leaver, 1);

        await().untilAsserted(() -> assertThat(ids(io.of("/chat"))).doesNotContain(leaversId));
        assertThat(ids(io.of("/chat").to("r"))).containsExactlyInAnyOrder(alice.id(), bob.id());
        assertThat(send(alice, "socket.to", List.of("r"), List.of(), "to r")).isEqualTo(sorted(bob));
        assertThat(send(alice, "nsp", List.of(), List.of(), "to /chat")).isEqualTo(sorted(alice, bob));
        roundTripOnRoot(leaver, 2);
        assertThat(leaver.receivedOn("/chat")).as("what the leaver got on /chat").noneMatch(p -> p.contains(NEWS));
        assertThat(leaver.receivedOn("/")).as("and on /").noneMatch(p -> p.contains(NEWS));
    }

    @Test
    void aRefusedConnectionIsInNoRoomNotEvenTheOneItsMiddlewareJoined() {
        TestClient member = connected("/gate");
        assertThat(call(member, "rooms")).isEqualTo(sorted(member.id(), LOBBY));
        TestClient refused;
        try (LogCapture log = LogCapture.of(CONNECTION_LOG)) {
            refused = track(TestClient.connectWithQuery(server.url("/gate"), "deny=1", NEWS));
            await().untilAsserted(() -> assertThat(refused.events()).contains("connect_error"));
            await().untilAsserted(() -> assertThat(log.warnings()).singleElement().asString().contains("denied"));
        }

        await().untilAsserted(() -> assertThat(ids(io.of("/gate"))).containsExactly(member.id()));
        assertThat(ids(io.of("/gate").to(LOBBY))).containsExactly(member.id());
        assertThat(send(member, "socket.to", List.of(LOBBY), List.of(), "anyone?")).isEmpty();
        settle(member);
        assertThat(refused.events()).containsExactly("connect_error");
    }

    /**
     * An Engine.IO 3 (socket.io 2.x) client is connected to "/" by its protocol, and refused there keeps its transport
     * (as under socket.io 2): it is in no room of "/" all the same, and "/"'s emits do not reach it.
     */
    @Test
    void anEngineIo3ClientRefusedOnRootIsInNoRoomWhileItsTransportStaysOpen() {
        TestClient member = connected("/");
        WireClient v2;
        try (LogCapture log = LogCapture.of(CONNECTION_LOG)) {
            v2 = track(WireClient.openWithQuery(server.port(), "EIO=3&transport=websocket&deny=1", true));
            await().untilAsserted(() -> assertThat(v2.packetsOn("/")).contains("4\"denied\""));
            await().untilAsserted(() -> assertThat(log.warnings()).singleElement().asString().contains("denied"));
        }
        String refusedId = v2.sid();

        await().untilAsserted(() -> assertThat(ids(io.of("/"))).containsExactly(member.id()));
        assertThat(ids(io.of("/").to(LOBBY))).isEmpty();
        assertThat(ids(io.of("/").to(refusedId))).isEmpty();
        assertThat(send(member, "nsp", List.of(), List.of(), "to /")).isEqualTo(sorted(member));
        io.of("/").to(LOBBY).emit(NEWS, "to the lobby", "server");
        // a round trip on /chat, over the same transport
        v2.send("40/chat", "42/chat,1[\"rooms\"]");
        await().untilAsserted(() -> assertThat(v2.packetsOn("/chat")).anyMatch(p -> p.startsWith("31[")));

        assertThat(v2.isClosed()).as("the refused client's transport").isFalse();
        assertThat(v2.packetsOn("/")).containsExactly("4\"denied\"");
    }

    // --- rooms are per namespace

    @Test
    void roomsArePerNamespaceTheSameNameOnTwoNamespacesIsTwoRooms() {
        TestClient sender = connected("/");
        TestClient onRoot = connected("/");
        TestClient onChat = connected("/chat");
        call(sender, "join", "same");
        call(onRoot, "join", "same");
        call(onChat, "join", "same");

        assertThat(send(sender, "socket.to", List.of("same"), List.of(), "on /")).isEqualTo(sorted(onRoot));
        assertThat(send(onChat, "nsp", List.of("same"), List.of(), "on /chat")).isEqualTo(sorted(onChat));
        settle(sender, onRoot, onChat);
        assertThat(news(onRoot)).containsExactly("on /");
        assertThat(news(onChat)).containsExactly("on /chat");
        assertThat(news(sender)).isEmpty();

        // one client on both namespaces has one id: its rooms on one are not its rooms on the other
        RawClient both = raw();
        both.send("0", "0/chat,");
        await().untilAsserted(() -> assertThat(both.receivedOn("/chat")).anyMatch(p -> p.startsWith("0{")));
        String bothId = sid(both);
        both.send("21[\"join\",\"same\"]", "2/chat,2[\"rooms\"]");
        await().untilAsserted(() -> assertThat(both.receivedOn("/chat")).anyMatch(p -> p.startsWith("32[")));

        assertThat(both.receivedOn("/")).contains("31[" + new JSONArray(sorted(bothId, "same")) + "]");
        assertThat(both.receivedOn("/chat")).contains("32[" + new JSONArray(List.of(bothId)) + "]");
        assertThat(ids(io.of("/").to("same"))).containsExactlyInAnyOrder(sender.id(), onRoot.id(), bothId);
        assertThat(ids(io.of("/chat").to("same"))).containsExactly(onChat.id());
        assertThat(ids(io.of("/chat").to(bothId))).containsExactly(bothId);
    }

    // --- connection middleware

    /**
     * A socket is in its rooms from the start of its connection middleware (here: it joins the lobby there), but
     * nothing reaches it before its CONNECT: what the lobby is sent meanwhile is held, and goes out right after it.
     */
    @Test
    void whatARoomIsSentDuringAMembersConnectionMiddlewareArrivesRightAfterItsConnect() {
        TestClient member = connected("/early");
        RawClient waiting = raw("hold=1");
        waiting.send("0/early,");
        await().until(() -> journal.stream().anyMatch(line -> line.startsWith("holding ")));
        String waitingId = journal.get(0).substring("holding ".length());

        assertThat(send(member, "socket.to", List.of(LOBBY), List.of(), "welcome")).containsExactly(waitingId);
        io.of("/early").to(waitingId).emit(NEWS, "just for you", "server");
        waiting.send("0/chat,", "2/chat,9[\"rooms\"]"); // a round trip on another namespace of the same transport
        await().untilAsserted(() -> assertThat(waiting.receivedOn("/chat")).anyMatch(p -> p.startsWith("39[")));
        assertThat(waiting.receivedOn("/early")).as("nothing before the CONNECT").isEmpty();

        admission.complete(true);

        await().untilAsserted(() -> assertThat(waiting.receivedOn("/early")).hasSize(3));
        assertThat(waiting.receivedOn("/early")).satisfiesExactly(
                connect -> assertThat(connect).startsWith("0{\"sid\":\"" + waitingId + "\""),
                welcome -> assertThat(welcome).isEqualTo("2[\"news\",\"welcome\",\"" + member.id() + "\"]"),
                justForYou -> assertThat(justForYou).isEqualTo("2[\"news\",\"just for you\",\"server\"]"));
    }

    @Test
    void whatARoomIsSentDuringAConnectionMiddlewareThatThenRefusesNeverArrives() {
        TestClient member = connected("/early");
        RawClient waiting = raw("hold=1");
        waiting.send("0/early,");
        await().until(() -> journal.stream().anyMatch(line -> line.startsWith("holding ")));
        String waitingId = journal.get(0).substring("holding ".length());
        assertThat(send(member, "socket.to", List.of(LOBBY), List.of(), "welcome")).containsExactly(waitingId);

        try (LogCapture log = LogCapture.of(CONNECTION_LOG)) {
            admission.complete(false);

            await().untilAsserted(() -> assertThat(waiting.receivedOn("/early")).isNotEmpty());
            await().untilAsserted(() -> assertThat(log.warnings()).singleElement().asString().contains("not admitted"));
        }
        assertThat(waiting.receivedOn("/early")).containsExactly("4{\"message\":\"not admitted\"}");
        await().untilAsserted(() -> assertThat(ids(io.of("/early"))).containsExactly(member.id()));
        assertThat(ids(io.of("/early").to(LOBBY))).containsExactly(member.id());
        assertThat(ids(io.of("/early").to(waitingId))).isEmpty();
        waiting.send("0/chat,", "2/chat,9[\"rooms\"]");
        await().untilAsserted(() -> assertThat(waiting.receivedOn("/chat")).anyMatch(p -> p.startsWith("39[")));
        assertThat(waiting.receivedOn("/early")).containsExactly("4{\"message\":\"not admitted\"}");
    }

    // --- many members at once

    /**
     * Eight members of one room send 60 messages each, all at once, without waiting for anything: every member gets
     * every other member's messages exactly once and in the order each sent them, and none of its own.
     */
    @Test
    void manyMembersTalkingAtOnceEachGetsEveryOtherMembersMessagesOnceInTheOrderEachSentThem() {
        int members = 8;
        int messages = 60;
        List<TestClient> room = IntStream.range(0, members).mapToObj(i -> connected("/chat")).toList();
        room.forEach(member -> call(member, "join", "crowd"));
        Map<String, Integer> indexOf = IntStream.range(0, members).boxed()
                .collect(Collectors.toMap(i -> room.get(i).id(), i -> i));

        List<Thread> senders = new ArrayList<>();
        for (int i = 0; i < members; i++) {
            TestClient member = room.get(i);
            int sender = i;
            Thread thread = new Thread(() -> {
                for (int k = 0; k < messages; k++) {
                    member.emit("send", "socket.to", new JSONArray(List.of("crowd")), new JSONArray(), sender + ":" + k);
                }
            }, "sender-" + i);
            senders.add(thread);
        }
        senders.forEach(Thread::start);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(room)
                .allSatisfy(member -> assertThat(member.seen(NEWS)).hasSizeGreaterThanOrEqualTo((members - 1) * messages)));
        settle(room.toArray(TestClient[]::new));

        for (int i = 0; i < members; i++) {
            TestClient member = room.get(i);
            List<String> received = news(member);
            assertThat(received).as("member %d got %d messages", i, received.size()).hasSize((members - 1) * messages);
            for (int sender = 0; sender < members; sender++) {
                String prefix = sender + ":";
                List<String> fromSender = received.stream().filter(text -> text.startsWith(prefix)).toList();
                if (sender == i) {
                    assertThat(fromSender).as("member %d got its own messages", i).isEmpty();
                } else {
                    int from = sender;
                    assertThat(fromSender).as("what member %d got from member %d", i, sender)
                            .isEqualTo(IntStream.range(0, messages).mapToObj(k -> from + ":" + k).toList());
                    assertThat(member.seen(NEWS)).filteredOn(seen -> ((String) seen.args().get(0)).startsWith(prefix))
                            .allSatisfy(seen -> assertThat(indexOf.get((String) seen.args().get(1))).isEqualTo(from));
                }
            }
        }
    }

    // --- a socket that is gone: known bugs, these fail until they are fixed

    /**
     * socket.io: a disconnected socket leaves all its rooms and can join no other ({@code Socket._cleanup}: leaveAll,
     * then join is a no-op). Here a controller still running at the disconnect (the disconnect path waits for it)
     * joins a room afterwards, and the gone socket stays in it for good.
     */
    @Test
    void aSocketThatDisconnectedIsInNoRoomAControllerStillRunningThenJoins() {
        TestClient alice = connected("/chat");
        String alicesId = alice.id();
        alice.emit("joinWhenReleased", "afterwards");
        await().until(() -> journal.contains("joining when released"));

        alice.close();
        await().untilAsserted(() -> assertThat(ids(io.of("/chat").to(alicesId))).isEmpty()); // onDisconnect ran
        release.complete(null);
        await().untilAsserted(() -> assertThat(server.server().connectionCount()).isZero());

        assertThat(ids(io.of("/chat").to("afterwards"))).as("members of the room joined after the disconnect").isEmpty();
    }

    /** The same, for connection middleware that joins a room after an asynchronous step the client did not wait for. */
    @Test
    void aSocketThatDisconnectedDuringItsConnectionMiddlewareIsInNoRoomTheMiddlewareThenJoins() {
        RawClient waiting = raw("hold=1&late=1");
        waiting.send("0/early,");
        await().until(() -> journal.stream().anyMatch(line -> line.startsWith("holding ")));
        String waitingId = journal.get(0).substring("holding ".length());
        assertThat(ids(io.of("/early").to(LOBBY))).containsExactly(waitingId);

        waiting.close();
        await().untilAsserted(() -> assertThat(ids(io.of("/early").to(LOBBY))).isEmpty()); // onDisconnect ran
        admission.complete(true);
        await().untilAsserted(() -> assertThat(server.server().connectionCount()).isZero());

        assertThat(ids(io.of("/early").to("late"))).as("members of the room joined after the disconnect").isEmpty();
    }

    /**
     * socket.io removes a socket from its namespace at its disconnect ({@code nsp._remove}, {@code leaveAll}): it is
     * none of the namespace's sockets from then on. Here a socket that left a namespace while one of its packets was
     * still running is gone from every room at once, yet still one of the namespace's sockets until that packet has
     * finished: {@code nsp().socketIds()} (and {@code io.of(ns).socketIds()}) name it, and {@code nsp().emit} hands
     * it the event (netty-socketio drops it: nothing reaches the wire).
     */
    @Test
    void aSocketThatLeftTheNamespaceWithAPacketStillRunningIsNoLongerOneOfItsSockets() {
        TestClient alice = connected("/chat");
        RawClient leaver = raw();
        leaver.send("0", "0/chat,");
        await().untilAsserted(() -> assertThat(leaver.receivedOn("/chat")).anyMatch(p -> p.startsWith("0{")));
        String leaversId = sid(leaver);
        leaver.send("2/chat,[\"busy\"]");
        await().until(() -> journal.contains("busy"));

        leaver.send("1/chat,");
        roundTripOnRoot(leaver, 1);
        await().untilAsserted(() -> assertThat(ids(io.of("/chat").to(leaversId))).isEmpty()); // onDisconnect ran

        List<Object> addressed = send(alice, "nsp", List.of(), List.of(), "after you left");
        roundTripOnRoot(leaver, 2);

        assertThat(leaver.receivedOn("/chat")).as("what the leaver got on /chat after leaving")
                .noneMatch(p -> p.contains("after you left"));
        assertThat(ids(io.of("/chat").to(leaversId))).as("its own room").isEmpty();
        assertThat(ids(io.of("/chat"))).as("io.of(\"/chat\").socketIds()").containsExactly(alice.id());
        assertThat(addressed).as("nsp().socketIds() of alice's send").isEqualTo(sorted(alice));
    }

    // --- helpers

    private TestClient connected(String namespace) {
        TestClient client = track(TestClient.connect(server.url(namespace), NEWS));
        await().until(client::connected);
        return client;
    }

    private RawClient raw() {
        return raw(null);
    }

    private RawClient raw(String query) {
        return track(new RawClient(server.port(), query));
    }

    private <C extends AutoCloseable> C track(C client) {
        clients.add(client);
        return client;
    }

    /** Emits {@code event} with an ack callback and returns what the server acknowledged, JSON arrays as lists. */
    private static List<Object> call(TestClient client, String event, Object... args) {
        CompletableFuture<Object[]> answer = new CompletableFuture<>();
        client.emit(event, args, (Ack) answer::complete);
        try {
            Object[] acked = answer.get(ANSWER.toMillis(), TimeUnit.MILLISECONDS);
            if (acked.length == 1 && acked[0] instanceof JSONArray array) {
                return IntStream.range(0, array.length()).mapToObj(i -> (Object) String.valueOf(array.opt(i))).toList();
            }
            return Arrays.stream(acked).map(arg -> (Object) String.valueOf(arg)).toList();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError("no answer to " + event + " within " + ANSWER + "; client saw " + client, e);
        }
    }

    /** {@code send}: the ids the broadcast addressed (its socketIds(), sorted), as the server acknowledged them. */
    private static List<Object> send(TestClient from, String how, List<String> to, List<String> except, String text) {
        return call(from, "send", how, new JSONArray(to), new JSONArray(except), text);
    }

    /** A round trip of each client's own: whatever the server emitted to it before has arrived. */
    private static void settle(TestClient... clients) {
        for (TestClient client : clients) {
            call(client, "rooms");
        }
    }

    /** A round trip on {@code /} of a raw client connected to it (ack ids unique per test). */
    private static void roundTripOnRoot(RawClient client, int n) {
        int id = 900 + n;
        client.send("2" + id + "[\"rooms\"]");
        await().untilAsserted(() -> assertThat(client.receivedOn("/")).anyMatch(p -> p.startsWith("3" + id + "[")));
    }

    /** The session id from a raw client's CONNECT answer on {@code /} or {@code /chat}. */
    private static String sid(RawClient client) {
        for (String namespace : List.of("/", "/chat")) {
            for (String packet : client.receivedOn(namespace)) {
                Matcher matcher = SID.matcher(packet);
                if (matcher.find()) {
                    return matcher.group(1);
                }
            }
        }
        throw new AssertionError("no CONNECT yet: " + client.received);
    }

    /** The texts of the news a client got, in arrival order. */
    private static List<String> news(TestClient client) {
        return client.seen(NEWS).stream().map(seen -> (String) seen.args().get(0)).toList();
    }

    private static Set<String> ids(Broadcast broadcast) {
        try {
            return broadcast.socketIds().toCompletableFuture().get(ANSWER.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError(e);
        }
    }

    private static List<Object> sorted(TestClient... clients) {
        return sorted(Arrays.stream(clients).map(TestClient::id).toList());
    }

    private static List<Object> sorted(String... names) {
        return sorted(List.of(names));
    }

    private static List<Object> sorted(Collection<String> names) {
        return List.copyOf(new TreeSet<>(names));
    }

    @SuppressWarnings("unchecked")
    private static List<String> strings(Object list) {
        return (List<String>) list;
    }

    private static CompletionStage<Void> done() {
        return CompletableFuture.completedFuture(null);
    }
}
