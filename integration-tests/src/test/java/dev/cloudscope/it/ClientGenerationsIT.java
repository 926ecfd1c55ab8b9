package dev.cloudscope.it;

import static dev.cloudscope.it.Golden.AUTH_REPLY;
import static dev.cloudscope.it.Golden.CHAT_REPLY;
import static dev.cloudscope.it.Golden.CONNECT;
import static dev.cloudscope.it.Golden.DISCONNECT;
import static dev.cloudscope.it.Golden.PACKET;
import static dev.cloudscope.it.Golden.PACKET_REPLY;
import static dev.cloudscope.it.Golden.PACKET_RESPONSE;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Real clients of both socket.io protocol generations against the real server jar: the lesson's Node client under
 * socket.io-client 2.5.0 (Engine.IO 3) and 4.8.1 (Engine.IO 4), and our CLI (Java client 2.1.2, Engine.IO 4).
 * The Node clients start on HTTP long-polling and upgrade to WebSocket, as they do by default; the CLI uses
 * WebSocket only.
 */
class ClientGenerationsIT {

    private static final int ROOT_RUNS = 10;
    private static final int CHAT_RUNS = 3;

    @TempDir
    Path dir;

    private Trace trace;
    private ServerProcess server;

    @BeforeEach
    void startServer() {
        trace = new Trace(dir);
        server = ServerProcess.start(dir, trace, FreePort.next());
    }

    @AfterEach
    void stopServer() {
        int before = trace.lines().size();
        assertThat(server.terminate()).as("server exit code after SIGTERM").isZero();
        assertThat(trace.linesFrom(before)).as("server lines after the last client left").isEmpty();
        assertThat(server.stderr()).as("server stderr").isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Client.class)
    void onRootEveryClientSeesTheLessonsOrder(Client client) {
        for (int run = 1; run <= ROOT_RUNS; run++) {
            LessonRun lines = runOnce(client, "/", "chat", 1);

            assertThat(lines.clientLines()).as("%s, run %d", client, run).isEqualTo(Golden.clientOnRoot());
            assertThat(lines.serverLines()).as("%s, run %d", client, run).isEqualTo(Golden.serverOnRoot(server.pid()));
            lines.assertBefore(CONNECT, PACKET);
            lines.assertBefore(PACKET, PACKET_REPLY);
            lines.assertBefore(Golden.chatLine(server.pid()), CHAT_REPLY);
            lines.assertBefore(CHAT_REPLY, DISCONNECT);
        }
    }

