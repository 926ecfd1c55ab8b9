package dev.cloudscope.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Following a cloud build (issue 10) with the real jars: Ctrl-C (SIGINT to the CLI's pid) cancels the build; a
 * client that never detaches (Node socket.io-client 4.x) and goes away cancels it too; the connection cut under the
 * CLI twice mid-build (a proxy between CLI and server) costs no line and doubles none; {@code --detach} then
 * {@code build logs ID --follow} shows what a direct run shows; a build printing far more than
 * {@code build.maxLogBytes} (64 KiB here) is cut with one line and still succeeds. Builds wait at a
 * {@link BuildGate} where a test must act mid-build, so nothing depends on a sleep.
 */
class CloudBuildFollowIT {

    private static final Pattern BUILD_ID = Pattern.compile("\\d{14}-[0-9a-f]{6}");

    @TempDir
    static Path dir;

    private static BuildServer server;

    @BeforeAll
    static void startServer() {
        server = BuildServer.start(dir, "maxLogBytes = 64KiB");
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            int exitCode = server.terminate();
            server.close();
            assertThat(exitCode).as("server exit code after SIGTERM (stderr: %s)", server.stderr()).isZero();
        }
    }

    /**
     * SIGINT to the CLI while the build runs (it printed its line, then sleeps in a child process): the CLI cancels
     * the build, exits 1 with {@code build ID: CANCELLED (Ctrl-C)} on stderr; {@code build status ID} says
     * CANCELLED; the build's sleeping process is gone.
     */
    @Test
    void ctrlCCancelsTheBuildAndTheCliExitsOneWithCancelled() {
        String sleep = BuildFixtures.sleepMarker();
        Path repo = BuildFixtures.project("it-sigint").build("""
                console.log('waiting for Ctrl-C');
                require('child_process').execFileSync('sleep', ['%s']);
                console.log('not cancelled');
                """.formatted(sleep)).commit(dir);

        String id;
        try (CliProcess cli = server.startCli("build", BuildFixtures.fileUrl(repo), "--branch", "main")) {
            await("the build's line").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                    .until(() -> cli.stdoutLines().contains("waiting for Ctrl-C") || !cli.isAlive());
            assertThat(cli.isAlive()).as("the CLI follows the build (stderr: %s)", cli.stderr()).isTrue();
            await("the build's sleep started").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                    .until(() -> !BuildFixtures.running("sleep", sleep).isEmpty());
            id = BuildServer.buildId(cli.stdoutLines());
            assumeFalse(Signals.ignores(cli.pid(), 2), "this test's processes start with SIGINT ignored (a background"
                    + " job of a non-interactive shell?): the CLI cannot see Ctrl-C");

            Signals.send(cli.pid(), "INT");

            ClientRun run = cli.awaitExit(Duration.ofSeconds(30));
            List<String> stdout = cli.stdoutLines();
            System.out.printf("CloudBuildFollowIT Ctrl-C: exit %d, stderr %s%n", run.exitCode(), run.stderr());
            assertThat(run.exitCode()).as("exit code (stderr %s)", run.stderr()).isEqualTo(1);
            assertThat(run.stderr()).as("stderr").containsExactly("cloudscope: build " + id + ": CANCELLED (Ctrl-C)");
            assertThat(stdout).as("stdout").contains("waiting for Ctrl-C").doesNotContain("not cancelled")
                    .noneMatch(line -> line.startsWith("site: "));
        }
        assertThat(server.cli("build", "status", id).stdout()).as("build status ID")
                .contains("status:    CANCELLED");
        assertThat(BuildFixtures.running("sleep", sleep)).as("the build's sleep, after the cancel").isEmpty();
    }

    /**
     * {@code build cancel ID} on a detached build that sleeps: it prints {@code build ID: CANCELLED} (the server
     * answers once the build has ended), exit code 0; the build's status is CANCELLED, its sleep gone.
     */
    @Test
    void buildCancelEndsADetachedBuildAndSaysCancelled() {
        String sleep = BuildFixtures.sleepMarker();
        Path repo = BuildFixtures.project("it-cancel").build("""
                console.log('waiting for build cancel');
                require('child_process').execFileSync('sleep', ['%s']);
                """.formatted(sleep)).commit(dir);
        ClientRun detached = server.cli("build", BuildFixtures.fileUrl(repo), "--branch", "main", "--detach");
        assertThat(detached.exitCode()).as("--detach exit code (stderr %s)", detached.stderr()).isZero();
        String id = BuildServer.buildId(detached.stdout());
        await("the build's sleep started").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> !BuildFixtures.running("sleep", sleep).isEmpty());

        ClientRun cancel = server.cli("build", "cancel", id);

        assertThat(cancel.exitCode()).as("build cancel exit code (stderr %s)", cancel.stderr()).isZero();
        assertThat(cancel.stdout()).as("build cancel stdout").containsExactly("build " + id + ": CANCELLED");
        assertThat(server.status(id).path("status").asText()).isEqualTo("CANCELLED");
        assertThat(BuildFixtures.running("sleep", sleep)).as("the build's sleep, after the cancel").isEmpty();
    }

    /**
     * A client that asks for a build and never detaches (node build-client.js, socket.io-client 4.x) is killed
     * mid-build, while its follow waits on the server for more: its disconnect cancels the build within moments (not
     * after the server's 25 s follow wait). {@code build logs ID --follow --json} ends with the status CANCELLED (exit
     * code 1), and the build's sleeping process is gone.
     */
    @Test
    void aClientThatNeverDetachedAndDisconnectsCancelsItsBuild() throws IOException {
        String sleep = BuildFixtures.sleepMarker();
        Path repo = BuildFixtures.project("it-disconnect").build("""
                console.log('waiting for the disconnect');
                require('child_process').execFileSync('sleep', ['%s']);
                console.log('not cancelled');
                """.formatted(sleep)).commit(dir);
        Path out = server.dir().resolve("node-build-" + System.nanoTime() + ".out");
        Path err = server.dir().resolve("node-build-" + System.nanoTime() + ".err");
        Process node = new ProcessBuilder(NodeFixture.buildClientCommand(server.url(), BuildFixtures.fileUrl(repo),
                "main")).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        String id;
        try {
            await("the Node client's build printed its line").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> Processes.read(out).contains("log waiting for the disconnect\n") || !node.isAlive());
            assertThat(node.isAlive()).as("the Node client follows (stdout %s, stderr %s)", Processes.read(out),
                    Processes.read(err)).isTrue();
            String first = Processes.read(out).lines().findFirst().orElse("");
            assertThat(first).as("the Node client's first line").matches("accepted " + BUILD_ID.pattern());
            id = first.substring("accepted ".length());
            await("the build's sleep started").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                    .until(() -> !BuildFixtures.running("sleep", sleep).isEmpty());
        } finally {
            assertThat(Processes.kill(node)).as("the Node client killed").isTrue(); // SIGKILL: its socket drops
        }
        Instant killed = Instant.now();

        ClientRun logs = server.cli("build", "logs", id, "--follow", "--json");

        assertThat(logs.exitCode()).as("build logs --follow exit code (stderr %s)", logs.stderr()).isEqualTo(1);
        List<JsonNode> entries = logs.stdout().stream().map(BuildServer::json).toList();
        assertThat(entries).as("the log").isNotEmpty();
        JsonNode last = entries.get(entries.size() - 1);
        assertThat(last.path("type").asText()).isEqualTo("status");
        assertThat(last.path("status").asText()).as("the build's status").isEqualTo("CANCELLED");
        assertThat(entries).as("the log's lines").noneMatch(e -> e.path("line").asText().equals("not cancelled"));
        JsonNode status = server.status(id);
        assertThat(status.path("status").asText()).isEqualTo("CANCELLED");
        Duration cancelledAfter = Duration.between(killed, Instant.parse(status.path("endedAt").asText()));
        System.out.printf("CloudBuildFollowIT disconnect: the build ended %d ms after its client was killed%n",
                cancelledAfter.toMillis());
        // the server's follow long-poll (25 s) must not hold the owner's disconnect, and so the cancel, back
        assertThat(cancelledAfter).as("from the client's death to the build's end").isLessThan(Duration.ofSeconds(10));
        assertThat(BuildFixtures.running("sleep", sleep)).as("the build's sleep, after the cancel").isEmpty();
    }

    /**
     * The CLI talks to the server through a proxy that is cut twice while the build runs: once while the build waits
     * at a gate after line 100 (then the gate opens, so lines come while the CLI is away), and again at line 200.
     * The CLI says the connection was lost and made again, and its stdout has line 1 to 300 each exactly once, in
     * order; the build succeeds (exit code 0): having detached, the lost connections did not cancel it.
     */
    @Test
    void theConnectionCutTwiceMidBuildCostsNoLineAndDoublesNone() {
        int lines = 300;
        try (BuildGate first = BuildGate.start();
             BuildGate second = BuildGate.start();
             CuttingProxy proxy = CuttingProxy.start(server.process().port())) {
            Path repo = BuildFixtures.project("it-reconnect").build("""
                    for (let i = 1; i <= 100; i++) console.log('line ' + i);
                    await gate(%d);
                    for (let i = 101; i <= 200; i++) console.log('line ' + i);
                    await gate(%d);
                    for (let i = 201; i <= %d; i++) console.log('line ' + i);
                    %s
                    """.formatted(first.port(), second.port(), lines, BuildFixtures.siteCall("it-reconnect")))
                    .commit(dir);
            try (CliProcess cli = CliProcess.start(server.dir(), null, "build", BuildFixtures.fileUrl(repo),
                    "--branch", "main", "--server", "http://127.0.0.1:" + proxy.port())) {
                cutAt(cli, first, proxy, "line 100");
                cutAt(cli, second, proxy, "line 200");

                ClientRun run = cli.awaitExit(Duration.ofSeconds(60));
                List<String> stdout = cli.stdoutLines();
                System.out.printf("CloudBuildFollowIT reconnect: exit %d, %d connections through the proxy, "
                        + "stderr %s%n", run.exitCode(), proxy.connections(), run.stderr());
                assertThat(run.exitCode()).as("exit code (stderr %s)", run.stderr()).isZero();
                assertThat(stdout.stream().filter(line -> line.matches("line \\d+")).toList())
                        .as("the build's lines: each once, in order")
                        .isEqualTo(IntStream.rangeClosed(1, lines).mapToObj(i -> "line " + i).toList());
                String id = BuildServer.buildId(stdout);
                assertThat(stdout.get(stdout.size() - 2)).startsWith("build " + id + ": SUCCESS");
                assertThat(run.stderr()).as("stderr: two losses, each made good")
                        .filteredOn(line -> line.startsWith("cloudscope: connection lost (")).hasSize(2);
                assertThat(run.stderr()).filteredOn(line -> line.startsWith("cloudscope: connected again; "
                        + "following build " + id + " after entry ")).hasSize(2);
                assertThat(proxy.connections()).as("connections through the proxy").isGreaterThanOrEqualTo(3);
            }
        }
    }

    /** Once the CLI printed {@code line} and the build waits at {@code gate}: cut the proxy, then open the gate. */
    private static void cutAt(CliProcess cli, BuildGate gate, CuttingProxy proxy, String line) {
        await("the CLI printed '" + line + "' and the build waits at the gate").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> (cli.stdoutLines().contains(line) && gate.arrived() == 1) || !cli.isAlive());
        assertThat(cli.isAlive()).as("the CLI follows (stderr: %s)", cli.stderr()).isTrue();
        proxy.cut();
        gate.open();
    }

    /**
     * {@code build --detach} ends at once with the build's id and how to follow it; {@code build logs ID --follow},
     * started while the build waits at a gate, goes on to the end once it opens, and prints exactly what a direct
     * {@code build} of the same repository prints after its first line (build ids aside), on stdout and on stderr,
     * with the same exit code 0.
     */
    @Test
    void detachThenLogsFollowPrintsWhatADirectRunPrints() {
        try (BuildGate gate = BuildGate.start()) {
            Path repo = BuildFixtures.project("it-detach").build("""
                    for (let i = 1; i <= 20; i++) console.log('detached ' + i);
                    await gate(%d);
                    console.error('a line on stderr');
                    for (let i = 21; i <= 40; i++) console.log('detached ' + i);
                    %s
                    """.formatted(gate.port(), BuildFixtures.siteCall("it-detach"))).commit(dir);
            String url = BuildFixtures.fileUrl(repo);

            ClientRun detached = server.cli("build", url, "--branch", "main", "--detach");

            assertThat(detached.exitCode()).as("--detach exit code (stderr %s)", detached.stderr()).isZero();
            String id = BuildServer.buildId(detached.stdout());
            assertThat(detached.stdout()).as("--detach stdout").containsExactly(
                    "build " + id + ": " + url + ", branch main",
                    "page: " + server.url() + "/builds/" + id,
                    "detached: the build goes on; follow it with: cloudscope build logs " + id + " --follow --server "
                            + server.url());
            assertThat(detached.stderr()).as("--detach stderr").isEmpty();

            ClientRun followed;
            try (CliProcess follow = server.startCli("build", "logs", id, "--follow")) {
                await("logs --follow printed the lines before the gate").atMost(Duration.ofSeconds(30))
                        .pollInterval(Duration.ofMillis(50))
                        .until(() -> (follow.stdoutLines().contains("detached 20") && gate.arrived() == 1)
                                || !follow.isAlive());
                assertThat(follow.isAlive()).as("logs --follow follows (stderr: %s)", follow.stderr()).isTrue();
                gate.open();
                followed = follow.awaitExit(Duration.ofSeconds(60));
                followed = new ClientRun(followed.exitCode(), follow.stdoutLines(), followed.stderr());
            }
            assertThat(followed.exitCode()).as("logs --follow exit code (stderr %s)", followed.stderr()).isZero();

            ClientRun direct = server.cli("build", url, "--branch", "main");

            assertThat(direct.exitCode()).as("direct run exit code (stderr %s)", direct.stderr()).isZero();
            String directId = BuildServer.buildId(direct.stdout());
            // after its two lines of its own: the build's and its page's
            List<String> directLines = withoutIds(direct.stdout().subList(2, direct.stdout().size()));
            assertThat(withoutIds(followed.stdout())).as("logs --follow stdout against a direct run's")
                    .isEqualTo(directLines);
            assertThat(withoutIds(followed.stderr())).as("logs --follow stderr against a direct run's")
                    .isEqualTo(withoutIds(direct.stderr())).containsExactly("a line on stderr");
            assertThat(directLines).as("the build's lines").containsSubsequence(IntStream.rangeClosed(1, 40)
                    .mapToObj(i -> "detached " + i).toList());
            assertThat(directId).isNotEqualTo(id);
        }
    }

    /**
     * A build printing about 4 times {@code build.maxLogBytes} (64 KiB): the log keeps its first lines, in order,
     * then {@code [cloudscope] log limit ...} once (on stderr), nothing after; the build goes on and succeeds.
     */
    @Test
    void aBuildPrintingFarMoreThanMaxLogBytesIsCutWithOneLineAndSucceeds() {
        int lines = 4000; // 4000 lines of 66 bytes or so: about 260 KB
        Path repo = BuildFixtures.project("it-log-limit").build("""
                const pad = 'x'.repeat(50);
                for (let i = 1; i <= %d; i++) console.log('big ' + i + ' ' + pad);
                %s
                console.log('after the flood');
                """.formatted(lines, BuildFixtures.siteCall("it-log-limit"))).commit(dir);

        ClientRun run = server.cli("build", BuildFixtures.fileUrl(repo), "--branch", "main");

        assertThat(run.exitCode()).as("exit code (stderr %s)", run.stderr()).isZero();
        String id = BuildServer.buildId(run.stdout());
        List<String> big = run.stdout().stream().filter(line -> line.startsWith("big ")).toList();
        System.out.printf("CloudBuildFollowIT log limit: %d of %d lines shown, stderr %s%n", big.size(), lines,
                run.stderr());
        assertThat(big).as("the lines kept: the first ones, in order")
                .isEqualTo(IntStream.rangeClosed(1, big.size()).mapToObj(i -> "big " + i + " " + "x".repeat(50))
                        .toList());
        long kept = big.stream().mapToLong(line -> line.length() + 1).sum();
        assertThat(kept).as("bytes of the lines kept: up to the limit, less the build's few other lines")
                .isBetween(64 * 1024L - 2048, 64 * 1024L);
        assertThat(run.stdout()).as("stdout").doesNotContain("after the flood");
        assertThat(run.stderr()).as("stderr").containsExactly(
                "[cloudscope] log limit of 64 KiB reached: later output is dropped");
        assertThat(run.stdout().subList(run.stdout().size() - 2, run.stdout().size())).satisfiesExactly(
                line -> assertThat(line).startsWith("build " + id + ": SUCCESS"),
                line -> assertThat(line).isEqualTo("site: " + server.url() + "/sites/it-log-limit/1.0.0/"));
    }

    private static List<String> withoutIds(List<String> lines) {
        return lines.stream().map(line -> BUILD_ID.matcher(line).replaceAll("ID")).toList();
    }
}
