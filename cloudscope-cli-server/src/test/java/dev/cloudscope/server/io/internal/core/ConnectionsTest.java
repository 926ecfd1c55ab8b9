package dev.cloudscope.server.io.internal.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** {@link Connections}: what the transport reports of many clients at once. */
class ConnectionsTest {

    @Test
    void twoConnectsOfOneClientToOneNamespaceReadAtOnceStartOneConnection() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int i = 0; i < 2000; i++) {
                LocalSockets sockets = new LocalSockets();
                Connections connections = new Connections(
                        Map.of("/chat", new NamespaceChain("/chat", List.of(), List.of(), Map.of())),
                        Runnable::run, false, "", new LocalRooms(sockets), sockets);
                CyclicBarrier barrier = new CyclicBarrier(2);
                RecordingLink a = new RecordingLink("/chat", "sid-" + i);
                RecordingLink b = new RecordingLink("/chat", "sid-" + i);
                Future<Connections.Admission> first = pool.submit(() -> {
                    barrier.await();
                    return connections.connect(a);
                });
                Future<Connections.Admission> second = pool.submit(() -> {
                    barrier.await();
                    return connections.connect(b);
                });

                assertThat(List.of(first.get(), second.get())).as("round %d", i)
                        .containsExactlyInAnyOrder(Connections.Admission.STARTED, Connections.Admission.ALREADY_CONNECTED);
                connections.disconnected(a);
                connections.disconnected(b);
                assertThat(connections.count()).as("round %d: connections left running", i).isZero();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
