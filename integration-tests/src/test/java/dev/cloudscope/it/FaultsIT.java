package dev.cloudscope.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults (issue 4), with the real jars: the server stopped with clients connected and packets in flight, the server
 * killed while a CLI waits for it, a CLI started before its server, a client process killed mid-conversation.
 * Every process a test starts is stopped by pid when it ends (try-with-resources), pass or fail.
 */
class FaultsIT {

    /** io.shutdownTimeout's default: how long disconnect paths get on SIGTERM. */
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);
    /** On top of it: the JVM's own exit, on a loaded machine. */
    private static final Duration EXIT_SLACK = Duration.ofSeconds(5);
    private static final List<String> DEBUG_ENDPOINT = List.of("-Dio.debugEndpoint=true");

    @TempDir
    Path dir;

    /**
     * SIGTERM with 50 clients connected and looping the lesson's chat: the server exits 0 within its shutdown
     * timeout (plus slack), every packet it started has finished (each packet line has its controller line and its
     * packet response!), and every connection that passed auth ran its disconnect path (one disconnect! each).
     */
    @Test
    void sigtermWithClientsConnectedAndPacketsInFlightFinishesThemAndExitsZero() {
        int clients = 50;
        Trace trace = new Trace(dir);
        try (ServerProcess server = ServerProcess.start(dir, trace, FreePort.next(), DEBUG_ENDPOINT);
             NodeLoad load = NodeLoad.start(dir, server.url("/"), clients, 30)) {
            // a few seconds into the load (not a timing assertion): every client connected, packets in flight
            await("all clients connected, packets flowing").pollDelay(Duration.ofSeconds(3))
                    .atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> server.debugConnections() == clients
                            && LoadIT.ServerLines.of(trace.lines()).packetResponses >= 200);

            long sigterm = System.nanoTime();
            int exitCode = server.terminate(SHUTDOWN_TIMEOUT.plus(EXIT_SLACK));
            long shutdownMillis = (System.nanoTime() - sigterm) / 1_000_000;
            NodeLoad.Result result = load.awaitResult(Duration.ofSeconds(20));
            LoadIT.ServerLines lines = LoadIT.ServerLines.of(trace.lines().stream()
                    .filter(line -> !ServerProcess.READY.matcher(line).find()).toList());
            System.out.printf("FaultsIT SIGTERM: exit %d after %d ms; server printed %d packet lines, %d packet "
                            + "response!, %d disconnect!; load.js %s%n", exitCode, shutdownMillis,
                    lines.packetMessages.size(), lines.packetResponses, lines.disconnects, result.json());

            assertThat(exitCode).as("exit code after SIGTERM (stderr: %s)", server.stderr()).isZero();
            assertThat(lines.other).as("server lines that are none of the lesson's").isEmpty();
            assertThat(lines.duplicatePackets).as("packets printed twice").isEmpty();
            assertThat(lines.chatMessages).as("a controller line for every packet line")
                    .isEqualTo(lines.packetMessages);
            assertThat(lines.packetResponses).as("a packet response! for every packet line: in-flight packets finished")
                    .isEqualTo(lines.packetMessages.size());
            assertThat(result.get("authed")).as("clients that passed auth").isEqualTo(clients);
            assertThat(lines.disconnects).as("one disconnect! per connection that passed auth")
                    .isEqualTo(result.get("authed"));
            assertThat(result.get("serverDisconnects")).as("clients the server disconnected").isEqualTo(clients);
            // what the clients did see was whole and in order
            assertThat(result.get("reordered")).as("reordered (%s)", result.json()).isZero();
            assertThat(result.get("unexpected")).as("unexpected replies (%s)", result.json()).isZero();
            assertThat(result.get("lostReplies")).as("packets acked without their replies").isZero();
            assertThat((long) lines.packetMessages.size()).as("packets the server ran: acked <= ran <= sent")
                    .isBetween(result.get("acked"), result.get("sent"));
        }
    }

    /**
     * The server frozen (SIGSTOP) before the CLI starts: the kernel completes the CLI's TCP handshake (the server's
     * accept backlog), and the CLI waits for the WebSocket upgrade that never comes. Then the server is killed
     * (SIGKILL): the CLI fails with one stderr line naming the URL and a reason, and a non-zero exit code.
     */
    @Test
    void theServerKilledWhileTheCliWaitsForItsHandshakeFailsTheCliInOneLine() {
        Trace trace = new Trace(dir);
        try (ServerProcess server = ServerProcess.start(dir, trace, FreePort.next())) {
            server.signal("STOP");
            try (CliProcess cli = CliProcess.start(dir, null, "chat", server.url("/"), "--timeout", "20s")) {
                await("the CLI's connection in the stopped server's backlog").atMost(Duration.ofSeconds(15))
                        .pollInterval(Duration.ofMillis(50))
                        .until(() -> Signals.establishedTo(server.port()) >= 1);
                assertThat(cli.isAlive()).as("the CLI waits").isTrue();

                server.close(); // SIGKILL, wait for it to be gone

                ClientRun run = cli.awaitExit(Duration.ofSeconds(30));
                System.out.printf("FaultsIT server killed during the handshake: CLI exit %d, stderr %s%n",
                        run.exitCode(), run.stderr());
                assertThat(run.exitCode()).as("CLI exit code").isNotZero();
                assertThat(run.stdout()).as("CLI stdout: never connected").isEmpty();
                assertOneFailureLine(run, server.url("/"));
            }
        }
    }

    /**
     * The CLI connected, past its auth reply, waiting for its chat's replies and ack: a proxy holds back everything
     * the server sends after the auth reply, so the CLI deterministically waits. The server finishes the packet
     * (its replies and ack are held), then is killed (SIGKILL); the proxy closes the CLI's connection as the
     * kernel would. The CLI prints what it got, then one stderr line naming the URL and the reason, and fails.
     */
    @Test
    void theServerKilledWhileAConnectedCliWaitsForItsAckFailsTheCliInOneLine() {
        Trace trace = new Trace(dir);
        try (ServerProcess server = ServerProcess.start(dir, trace, FreePort.next());
             HoldingProxy proxy = HoldingProxy.start(server.port(), "auth!Hello Man!!\"]")) {
            String url = "http://127.0.0.1:" + proxy.port();
            try (CliProcess cli = CliProcess.start(dir, trace, "chat", url, "--timeout", "20s")) {
                await("the server finished the CLI's packet, its answer held by the proxy")
                        .atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                        .until(() -> trace.lines().contains(Golden.PACKET_RESPONSE) || !cli.isAlive());
                assertThat(proxy.holding()).as("the proxy saw the auth reply go by").isTrue();
                assertThat(cli.isAlive()).as("the CLI waits for its replies and ack (stderr: %s)", cli.stderr())
                        .isTrue();

                server.close(); // SIGKILL, wait for it to be gone

                ClientRun run = cli.awaitExit(Duration.ofSeconds(30));
                List<String> cliLines = trace.lines().stream().filter(LessonRun::isClientLine).toList();
                System.out.printf("FaultsIT server killed while the CLI waits for its ack: CLI exit %d, stdout %s,"
                        + " stderr %s (%d bytes held)%n", run.exitCode(), cliLines, run.stderr(), proxy.heldBytes());
                assertThat(run.exitCode()).as("CLI exit code").isNotZero();
                assertThat(cliLines).as("what the CLI got before the server died")
                        .containsExactly(Golden.CONNECT, Golden.AUTH_REPLY);
                assertOneFailureLine(run, url);
            }
        }
    }

    /**
     * A CLI started before its server (--timeout 20s): it retries the refused connection, and once the server
     * listens on that port, a couple of seconds later, it gets the lesson's exact lines and exits 0.
     */
    @Test
    void aCliStartedBeforeTheServerRetriesAndGetsTheLessonsLines() throws InterruptedException {
        int port = FreePort.next();
        String url = "http://127.0.0.1:" + port;
        Trace trace = new Trace(dir);
        try (CliProcess cli = CliProcess.start(dir, trace, "chat", url, "--timeout", "20s")) {
            Thread.sleep(2_000); // not a timing assertion: the server appears later than the CLI, that is all
            assertThat(cli.isAlive()).as("the CLI still retrying (stderr: %s)", cli.stderr()).isTrue();
            try (ServerProcess server = ServerProcess.start(dir, trace, port)) {
                ClientRun run = cli.awaitExit(Duration.ofSeconds(30));
                assertThat(run.stderr()).as("CLI stderr").isEmpty();
                assertThat(run.exitCode()).as("CLI exit code").isZero();

                LessonRun lines = LessonRun.awaitDisconnects(trace, 0, 1);
                assertThat(lines.clientLines()).isEqualTo(Golden.clientOnRoot());
                assertThat(lines.serverLines().stream().filter(line -> !ServerProcess.READY.matcher(line).find())
                        .toList()).isEqualTo(Golden.serverOnRoot(server.pid()));
                lines.assertBefore(Golden.CONNECT, Golden.PACKET);
                lines.assertBefore(Golden.chatLine(server.pid()), Golden.CHAT_REPLY);
                assertThat(server.terminate()).as("server exit code after SIGTERM").isZero();
            }
        }
    }

    /**
     * A CLI whose --timeout runs out before any server listens: it retried for the whole timeout, then says so in
     * one line ({@code cannot connect to URL: connection refused (tried for 3s)}) and exits 1.
     */
    @Test
    void aCliWhoseTimeoutRunsOutBeforeAnyServerAppearsFailsInOneLine() {
        String url = "http://127.0.0.1:" + FreePort.next();
        long started = System.nanoTime();
        try (CliProcess cli = CliProcess.start(dir, null, "chat", url, "--timeout", "3s")) {
            ClientRun run = cli.awaitExit(Duration.ofSeconds(30));
            long millis = (System.nanoTime() - started) / 1_000_000;

            assertThat(run.exitCode()).as("CLI exit code").isEqualTo(1);
            assertThat(run.stdout()).as("CLI stdout").isEmpty();
            assertThat(run.stderr()).as("CLI stderr")
                    .containsExactly("cloudscope: cannot connect to " + url + ": connection refused (tried for 3s)");
            assertThat(millis).as("it retried until its timeout, not just once").isGreaterThanOrEqualTo(2_000);
        }
    }

    /**
     * A client process killed (SIGKILL) while its 10 clients loop the lesson's chat, packets inside the chain:
     * the server runs the rest of each packet's chain (every packet line has its packet response!), each
     * connection's disconnect path exactly once (one disconnect! per client), and its live-connection count returns
     * to zero.
     */
    @Test
    void aClientProcessKilledMidConversationIsDisconnectedOnceAndLeavesNoConnection() {
        int clients = 10;
        Trace trace = new Trace(dir);
        try (ServerProcess server = ServerProcess.start(dir, trace, FreePort.next(), DEBUG_ENDPOINT)) {
            int from = trace.lines().size();
            try (NodeLoad load = NodeLoad.start(dir, server.url("/"), clients, 60)) {
                await("all clients connected, packets flowing").atMost(Duration.ofSeconds(30))
                        .pollInterval(Duration.ofMillis(100))
                        .until(() -> server.debugConnections() == clients
                                && LoadIT.ServerLines.of(trace.linesFrom(from)).packetResponses >= 300);
                load.kill();
            }
            await("live connections back to zero after the client process died").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> server.debugConnections() == 0);

            int beforeStop = trace.lines().size();
            assertThat(server.terminate()).as("server exit code after SIGTERM").isZero();
            assertThat(trace.linesFrom(beforeStop)).as("server lines after every client was gone").isEmpty();

            LoadIT.ServerLines lines = LoadIT.ServerLines.of(trace.linesFrom(from));
            System.out.printf("FaultsIT client killed: %d packet lines, %d packet response!, %d disconnect!%n",
                    lines.packetMessages.size(), lines.packetResponses, lines.disconnects);
            assertThat(lines.other).as("server lines that are none of the lesson's").isEmpty();
            assertThat(lines.duplicatePackets).as("packets printed twice").isEmpty();
            assertThat(lines.chatMessages).as("a controller line for every packet line").isEqualTo(lines.packetMessages);
            assertThat(lines.packetResponses).as("a packet response! for every packet line: the chain ran to its end")
                    .isEqualTo(lines.packetMessages.size());
            assertThat(lines.disconnects).as("disconnect! exactly once per killed client").isEqualTo(clients);
            assertThat(server.stderr()).as("server stderr").isEmpty();
        }
    }

    /** One stderr line, {@code cloudscope: ...}, naming the URL and a reason. */
    private static void assertOneFailureLine(ClientRun run, String url) {
        assertThat(run.stderr()).as("CLI stderr").hasSize(1);
        String line = run.stderr().get(0);
        assertThat(line).as("CLI stderr").startsWith("cloudscope: ").contains(url);
        assertThat(line).as("CLI stderr: a reason").matches(
                ".*(server closed the connection|connection lost \\(.+\\)|cannot connect to " + Pattern.quote(url)
                        + ": .+).*");
    }
}
