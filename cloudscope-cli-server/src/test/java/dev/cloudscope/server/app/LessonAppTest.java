package dev.cloudscope.server.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cloudscope.server.testing.TestClient;
import dev.cloudscope.server.testing.TestClient.Seen;
import dev.cloudscope.server.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The lesson's app (auth, filter, chat controller, user service) on the embedded config, as its clients see it
 * and as it prints on stdout. One server for the class; after each case its clients are gone.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LessonAppTest {

    private static final long PID = ProcessHandle.current().pid();

    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    private PrintStream originalOut;
    private TestServer server;
    private final List<TestClient> clients = new ArrayList<>();

    @BeforeAll
    void start() {
        server = TestServer.startLesson();
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @BeforeEach
    void captureStdout() {
        originalOut = System.out;
        printed.reset();
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void closeClientsAndRestoreStdout() {
        try {
            clients.forEach(TestClient::close);
            clients.clear();
            await().untilAsserted(() -> assertThat(server.server().connectionCount()).isZero());
        } finally {
            System.setOut(originalOut);
        }
    }

    private List<String> stdout() {
        synchronized (printed) {
            return printed.toString(StandardCharsets.UTF_8).lines().toList();
        }
    }

    private TestClient connect(String namespace) {
        TestClient client = TestClient.connect(server.url(namespace), "res");
        clients.add(client);
        return client;
    }

    private static List<Object> argsOf(List<Seen> seen) {
        return seen.stream().map(s -> s.args().get(0)).toList();
    }

    @Test
    void onTheMainNamespaceAuthGreetsAndAChatIsFilteredThenAnswered() {
        TestClient client = connect("/");
        await().untilAsserted(() -> assertThat(client.seen("res")).hasSize(1));

        client.emit("chat", "hello world!");

        await().untilAsserted(() -> assertThat(client.seen("res")).hasSize(3));
        assertThat(client.events()).containsExactly("connect", "res", "res", "res");
        assertThat(argsOf(client.seen("res")))
                .containsExactly("auth!Hello Man!!", "packet!Hello Man!!", "Hello Man!!");
        await().untilAsserted(() -> assertThat(stdout()).contains("packet response!"));
        assertThat(stdout()).containsExactly(
                "[\"chat\",\"hello world!\"]",
                "chat : hello world! : " + PID,
                "packet response!");

        client.disconnect();

        await().untilAsserted(() -> assertThat(server.server().connectionCount()).isZero());
        assertThat(stdout()).endsWith("disconnect!").filteredOn("disconnect!"::equals).hasSize(1);
    }

    @Test
    void onTheChatNamespaceAChatIsAnsweredWithoutTheFilter() {
        TestClient client = connect("/chat");
        await().untilAsserted(() -> assertThat(client.seen("res")).hasSize(1));

        client.emit("chat", "hello world!");

        await().untilAsserted(() -> assertThat(client.seen("res")).hasSize(2));
        assertThat(argsOf(client.seen("res"))).containsExactly("auth!Hello Man!!", "Hello Man!!");
        assertThat(stdout()).containsExactly("chat : hello world! : " + PID);
    }

    @Test
    void echoAnswersTheAckWithWhatWasSentOnBothNamespaces() {
        TestClient main = connect("/");
        TestClient chat = connect("/chat");

        main.emitWithAck("echo", "hello", 42);
        chat.emitWithAck("echo", "hi");

        await().untilAsserted(() -> {
            assertThat(main.seen("ack:echo")).singleElement().extracting(Seen::args).isEqualTo(List.of("hello", 42));
            assertThat(chat.seen("ack:echo")).singleElement().extracting(Seen::args).isEqualTo(List.of("hi"));
        });
        assertThat(argsOf(main.seen("res"))).as("filter still runs on /").contains("packet!Hello Man!!");
    }
}
