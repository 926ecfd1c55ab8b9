package dev.cloudscope.server.io.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.corundumstudio.socketio.AckRequest;
import com.corundumstudio.socketio.Configuration;
import com.corundumstudio.socketio.HandshakeData;
import com.corundumstudio.socketio.Transport;
import com.corundumstudio.socketio.ack.AckManager;
import com.corundumstudio.socketio.handler.ClientHead;
import com.corundumstudio.socketio.handler.ClientsBox;
import com.corundumstudio.socketio.namespace.Namespace;
import com.corundumstudio.socketio.protocol.EngineIOVersion;
import com.corundumstudio.socketio.protocol.PacketType;
import com.corundumstudio.socketio.scheduler.HashedWheelTimeoutScheduler;
import com.corundumstudio.socketio.store.MemoryStoreFactory;
import com.corundumstudio.socketio.transport.NamespaceClient;
import dev.cloudscope.server.io.Controller;
import dev.cloudscope.server.io.Packet;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Connection} alone: netty-socketio's client objects without a channel (what the server sends piles up in
 * the client's packet queue, in order), and a lane the test runs by hand, so that every interleaving is the
 * test's choice.
 */
class ConnectionTest {

    /** The connection's lane: tasks wait until the test runs them; a hook may run just before a task is queued. */
    private static final class ManualLane implements Executor {
        private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
        private final AtomicReference<Runnable> beforeNextQueued = new AtomicReference<>();

        @Override
        public void execute(Runnable task) {
            Runnable hook = beforeNextQueued.getAndSet(null);
            if (hook != null) {
                hook.run();
            }
            tasks.add(task);
        }

        void runAll() {
            for (Runnable task; (task = tasks.poll()) != null; ) {
                task.run();
            }
        }
    }

    private final HashedWheelTimeoutScheduler scheduler = new HashedWheelTimeoutScheduler();
    private final ManualLane lane = new ManualLane();
    private final List<String> journal = new CopyOnWriteArrayList<>();

    @AfterEach
    void stopScheduler() {
        scheduler.shutdown();
    }

    private ClientHead head(EngineIOVersion version) {
        Map<String, List<String>> params = Map.of("EIO", List.of(version.getValue()));
        HandshakeData handshake = new HandshakeData(new DefaultHttpHeaders(), params,
                new InetSocketAddress("127.0.0.1", 50312), "/socket.io/", false);
        return new ClientHead(UUID.randomUUID(), new AckManager(scheduler), client -> { }, new MemoryStoreFactory(),
                handshake, new ClientsBox(), Transport.WEBSOCKET, scheduler, new Configuration(), params);
    }

    /** What the server sent to {@code head}, e.g. {@code CONNECT /x}, {@code EVENT /x res [x]}. */
    private static List<String> wire(ClientHead head) {
        return head.getPacketsQueue(Transport.WEBSOCKET).stream().map(packet -> {
            String line = packet.getSubType() + " " + packet.getNsp();
            if (packet.getSubType() == PacketType.EVENT) {
                line += " " + packet.getName();
            }
            if (packet.getSubType() == PacketType.EVENT || packet.getSubType() == PacketType.ERROR) {
                line += " " + packet.getData();
            }
            return line;
        }).toList();
    }

    private static AckRequest noAck(NamespaceClient client) {
        return new AckRequest(new com.corundumstudio.socketio.protocol.Packet(PacketType.MESSAGE, EngineIOVersion.V4),
                client);
    }

    private final Controller seq = ctx -> {
        journal.add("seq " + ctx.args().get(0));
        ctx.socket().emit("res", ctx.args().get(0));
        return CompletableFuture.completedFuture(null);
    };

    private static Packet seq(int n) {
        return new Packet("seq", List.of(n));
    }

