package dev.cloudscope.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cloud build's limits with the real jars, each on a server of its own: {@code build.timeout = 3s} against a
 * build that sleeps (TIMEOUT, its processes killed); {@code build.concurrency = 1, queueLimit = 1} against three CLIs
 * at once (one refused with the queue's message, the other two built, one after the other).
 */
class CloudBuildLimitsIT {

    @TempDir
    Path dir;

    /**
     * A build that prints a line and then sleeps (a child process) past {@code build.timeout = 3s}: the CLI exits 1
     * with {@code build ID: TIMEOUT in stage build} on stderr, after the timeout and well before the sleep's end; the
     * status is TIMEOUT and the sleeping process is gone.
     */
    @Test
    void aBuildLongerThanTheTimeoutIsKilledAndEndsAsTimeout() {
        try (BuildServer server = BuildServer.start(dir, "timeout = 3s")) {
            String sleep = BuildFixtures.sleepMarker();
            Path repo = BuildFixtures.project("it-timeout").build("""
                    console.log('sleeping past the timeout');
                    require('child_process').execFileSync('sleep', ['%s']);
                    console.log('woke up');
                    """.formatted(sleep)).commit(dir);

            long started = System.nanoTime();
            ClientRun run = server.cli("build", BuildFixtures.fileUrl(repo), "--branch", "main");
            long millis = (System.nanoTime() - started) / 1_000_000;

            System.out.printf("CloudBuildLimitsIT timeout: exit %d after %d ms, stderr %s%n", run.exitCode(), millis,
                    run.stderr());
            assertThat(run.exitCode()).as("exit code (stderr %s)", run.stderr()).isEqualTo(1);
            String id = BuildServer.buildId(run.stdout());
            assertThat(run.stdout()).as("stdout").contains("sleeping past the timeout").doesNotContain("woke up");
            assertThat(run.stderr()).as("stderr").anyMatch(line -> line.matches("cloudscope: build " + id
                    + ": TIMEOUT in stage build \\(exit code \\d+\\): the build took longer than 3s: its processes "
                    + "were killed"));
            assertThat(millis).as("the CLI's run: at least the timeout, far less than the sleep")
                    .isBetween(3_000L, 30_000L);
            assertThat(server.status(id).path("status").asText()).isEqualTo("TIMEOUT");
            assertThat(BuildFixtures.running("sleep", sleep)).as("the build's sleep, after the timeout").isEmpty();
            assertThat(server.terminate()).as("server exit code (stderr %s)", server.stderr()).isZero();
        }
    }

    /**
     * {@code build.concurrency = 1, queueLimit = 1}, three CLIs started at once on a build that waits at a gate: two
     * are accepted (one runs and waits at the gate, one is queued), the third is refused at once, exit code 1, with
     * the server's queue message. Then the gate opens: the other two succeed.
     */
    @Test
    void withOneRunningAndOneQueuedAThirdBuildIsRefusedAndTheOthersSucceed() {
        try (BuildServer server = BuildServer.start(dir, "concurrency = 1", "queueLimit = 1");
             BuildGate gate = BuildGate.start()) {
            Path repo = BuildFixtures.project("it-queue").build("""
                    console.log('at the gate');
                    await gate(%d);
                    %s
                    console.log('through the gate');
                    """.formatted(gate.port(), BuildFixtures.siteCall("it-queue"))).commit(dir);
            List<CliProcess> clis = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    clis.add(server.startCli("build", BuildFixtures.fileUrl(repo), "--branch", "main"));
                }
                // only a refused CLI can end while the gate is shut
                await("one CLI ended, one build at the gate").atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(50))
                        .until(() -> clis.stream().anyMatch(cli -> !cli.isAlive()) && gate.arrived() == 1);
                List<CliProcess> ended = clis.stream().filter(cli -> !cli.isAlive()).toList();
                assertThat(ended).as("CLIs ended while the gate is shut").hasSize(1);
                CliProcess refused = ended.get(0);
                ClientRun refusal = refused.awaitExit(Duration.ofSeconds(5));
                assertThat(refusal.exitCode()).as("the refused CLI's exit code").isEqualTo(1);
                assertThat(refusal.stdout()).as("the refused CLI's stdout").isEmpty();
                assertThat(refusal.stderr()).as("the refused CLI's stderr").containsExactly("cloudscope: "
                        + server.url() + "/build: build refused: the build queue is full (1 running, 1 waiting): "
                        + "try again later");

                gate.open();

                List<String> ids = new ArrayList<>();
                for (CliProcess cli : clis) {
                    if (cli == refused) {
                        continue;
                    }
                    ClientRun run = cli.awaitExit(Duration.ofSeconds(60));
                    List<String> stdout = cli.stdoutLines();
                    assertThat(run.exitCode()).as("exit code (stdout %s, stderr %s)", stdout, run.stderr()).isZero();
                    String id = BuildServer.buildId(stdout);
                    ids.add(id);
                    assertThat(stdout).contains("at the gate", "through the gate",
                            "build " + id + ": SUCCESS (exit code 0)");
                }
                assertThat(ids).as("the two builds").doesNotHaveDuplicates().hasSize(2);
                assertThat(gate.arrived()).as("builds that came to the gate").isEqualTo(2);
            } finally {
                clis.forEach(CliProcess::close);
            }
            assertThat(server.terminate()).as("server exit code (stderr %s)", server.stderr()).isZero();
        }
    }
}
