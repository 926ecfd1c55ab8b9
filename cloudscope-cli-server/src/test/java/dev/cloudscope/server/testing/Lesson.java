package dev.cloudscope.server.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cloudscope.server.testing.TestClient.Seen;
import java.util.List;
import java.util.Map;

/** The lesson's exchange on {@code /}, as its client sees it: a well-behaved client, served as the lesson says. */
public final class Lesson {

    /** The three replies to one {@code chat} on {@code /}: the auth middleware's, the filter's, the controller's. */
    public static final List<Object> REPLIES = List.of("auth!Hello Man!!", "packet!Hello Man!!", "Hello Man!!");

    private Lesson() {
    }

    /** A fresh socket.io 4 client on {@code /} is served the lesson's exact sequence; it leaves afterwards. */
    public static void assertServed(TestServer server) {
        assertServed(server, null);
    }

    /** Same, for a server with {@code auth.tokens}: the client sends {@code auth} with its CONNECT. */
    public static void assertServed(TestServer server, Map<String, String> auth) {
        try (TestClient client = TestClient.connectWithAuth(server.url("/"), auth, "res")) {
            assertServedOn(client);
        }
    }

    /**
     * {@code client} (connecting or connected to {@code /}, recording {@code res}, nothing else sent yet) emits the
     * lesson's {@code chat} and sees exactly: connect, the auth reply, the packet reply, the chat reply, its ack.
     */
    public static void assertServedOn(TestClient client) {
        await().until(client::connected);
        client.emitWithAck("chat", "hello world!");

        await().untilAsserted(() -> assertThat(client.events()).contains("ack:chat"));
        assertThat(client.events()).as("what the client saw: %s", client)
                .containsExactly("connect", "res", "res", "res", "ack:chat");
        assertThat(client.seen("res")).extracting(seen -> seen.args().get(0)).isEqualTo(REPLIES);
        assertThat(client.seen("ack:chat")).singleElement().extracting(Seen::args).isEqualTo(List.of());
    }
}
