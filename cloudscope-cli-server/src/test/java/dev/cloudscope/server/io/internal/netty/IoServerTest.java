package dev.cloudscope.server.io.internal.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.inject.AbstractModule;
import com.typesafe.config.ConfigFactory;
import dev.cloudscope.server.config.AuthSettings;
import dev.cloudscope.server.config.ConfigModule;
import dev.cloudscope.server.config.IoSettings;
import dev.cloudscope.server.config.LoadedConfig;
import dev.cloudscope.server.config.NamespaceSettings;
import dev.cloudscope.server.config.ServerSettings;
import dev.cloudscope.server.io.internal.IoModule;
import dev.cloudscope.server.io.IoBindings;
import dev.cloudscope.server.io.Routes;
import dev.cloudscope.server.testing.RawClient;
import dev.cloudscope.server.testing.TestClient;
import dev.cloudscope.server.testing.TestServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link IoServer}'s own life: binding, stopping. Each case starts (and stops) its own server. */
class IoServerTest {

    private final List<String> journal = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void closeEverything() throws Exception {
        for (AutoCloseable closeable : closeables) {
            closeable.close();
        }
    }

    private <C extends AutoCloseable> C track(C closeable) {
        closeables.add(0, closeable); // clients before their server
        return closeable;
    }

    /** Records each connection and runs its disconnect path, on every namespace it is put on. */
    private final class Lifecycle extends AbstractModule {
        @Override
        protected void configure() {
            IoBindings.connectionMiddleware(binder()).addBinding("lifecycle").toInstance((ctx, next) -> {
                String ns = ctx.socket().namespace();
                return next.call().thenRun(() -> journal.add("disconnected " + ns));
            });
            bind(Routes.class).toInstance(io -> { });
        }
    }

    @Test
    void stopRunsEveryConnectionsDisconnectPathBeforeItReturns() {
        TestServer server = track(TestServer.start("""
                io.namespace {
                  "/" { connectionMiddleware = [lifecycle], packetMiddleware = [] }
                  "/chat" { connectionMiddleware = [lifecycle], packetMiddleware = [] }
                }
                """, new Lifecycle()));
        TestClient main = track(TestClient.connect(server.url("/")));
        TestClient chat = track(TestClient.connect(server.url("/chat")));
        await().until(() -> main.connected() && chat.connected());
        assertThat(server.server().connectionCount()).isEqualTo(2);

        server.server().stop();

        assertThat(journal).containsExactlyInAnyOrder("disconnected /", "disconnected /chat");
        await().untilAsserted(() -> {
            assertThat(server.server().connectionCount()).isZero();
            assertThat(main.events()).containsExactly("connect", "disconnect");
            assertThat(chat.events()).containsExactly("connect", "disconnect");
        });
    }

    @Test
    void aPortInUseIsOneClearLine() throws IOException {
        ServerSocket squatter = track(new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1")));
        int port = squatter.getLocalPort();
        IoServer server = TestServer.injector("io.namespace.\"/\".connectionMiddleware = [lifecycle]\n"
                        + "io.namespace.\"/\".packetMiddleware = []\n"
                        + "io.namespace.\"/chat\".connectionMiddleware = []", port, new Lifecycle())
                .getInstance(IoServer.class);

        assertThatThrownBy(server::start)
                .isInstanceOf(IoServerException.class)
                .hasMessage("cannot listen on 127.0.0.1:" + port + ": address already in use (is another server running?)");
    }

    @Test
    void withoutTheMainNamespaceAClientAskingForItIsRefusedAndNothingLeaks() {
        int port = TestServer.freePort();
        LoadedConfig config = new LoadedConfig(new ServerSettings("127.0.0.1", port), new IoSettings(
                Map.of("/only", new NamespaceSettings("/only", List.of(), List.of())), IoSettings.AppThreads.EVENT_LOOP, 2,
                Duration.ofSeconds(1),
                1_000_000, Duration.ofSeconds(25), Duration.ofSeconds(20), Duration.ofSeconds(45), List.of(), "", false, false,
                false),
                new AuthSettings(List.of()), TestServer.load("", port).build(), TestServer.load("", port).cluster(),
                ConfigFactory.empty());
        TestServer server = track(TestServer.start(List.of(new ConfigModule(config), new IoModule(), new AbstractModule() {
            @Override
            protected void configure() {
                bind(Routes.class).toInstance(io -> io.of("/only").route("ping", ctx -> {
                    ctx.ack("pong");
                    return CompletableFuture.completedFuture(null);
                }));
            }
        }), port));
        RawClient client = track(new RawClient(port, null));

        client.send("0", "0/only,", "2/only,1[\"ping\"]");

        await().untilAsserted(() -> assertThat(client.receivedOn("/only")).contains("31[\"pong\"]"));
        assertThat(client.receivedOn("/")).singleElement().asString().startsWith("4");
        assertThat(server.server().connectionCount()).isEqualTo(1); // /only, and nothing for "/"
    }
}
