package dev.cloudscope.server.io.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import dev.cloudscope.server.app.AppRoutes;
import dev.cloudscope.server.io.Routes;
import dev.cloudscope.server.testing.Lesson;
import dev.cloudscope.server.testing.TestClient;
import dev.cloudscope.server.testing.TestServer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code io.appThreads}: where middleware and controllers run, and that the lesson is served either way. */
class AppThreadsTest {

    private final List<TestServer> servers = new ArrayList<>();

    @AfterEach
    void stop() {
        TestServer.closeAll(servers.toArray(TestServer[]::new));
    }

    /** The lesson's server with the test's config, plus a route {@code where} that acks its thread's name. */
    private TestServer start(String hocon) {
        TestServer server = TestServer.startLesson(hocon, new AbstractModule() {
            @Provides
            Routes routes(AppRoutes lesson) {
                return io -> {
                    lesson.define(io);
                    io.route("where", ctx -> {
                        ctx.ack(Thread.currentThread().getName());
                        return CompletableFuture.completedFuture(null);
                    });
                };
            }
        });
        servers.add(server);
        return server;
    }

    private static String threadOfARoute(TestServer server) {
        try (TestClient client = TestClient.connect(server.url("/"), "res")) {
            await().until(client::connected);
            client.emitWithAck("where");
            await().untilAsserted(() -> assertThat(client.seen("ack:where")).hasSize(1));
            return String.valueOf(client.seen("ack:where").get(0).args().get(0));
        }
    }

    @Test
    void byDefaultTheAppRunsOnTheConnectionsEventLoop() {
        TestServer server = start("");

        assertThat(threadOfARoute(server)).startsWith("nioEventLoopGroup-");
        Lesson.assertServed(server);
    }

    @Test
    void withWorkersTheAppRunsOnTheWorkerPool() {
        TestServer server = start("io.appThreads = workers");

        assertThat(threadOfARoute(server)).startsWith("io-worker-");
        Lesson.assertServed(server);
    }
}
