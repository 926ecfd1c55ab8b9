package dev.cloudscope.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lesson (sections 3-2 to 3-4), end to end: the real server jar, the real CLI jar, and the exact lines each
 * prints, in order (../shared/golden/README.md, "What ours must print").
 */
class LessonFlowIT {

    private static final int ROOT_RUNS = 20;

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
        server.close();
    }

    @Test
    void onRootNamespaceEveryRunPrintsTheLessonsLinesInOrder() {
        String pid = String.valueOf(server.pid());
        assertThat(server.pidFromReadyLine()).as("the ready line names the server's own pid").isEqualTo(server.pid());

        for (int run = 1; run <= ROOT_RUNS; run++) {
            LessonRun lines = chatOnce("/", 1);

            assertThat(lines.clientLines()).as("client lines of run %d", run).containsExactly(
                    "connect!",
                    "res from server: auth!Hello Man!!!",
                    "res from server: packet!Hello Man!!!",
                    "res from server: Hello Man!!!");
            assertThat(lines.serverLines()).as("server lines of run %d", run).containsExactly(
                    "[\"chat\",\"hello world!\"]",
                    "chat : hello world! : " + pid,
                    "packet response!",
                    "disconnect!");
            // what causality guarantees across the two processes
            lines.assertBefore("connect!", "[\"chat\",\"hello world!\"]");
            lines.assertBefore("[\"chat\",\"hello world!\"]", "res from server: packet!Hello Man!!!");
            lines.assertBefore("chat : hello world! : " + pid, "res from server: Hello Man!!!");
            lines.assertBefore("res from server: Hello Man!!!", "disconnect!");
        }
        assertStopsCleanly();
    }

    @Test
    void onChatNamespaceTheClientSkipsTheFilterAndTheServerPrintsOneDisconnect() {
        String pid = String.valueOf(server.pid());

        LessonRun lines = chatOnce("/chat", 1);

        assertThat(lines.clientLines()).containsExactly(
                "connect!",
                "res from server: auth!Hello Man!!!",
                "res from server: Hello Man!!!");
        // our CLI speaks the 4.x protocol: it joins /chat only, so "/"'s auth runs not, and disconnect! prints once
        assertThat(lines.serverLines()).containsExactly(
                "chat : hello world! : " + pid,
                "disconnect!");
        lines.assertBefore("connect!", "chat : hello world! : " + pid);
        lines.assertBefore("chat : hello world! : " + pid, "res from server: Hello Man!!!");
        lines.assertBefore("res from server: Hello Man!!!", "disconnect!");
        assertStopsCleanly();
    }

    /** Runs the CLI once and returns its lines and the server's for it, once the server printed its disconnects. */
    private LessonRun chatOnce(String namespace, int disconnects) {
        int from = trace.lines().size();
        ClientRun run = ClientRun.cli(dir, trace, "chat", server.url(namespace));
        assertThat(run.stderr()).as("CLI stderr").isEmpty();
        assertThat(run.exitCode()).as("CLI exit code").isZero();
        return LessonRun.awaitDisconnects(trace, from, disconnects);
    }

    /** SIGTERM: exit code 0, nothing printed after the last run, nothing on stderr (quiet by default). */
    private void assertStopsCleanly() {
        int before = trace.lines().size();
        assertThat(server.terminate()).as("server exit code after SIGTERM").isZero();
        assertThat(trace.linesFrom(before)).as("server lines after the last run").isEmpty();
        assertThat(server.stderr()).as("server stderr").isEmpty();
    }
}