    @Test
    void theConnectGoesOutFirstThenWhatMiddlewareEmittedThenTheHeldPacketsInOrder() {
        ClientHead head = head(EngineIOVersion.V4);
        NamespaceClient client = head.addNamespaceClient(new Namespace("/x", new Configuration()));
        NamespaceChain chain = new NamespaceChain("/x", List.of((ctx, next) -> {
            ctx.socket().emit("res", "x");
            return next.call();
        }), List.of(), Map.of("seq", seq));
        Connection connection = new Connection(head, client, chain, lane, false, "");

        connection.start();
        connection.onEvent(seq(1), noAck(client));
        connection.onEvent(seq(2), noAck(client));
        assertThat(wire(head)).isEmpty();
        assertThat(connection.isOpen()).isFalse();

        lane.runAll();

        assertThat(connection.isOpen()).isTrue();
        assertThat(wire(head)).containsExactly("CONNECT /x", "EVENT /x res [x]", "EVENT /x res [1]", "EVENT /x res [2]");
        assertThat(journal).containsExactly("seq 1", "seq 2");
    }

    @Test
    void aDisconnectWhileConnectionMiddlewareRunsSendsNoConnectAndRunsTheCodeAfterNextOnce() {
        ClientHead head = head(EngineIOVersion.V4);
        NamespaceClient client = head.addNamespaceClient(new Namespace("/x", new Configuration()));
        CompletableFuture<Void> slowCheck = new CompletableFuture<>();
        NamespaceChain chain = new NamespaceChain("/x", List.of((ctx, next) -> {
            journal.add("in");
            return slowCheck.thenCompose(ok -> next.call()).thenRun(() -> journal.add("out"));
        }), List.of(), Map.of("seq", seq));
        Connection connection = new Connection(head, client, chain, lane, false, "");
        connection.start();
        lane.runAll();
        connection.onEvent(seq(1), noAck(client));

        connection.onDisconnect();
        slowCheck.complete(null);
        lane.runAll();

        assertThat(journal).containsExactly("in", "out");
        assertThat(wire(head)).isEmpty();
        assertThat(connection.finished()).isCompleted();
    }

    @Test
    void anEngineIo3RefusalOnRootIsOnlyThePlainError() {
        ClientHead head = head(EngineIOVersion.V3);
        NamespaceClient client = head.addNamespaceClient(new Namespace("", new Configuration()));
        NamespaceChain chain = new NamespaceChain("/", List.of((ctx, next) -> {
            ctx.socket().emit("res", "x"); // held until a CONNECT that never comes
            return CompletableFuture.failedFuture(new IllegalStateException("nope"));
        }), List.of(), Map.of());
        Connection connection = new Connection(head, client, chain, lane, true, "");

        connection.start();
        lane.runAll();

        assertThat(wire(head)).containsExactly("ERROR  nope");
        assertThat(connection.finished()).isCompleted();
    }

    @Test
    void aPacketArrivingWhileHeldPacketsAreDispatchedRunsAfterThem() throws InterruptedException {
        ClientHead head = head(EngineIOVersion.V4);
        NamespaceClient client = head.addNamespaceClient(new Namespace("/x", new Configuration()));
        NamespaceChain chain = new NamespaceChain("/x", List.of(), List.of(), Map.of("seq", seq));
        Connection connection = new Connection(head, client, chain, lane, false, "");
        connection.start();
        connection.onEvent(seq(1), noAck(client));
        connection.onEvent(seq(2), noAck(client));
        connection.onEvent(seq(3), noAck(client));

        // the client saw the CONNECT and sends packet 4: the event loop hands it over just as establish() is
        // handing packets 1-3 to the lane; it gets as far as it can (it may have to wait for the connection's lock)
        Thread eventLoop = new Thread(() -> connection.onEvent(seq(4), noAck(client)), "event-loop");
        lane.beforeNextQueued.set(() -> {
            eventLoop.start();
            await().until(() -> eventLoop.getState() == Thread.State.BLOCKED
                    || eventLoop.getState() == Thread.State.TERMINATED);
        });
        lane.runAll();
        eventLoop.join();
        lane.runAll();

        assertThat(journal).containsExactly("seq 1", "seq 2", "seq 3", "seq 4");
    }
}
