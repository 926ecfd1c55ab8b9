package dev.cloudscope.cloudbuild;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.cloudscope.protocol.Events;
import dev.cloudscope.protocol.Namespaces;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CloudbuildClientTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private static TestServer server;

    /** Everything the callbacks saw, in order, as text. */
    private final List<String> seen = new CopyOnWriteArrayList<>();
    private CloudbuildClient client;

    @BeforeAll
    static void startServer() {
        server = new TestServer();
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @AfterEach
    void closeClient() {
        if (client != null) {
            client.close();
        }
    }

    private CloudbuildClient.Builder recording(String url) {
        return CloudbuildClient.builder(url)
                .onConnect(c -> seen.add("connect"))
                .on(Events.RES, args -> seen.add("res " + args))
                .onConnectError(reason -> seen.add("connect_error " + reason))
                .onDisconnect(reason -> seen.add("disconnect " + reason));
    }

    @Test
    void chatsOnTheChatNamespace() {
        client = recording(server.url(Namespaces.CHAT))
                .onConnect(c -> {
                    seen.add("connect");
                    c.emitWithAck(Events.CHAT, ack -> seen.add("ack " + ack), "hello world!");
                })
                .connect();

        assertThat(client.namespace()).isEqualTo("/chat");
        await().atMost(WAIT).until(() -> seen.size() >= 4);
        assertThat(seen).containsExactly("connect", "res [x: hello world!]", "res [y]", "ack [done]");
        assertThat(client.isConnected()).isTrue();
    }

    @Test
    void chatsOnTheRootNamespaceWhenTheUrlHasNoPath() {
        client = recording(server.url(Namespaces.ROOT))
                .onConnect(c -> {
                    seen.add("connect");
                    c.emitWithAck(Events.CHAT, ack -> seen.add("ack " + ack), "hi");
                })
                .connect();

        assertThat(client.namespace()).isEqualTo("/");
        await().atMost(WAIT).until(() -> seen.size() >= 4);
        assertThat(seen).containsExactly("connect", "res [x: hi]", "res [y]", "ack [done]");
    }

    @Test
    void emitsWithoutAckAndBuffersUntilConnected() {
        client = recording(server.url(Namespaces.CHAT)).connect();
        client.emit(Events.CHAT, "early"); // before the namespace is joined: sent once it is

        await().atMost(WAIT).until(() -> seen.size() >= 3);
        assertThat(seen).containsExactly("connect", "res [x: early]", "res [y]");
    }

    @Test
    void severalHandlersForOneEventRunInOrder() {
        client = CloudbuildClient.builder(URI.create(server.url(Namespaces.CHAT)))
                .on(Events.RES, args -> seen.add("first " + args.get(0)))
                .on(Events.RES, args -> seen.add("second " + args.get(0)))
                .on(Events.RES, args -> {
                    throw new IllegalStateException("a failing handler does not stop the others");
                })
                .onConnect(c -> c.emit(Events.CHAT, "m"))
                .connect();

        await().atMost(WAIT).until(() -> seen.size() >= 4);
        assertThat(seen).containsExactly("first x: m", "second x: m", "first y", "second y");
    }

    @Test
    void reportsARefusedConnection() {
        int closedPort = TestServer.freePort();
        client = recording("http://127.0.0.1:" + closedPort + "/chat").connect();

        await().atMost(WAIT).until(() -> !seen.isEmpty());
        assertThat(seen).containsExactly("connect_error connection refused");
        assertThat(client.isConnected()).isFalse();
    }

    @Test
    void reportsAnUnknownNamespace() {
        client = recording(server.url("/nope")).connect();

        await().atMost(WAIT).until(() -> !seen.isEmpty());
        assertThat(seen).containsExactly("connect_error Invalid namespace");
    }

    @Test
    void reportsTheServersRefusalMessage() {
        client = recording(server.url(TestServer.PRIVATE)).auth("token", "wrong").connect();

        await().atMost(WAIT).until(() -> !seen.isEmpty());
        assertThat(seen).containsExactly("connect_error unauthorized");
    }

    @Test
    void sendsAuth() {
        client = recording(server.url(TestServer.PRIVATE))
                .auth("token", "secret")
                .onConnect(c -> c.emitWithAck(Events.CHAT, ack -> seen.add("ack " + ack), "let me in"))
                .connect();

        await().atMost(WAIT).until(() -> seen.size() >= 3);
        assertThat(seen).containsExactly("res [x: let me in]", "res [y]", "ack [done]");
    }

    @Test
    void reportsAServerDisconnect() {
        client = recording(server.url(Namespaces.CHAT))
                .onConnect(c -> c.emit("kick", "bye"))
                .connect();

        await().atMost(WAIT).until(() -> !seen.isEmpty());
        assertThat(seen).containsExactly("disconnect io server disconnect");
        assertThat(client.isConnected()).isFalse();
    }

    @Test
    void closeDisconnectsAndIsIdempotent() {
        client = recording(server.url(Namespaces.CHAT)).connect();
        await().atMost(WAIT).until(client::isConnected);

        client.close();
        client.close();

        await().atMost(WAIT).until(() -> seen.size() >= 2);
        assertThat(seen).containsExactly("connect", "disconnect io client disconnect");
        assertThat(client.isConnected()).isFalse();
        assertThatThrownBy(() -> client.emit(Events.CHAT, "late"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void closeBeforeConnectingIsQuiet() {
        client = recording(server.url(Namespaces.CHAT)).connect();
        client.close();
        assertThat(client.isConnected()).isFalse();
    }

    @Test
    void refusesReservedEventsAndBadUrls() {
        assertThatThrownBy(() -> CloudbuildClient.builder(server.url("/")).on("connect", args -> { }))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CloudbuildClient.builder("ftp://127.0.0.1/chat"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CloudbuildClient.builder("not a url"))
                .isInstanceOf(IllegalArgumentException.class);
        client = recording(server.url(Namespaces.CHAT)).connect();
        assertThatThrownBy(() -> client.emit("disconnect"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("reserved");
    }

    @Test
    void theNamespaceIsTheUrlsPath() {
        assertThat(CloudbuildClient.namespaceOf(URI.create("http://127.0.0.1:7001"))).isEqualTo("/");
        assertThat(CloudbuildClient.namespaceOf(URI.create("http://127.0.0.1:7001/chat"))).isEqualTo("/chat");
    }

    @Test
    void leavesNoNonDaemonHttpThreadsAfterClose() {
        client = recording(server.url(Namespaces.CHAT))
                .onConnect(c -> c.emitWithAck(Events.CHAT, ack -> seen.add("ack"), "hi"))
                .connect();
        await().atMost(WAIT).until(() -> seen.contains("ack"));

        client.close();

        await().atMost(WAIT).untilAsserted(() -> assertThat(Thread.getAllStackTraces().keySet())
                .filteredOn(t -> t.isAlive() && !t.isDaemon() && t.getName().startsWith("OkHttp"))
                .isEmpty());
    }

    @Test
    void tlsOnlyForHttpsAndWss() {
        assertThat(CloudbuildClient.isTls(URI.create("http://127.0.0.1:7001"))).isFalse();
        assertThat(CloudbuildClient.isTls(URI.create("ws://127.0.0.1:7001/chat"))).isFalse();
        assertThat(CloudbuildClient.isTls(URI.create("https://127.0.0.1:7001"))).isTrue();
        assertThat(CloudbuildClient.isTls(URI.create("WSS://127.0.0.1:7001/chat"))).isTrue();
    }

    @Test
    void anHttpsUrlStillSpeaksTls() {
        // a cleartext server answers a TLS handshake with garbage: the client did try TLS
        client = recording(server.url(Namespaces.CHAT).replace("http://", "https://")).connect();

        await().atMost(WAIT).until(() -> !seen.isEmpty());
        assertThat(seen).singleElement().asString().startsWith("connect_error TLS error");
    }

    @Test
    void socketsHaveNagleOff() throws Exception {
        try (java.net.Socket socket = NoDelaySocketFactory.INSTANCE.createSocket()) {
            assertThat(socket.getTcpNoDelay()).isTrue();
        }
    }
}
