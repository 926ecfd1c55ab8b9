package dev.cloudscope.server.io.internal.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cloudscope.server.io.Controller;
import dev.cloudscope.server.io.Packet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * {@link Connection} alone: a link that records what would go on the wire, in order, and a lane the test runs by
 * hand, so that every interleaving is the test's choice.
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

    private final ManualLane lane = new ManualLane();
    private final List<String> journal = new CopyOnWriteArrayList<>();
    private final RecordingLink link = new RecordingLink("/x");
    private final Rooms rooms = new LocalRooms(new LocalSockets());

    private Connection connection(NamespaceChain chain) {
        return new Connection(link, chain, lane, rooms, "");
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
        NamespaceChain chain = new NamespaceChain("/x", List.of((ctx, next) -> {
            ctx.socket().emit("res", "x");
            return next.call();
        }), List.of(), Map.of("seq", seq));
        Connection connection = connection(chain);

        connection.start();
        connection.onEvent(seq(1), Ack.NONE);
        connection.onEvent(seq(2), Ack.NONE);
        assertThat(link.wire).isEmpty();
        assertThat(connection.isOpen()).isFalse();

        lane.runAll();

        assertThat(connection.isOpen()).isTrue();
        assertThat(link.wire).containsExactly("CONNECT", "EVENT res [x]", "EVENT res [1]", "EVENT res [2]");
        assertThat(journal).containsExactly("seq 1", "seq 2");
    }

    @Test
    void aDisconnectWhileConnectionMiddlewareRunsSendsNoConnectAndRunsTheCodeAfterNextOnce() {
        CompletableFuture<Void> slowCheck = new CompletableFuture<>();
        NamespaceChain chain = new NamespaceChain("/x", List.of((ctx, next) -> {
            journal.add("in");
            return slowCheck.thenCompose(ok -> next.call()).thenRun(() -> journal.add("out"));
        }), List.of(), Map.of("seq", seq));
        Connection connection = connection(chain);
        connection.start();
        lane.runAll();
        connection.onEvent(seq(1), Ack.NONE);

        connection.onDisconnect();
        slowCheck.complete(null);
        lane.runAll();

        assertThat(journal).containsExactly("in", "out");
        assertThat(link.wire).isEmpty();
        assertThat(connection.finished()).isCompleted();
    }

    @Test
    void aFailingConnectionMiddlewareRefusesWithItsMessageAndNothingHeldGoesOut() {
        NamespaceChain chain = new NamespaceChain("/x", List.of((ctx, next) -> {
            ctx.socket().emit("res", "x"); // held until a CONNECT that never comes
            return CompletableFuture.failedFuture(new IllegalStateException("nope"));
        }), List.of(), Map.of("seq", seq));
        Connection connection = connection(chain);

        connection.start();
        connection.onEvent(seq(1), Ack.NONE);
        lane.runAll();

        assertThat(link.wire).containsExactly("REFUSE nope");
        assertThat(journal).isEmpty();
        assertThat(connection.finished()).isCompleted();
    }

    @Test
    void aPacketArrivingWhileHeldPacketsAreDispatchedRunsAfterThem() throws InterruptedException {
        NamespaceChain chain = new NamespaceChain("/x", List.of(), List.of(), Map.of("seq", seq));
        Connection connection = connection(chain);
        connection.start();
        connection.onEvent(seq(1), Ack.NONE);
        connection.onEvent(seq(2), Ack.NONE);
        connection.onEvent(seq(3), Ack.NONE);

        // the client saw the CONNECT and sends packet 4: the event loop hands it over just as establish() is
        // handing packets 1-3 to the lane; it gets as far as it can (it may have to wait for the connection's lock)
        Thread eventLoop = new Thread(() -> connection.onEvent(seq(4), Ack.NONE), "event-loop");
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