    /**
     * On /chat a 2.x client is also connected to "/" by its protocol: "/"'s auth runs for it too (its reply goes to
     * the client's "/" socket, which the lesson's client does not listen to) and the server prints disconnect! twice,
     * as the lesson's own system did. A 4.x client joins /chat only: one disconnect!.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Client.class)
    void onChatEachGenerationPassesTheConnectionMiddlewareOfWhatItJoins(Client client) {
        int disconnects = client.joinsRootToo() ? 2 : 1;
        for (int run = 1; run <= CHAT_RUNS; run++) {
            LessonRun lines = runOnce(client, "/chat", "chat", disconnects);

            assertThat(lines.clientLines()).as("%s, run %d", client, run).isEqualTo(Golden.clientOnChat());
            assertThat(lines.serverLines()).as("%s, run %d", client, run)
                    .isEqualTo(Golden.serverOnChat(server.pid(), client.joinsRootToo()));
            lines.assertBefore(CONNECT, Golden.chatLine(server.pid()));
            lines.assertBefore(Golden.chatLine(server.pid()), CHAT_REPLY);
        }
    }

    /** 'echo' is routed to a controller that answers the ack itself; the filter still wraps it on "/". */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Client.class)
    void anAckAnsweredByTheControllerReachesEveryClient(Client client) {
        LessonRun root = runOnce(client, "/", "echo", 1);
        assertThat(root.clientLines()).as("%s on /", client)
                .containsExactly(CONNECT, AUTH_REPLY, PACKET_REPLY, "ack: hello world!");
        assertThat(root.serverLines()).as("%s on /", client)
                .containsExactly("[\"echo\",\"hello world!\"]", PACKET_RESPONSE, DISCONNECT);

        int disconnects = client.joinsRootToo() ? 2 : 1;
        LessonRun chat = runOnce(client, "/chat", "echo", disconnects);
        assertThat(chat.clientLines()).as("%s on /chat", client).containsExactly(CONNECT, AUTH_REPLY, "ack: hello world!");
        assertThat(chat.serverLines()).as("%s on /chat", client).isEqualTo(Golden.disconnects(disconnects));
    }

    /**
     * A namespace the config does not have: the protocol's own "Invalid namespace" connect error (socket.io 2.x
     * clients get it as an 'error' event, 4.x as 'connect_error'), exit 1; the server goes on serving.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Client.class)
    void anUnknownNamespaceIsRefusedAndTheServerKeepsServing(Client client) {
        int from = trace.lines().size();
        ClientRun refused = ClientRun.run(dir, trace, client.command(server.url("/nope"), "chat"));

        assertThat(refused.exitCode()).as("%s exit code", client).isEqualTo(1);
        assertThat(String.join("\n", refused.stderr())).as("%s stderr", client).contains("Invalid namespace");

        ClientRun served = ClientRun.cli(dir, trace, "chat", server.url("/"));
        assertThat(served.exitCode()).isZero();
        // the 2.x client's "/" connection (joined by its protocol) passed auth and prints its disconnect!
        int disconnects = 1 + (client.joinsRootToo() ? 1 : 0);
        LessonRun lines = LessonRun.awaitDisconnects(trace, from, disconnects);
        assertThat(lines.clientLines()).isEqualTo(Golden.clientOnRoot());
        assertThat(lines.serverLines().stream().filter(line -> !line.equals(DISCONNECT)).toList())
                .isEqualTo(Golden.serverOnRoot(server.pid()).subList(0, 3));
        assertThat(lines.serverLines().stream().filter(DISCONNECT::equals).count()).isEqualTo(disconnects);
    }

    /**
     * A server with {@code auth.tokens}: a client without a token is refused on {@code /} before it ever counts as
     * connected, in every generation (socket.io 2 sends a refused client the error alone, no CONNECT): it prints no
     * {@code connect!}, exits 1 with the reason, and its {@code chat} never runs.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Client.class)
    void aClientWithoutTheTokenIsRefusedBeforeItEverConnects(Client client) throws Exception {
        Path secured = Files.createDirectories(dir.resolve("secured"));
        Path config = Files.writeString(secured.resolve("auth.conf"), "auth.tokens = [\"secret\"]\n");
        Trace securedTrace = new Trace(secured);
        try (ServerProcess server = ServerProcess.start(secured, securedTrace, FreePort.next(), "--config",
                config.toString())) {
            ClientRun refused = ClientRun.run(secured, null, client.command(server.url("/"), "chat"));

            assertThat(refused.exitCode()).as("%s exit code", client).isEqualTo(1);
            assertThat(refused.stdout()).as("%s stdout", client).doesNotContain(CONNECT);
            assertThat(String.join("\n", refused.stderr())).as("%s stderr", client).contains("unauthorized");
            assertThat(server.terminate()).isZero();
            assertThat(securedTrace.lines()).as("server lines").noneMatch(line -> line.contains("hello world!"));
        }
    }

    private LessonRun runOnce(Client client, String namespace, String mode, int disconnects) {
        int from = trace.lines().size();
        ClientRun run = ClientRun.run(dir, trace, client.command(server.url(namespace), mode));
        assertThat(run.stderr()).as("%s stderr (server alive: %s, server stderr: %s)", client, server.isAlive(),
                server.stderr()).isEmpty();
        assertThat(run.exitCode()).as("%s exit code", client).isZero();
        return LessonRun.awaitDisconnects(trace, from, disconnects);
    }
}
