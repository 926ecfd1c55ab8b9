package dev.cloudscope.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Builds across nodes (issue 11): two real server jars with {@code cluster.redis} on one real redis-server
 * (append-only, as a production Redis should be) and the shared S3 store (s3proxy), {@code build.concurrency = 1}
 * and {@code build.lease = 3s} each. A build followed from the node that does not run it prints what one node
 * prints; a cancel on one node stops the build on the other; a node SIGKILLed mid-build has its build ended as
 * INTERNAL_ERROR by the other within the lease, its follower told; redis-server SIGKILLed and restarted mid-build
 * costs no line, no socket and no queued build; a node stopped with SIGTERM leaves its queued builds to the other;
 * a client that never detached leaving one node cancels its build on the other; a node without the S3 store does
 * not start. Builds wait at {@link BuildGate}s where a test acts mid-build.
 */
class CloudBuildClusterIT {

    private static final Pattern BUILD_ID = Pattern.compile("\\d{14}-[0-9a-f]{6}");
    private static final Pattern PAGE = Pattern.compile("^page: http://127\\.0\\.0\\.1:\\d+/builds/");
    private static final Duration BUILD_END = Duration.ofSeconds(60);

    @TempDir
    static Path dir;

    private static RedisServer redis;
    private static S3Server s3;

    @BeforeAll
    static void startRedisAndS3() {
        redis = RedisServer.start(dir, true);
        s3 = S3Server.start();
    }

    @AfterAll
    static void stopRedisAndS3() {
        if (s3 != null) {
            s3.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    /**
     * A build asked of node A waits at a gate; {@code build logs ID --follow} on the node that does not run it follows
     * it to its end. Its stdout and stderr (build ids aside) are exactly those of {@code build logs ID --follow} on a
     * one-node server (same S3 store) for the same repository; a direct {@code cloudscope build} through node B
     * prints what a direct run on one node prints.
     */
    @Test
    void aBuildFollowedFromTheNodeThatDoesNotRunItPrintsWhatOneNodePrints() {
        try (BuildGate gate = BuildGate.start(); BuildServer a = node("a"); BuildServer b = node("b")) {
            Path repo = BuildFixtures.project("it-cluster-follow").build("""
                    for (let i = 1; i <= 20; i++) console.log('cluster ' + i);
                    await gate(%d);
                    console.error('a line on stderr');
                    for (let i = 21; i <= 40; i++) console.log('cluster ' + i);
                    %s
                    """.formatted(gate.port(), BuildFixtures.siteCall("it-cluster-follow"))).commit(dir);
            String url = BuildFixtures.fileUrl(repo);
            String id = detached(a, url);
            await("the build at its gate").atMost(BUILD_END).pollInterval(Duration.ofMillis(50))
                    .until(() -> gate.arrived() == 1);
            BuildServer runner = runner(a, b, id);
            BuildServer follower = runner == a ? b : a;

            ClientRun followed;
            try (CliProcess follow = follower.startCli("build", "logs", id, "--follow")) {
                await("logs --follow on the other node printed the lines before the gate").atMost(BUILD_END)
                        .pollInterval(Duration.ofMillis(50))
                        .until(() -> follow.stdoutLines().contains("cluster 20") || !follow.isAlive());
                assertThat(follow.isAlive()).as("logs --follow follows (stderr: %s)", follow.stderr()).isTrue();
                gate.open();
                followed = follow.awaitExit(BUILD_END);
                followed = new ClientRun(followed.exitCode(), follow.stdoutLines(), followed.stderr());
            }
            ClientRun clusterDirect = b.cli("build", url, "--branch", "main");

            List<String> jsonFromA = a.cli("build", "logs", id, "--json").stdout();
            List<String> jsonFromB = b.cli("build", "logs", id, "--json").stdout();

            ClientRun oneNodeFollowed;
            ClientRun oneNodeDirect;
            List<String> oneNodeJson;
            try (BuildServer one = BuildServer.start(dir, s3.settings().toArray(String[]::new))) {
                String oneId = detached(one, url);
                oneNodeFollowed = one.cli("build", "logs", oneId, "--follow");
                oneNodeJson = one.cli("build", "logs", oneId, "--json").stdout();
                oneNodeDirect = one.cli("build", url, "--branch", "main");
                assertThat(one.terminate()).isZero();
            }
            assertThat(jsonFromB).as("the log as node b gives it, against node a").isEqualTo(jsonFromA);
            assertThat(seqs(jsonFromA)).as("seq numbers across nodes: 1, 2, 3, ... with no gap, as one node's")
                    .isEqualTo(IntStream.rangeClosed(1, jsonFromA.size()).boxed().toList())
                    .isEqualTo(seqs(oneNodeJson));
            // Where the stderr line falls among stdout lines is up to two pipe readers, in every run alike; the rest
            // (stages, stdout, stderr each in its own order) is the same entry for entry.
            assertThat(entries(jsonFromA, false)).as("every entry but stderr's, across nodes against one node's")
                    .isEqualTo(entries(oneNodeJson, false));
            assertThat(entries(jsonFromA, true)).as("stderr's entries across nodes against one node's")
                    .isEqualTo(entries(oneNodeJson, true)).hasSize(1);
            System.out.printf("CloudBuildClusterIT follow: built on node %s, followed from the other: exit %d, %d lines%n",
                    runner == a ? "a" : "b", followed.exitCode(), followed.stdout().size());
            assertThat(followed.exitCode()).as("logs --follow exit code (stderr %s)", followed.stderr()).isZero();
            assertThat(oneNodeFollowed.exitCode()).as("one node's exit code (stderr %s)", oneNodeFollowed.stderr()).isZero();
            assertThat(withoutIds(followed.stdout())).as("stdout followed across nodes against one node's")
                    .isEqualTo(withoutIds(oneNodeFollowed.stdout()))
                    .containsSubsequence(IntStream.rangeClosed(1, 40).mapToObj(i -> "cluster " + i).toList());
            assertThat(withoutIds(followed.stderr())).as("stderr followed across nodes against one node's")
                    .isEqualTo(withoutIds(oneNodeFollowed.stderr())).containsExactly("a line on stderr");
            assertThat(clusterDirect.exitCode()).as("direct run through node b (stderr %s)", clusterDirect.stderr()).isZero();
            assertThat(withoutIds(clusterDirect.stdout())).as("a direct run through node b against one node's")
                    .isEqualTo(withoutIds(oneNodeDirect.stdout()));
            assertThat(withoutIds(clusterDirect.stderr())).isEqualTo(withoutIds(oneNodeDirect.stderr()));
            assertThat(clusterDirect.stdout()).as("the build's page, on the node the CLI asked")
                    .anyMatch(line -> line.matches("page: " + Pattern.quote(b.url()) + "/builds/\\d{14}-[0-9a-f]{6}"));
            assertThat(a.terminate()).isZero();
            assertThat(b.terminate()).isZero();
        }
    }

    /**
     * {@code build cancel ID} on the node that does not run the build: it answers CANCELLED once the build has
     * ended; the status is CANCELLED on both nodes, and the build's sleeping process (on the other node) is gone. A
     * build cancelled while queued (both nodes busy) ends at once, leaves the queue and never runs: its log holds its
     * status alone.
     */
    @Test
    void aCancelOnOneNodeStopsTheBuildRunningOnTheOther() {
        try (BuildServer a = node("a"); BuildServer b = node("b")) {
            List<String> sleeps = List.of(BuildFixtures.sleepMarker(), BuildFixtures.sleepMarker());
            List<String> ids = new ArrayList<>();
            for (String sleep : sleeps) {
                Path repo = BuildFixtures.project("it-cluster-cancel").build("""
                        console.log('waiting for build cancel');
                        require('child_process').execFileSync('sleep', ['%s']);
                        """.formatted(sleep)).commit(dir);
                ids.add(detached(a, BuildFixtures.fileUrl(repo)));
                await("the build's sleep started").atMost(BUILD_END).pollInterval(Duration.ofMillis(50))
                        .until(() -> !BuildFixtures.running("sleep", sleep).isEmpty());
            }
            String queued = detached(b, BuildFixtures.fileUrl(BuildFixtures.project("it-cluster-cancel-queued")
                    .build("console.log('never');").commit(dir)));
            assertThat(a.status(queued).path("status").asText()).as("both nodes busy").isEqualTo("QUEUED");

            ClientRun cancelQueued = a.cli("build", "cancel", queued);

            assertThat(cancelQueued.stdout()).as("cancel of the queued build").containsExactly("build " + queued
                    + ": CANCELLED");
            for (int i = 0; i < ids.size(); i++) {
                String id = ids.get(i);
                BuildServer runner = runner(a, b, id);
                BuildServer other = runner == a ? b : a;

                ClientRun cancel = other.cli("build", "cancel", id);

                assertThat(cancel.exitCode()).as("build cancel exit code (stderr %s)", cancel.stderr()).isZero();
                assertThat(cancel.stdout()).as("build cancel stdout").containsExactly("build " + id + ": CANCELLED");
                assertThat(runner.status(id).path("status").asText()).isEqualTo("CANCELLED");
                assertThat(other.status(id).path("status").asText()).isEqualTo("CANCELLED");
                String sleep = sleeps.get(i);
                await("the build's sleep gone").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                        .until(() -> BuildFixtures.running("sleep", sleep).isEmpty());
            }
            await("the queue empty").atMost(BUILD_END).pollInterval(Duration.ofMillis(100))
                    .until(() -> redis.command("XLEN", "cloudscope:builds:queue").equals(":0"));
            JsonNode status = b.status(queued);
            assertThat(status.path("status").asText()).isEqualTo("CANCELLED");
            assertThat(status.has("node")).as("it never ran on a node").isFalse();
            ClientRun log = b.cli("build", "logs", queued, "--json");
            assertThat(log.stdout()).as("its log").hasSize(1);
            assertThat(BuildServer.json(log.stdout().get(0)).path("status").asText()).isEqualTo("CANCELLED");
            assertThat(a.terminate()).isZero();
            assertThat(b.terminate()).isZero();
        }
    }

    /**
     * A client that never detaches (Node socket.io-client 4.x) asks node X for a build while X is busy, so the build
     * runs on the other node; the client is killed mid-build: its disconnect on X cancels the build on the other
     * node (CANCELLED, its sleeping process gone).
     */
    @Test
    void aClientThatNeverDetachedLeavingOneNodeCancelsItsBuildOnTheOther() throws java.io.IOException {
        try (BuildGate gate = BuildGate.start(); BuildServer a = node("a"); BuildServer b = node("b")) {
            String busy = detached(a, BuildFixtures.fileUrl(BuildFixtures.project("it-cluster-busy")
                    .build("await gate(%d);\n%s".formatted(gate.port(), BuildFixtures.siteCall("it-cluster-busy")))
                    .commit(dir)));
            await("the first build at its gate").atMost(BUILD_END).pollInterval(Duration.ofMillis(50))
                    .until(() -> gate.arrived() == 1);
            BuildServer owners = runner(a, b, busy); // busy: the client's build runs on the other node
            String sleep = BuildFixtures.sleepMarker();
            Path repo = BuildFixtures.project("it-cluster-owner").build("""
                    console.log('waiting for the disconnect');
                    require('child_process').execFileSync('sleep', ['%s']);
                    console.log('not cancelled');
                    """.formatted(sleep)).commit(dir);
            Path out = dir.resolve("owner-" + System.nanoTime() + ".out");
            Process client = new ProcessBuilder(NodeFixture.buildClientCommand(owners.url(), BuildFixtures.fileUrl(repo),
                    "main")).redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String id;
            try {
                await("the build's sleep started").atMost(BUILD_END).pollInterval(Duration.ofMillis(50))
                        .until(() -> !BuildFixtures.running("sleep", sleep).isEmpty() || !client.isAlive());
                assertThat(client.isAlive()).as("the Node client follows (stdout %s)", Processes.read(out)).isTrue();
                id = Processes.read(out).lines().findFirst().orElse("").replace("accepted ", "");
                assertThat(runner(a, b, id)).as("the build runs on the node the client is not on").isNotSameAs(owners);
            } finally {
                assertThat(Processes.kill(client)).as("the Node client killed").isTrue();
            }

            await("the build ended").atMost(BUILD_END).pollInterval(Duration.ofMillis(100))
                    .until(() -> !owners.status(id).path("status").asText().equals("WORKING"));
            assertThat(owners.status(id).path("status").asText()).isEqualTo("CANCELLED");
            await("the build's sleep gone").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                    .until(() -> BuildFixtures.running("sleep", sleep).isEmpty());
            gate.open();
            await("the first build ended").atMost(BUILD_END).pollInterval(Duration.ofMillis(100))
                    .until(() -> owners.status(busy).path("status").asText().equals("SUCCESS"));
            assertThat(a.terminate()).isZero();
            assertThat(b.terminate()).isZero();
        }
    }

    /**
     * The node running a build is SIGKILLed while the build waits at a gate and {@code build logs ID --follow --json}
     * follows it from the other node: the other node ends it as INTERNAL_ERROR (not run again: it may have published,
     * and its lines were seen), the follower prints that status last and exits 1, every seq once and in order.
     */
    @Test
    void aNodeKilledMidBuildHasItsBuildEndedByTheOtherAndTheFollowerSeesIt() {
        try (BuildGate gate = BuildGate.start(); BuildServer a = node("a"); BuildServer b = node("b")) {
            Path repo = BuildFixtures.project("it-cluster-kill").build("""
                    console.log('before the kill');
                    await gate(%d);
                    console.log('after the gate');
                    """.formatted(gate.port())).commit(dir);
            String id = detached(a, BuildFixtures.fileUrl(repo));
            await("the build at its gate").atMost(BUILD_END).pollInterval(Duration.ofMillis(50))
                    .until(() -> gate.arrived() == 1);
            BuildServer runner = runner(a, b, id);
            BuildServer other = runner == a ? b : a;
            String runnerName = runner == a ? "a" : "b";
            try (CliProcess follow = other.startCli("build", "logs", id, "--follow", "--json")) {
                await("the follower printed the line before the gate").atMost(BUILD_END).pollInterval(Duration.ofMillis(50))
                        .until(() -> follow.stdoutLines().stream().anyMatch(l -> l.contains("before the kill"))
                                || !follow.isAlive());
                assertThat(follow.isAlive()).as("logs --follow follows (stderr: %s)", follow.stderr()).isTrue();

                runner.process().signal("KILL");
                long killed = System.nanoTime();

                ClientRun run = follow.awaitExit(BUILD_END);
                System.out.printf("CloudBuildClusterIT SIGKILL: the follower ended %d ms after the kill (lease 3 s)%n",
                        (System.nanoTime() - killed) / 1_000_000);
                List<JsonNode> entries = follow.stdoutLines().stream().map(BuildServer::json).toList();
                System.out.printf("CloudBuildClusterIT SIGKILL: node %s killed; follower exit %d, last entry %s%n",
                        runnerName, run.exitCode(), entries.isEmpty() ? "none" : entries.get(entries.size() - 1));
                assertThat(run.exitCode()).as("follower exit code (stderr %s)", run.stderr()).isEqualTo(1);
                JsonNode last = entries.get(entries.size() - 1);
                assertThat(last.path("type").asText()).isEqualTo("status");
                assertThat(last.path("status").asText()).isEqualTo("INTERNAL_ERROR");
                assertThat(last.path("message").asText()).isEqualTo("the node running the build (" + runnerName
                        + ") stopped answering; ended by node " + (runner == a ? "b" : "a"));
                List<Long> seqs = entries.stream().filter(e -> e.has("seq")).map(e -> e.path("seq").asLong()).toList();
                assertThat(seqs).as("every seq once, in order")
                        .isEqualTo(IntStream.rangeClosed(1, seqs.size()).mapToObj(i -> (long) i).toList());
                assertThat(entries).noneMatch(e -> e.path("line").asText().equals("after the gate"));
            }
            assertThat(other.status(id).path("status").asText()).isEqualTo("INTERNAL_ERROR");
            assertThat(other.cli("build", "list", "--json").stdout()).as("nothing left WORKING")
                    .noneMatch(line -> line.contains("\"WORKING\"") || line.contains("\"QUEUED\""));
            assertThat(other.terminate()).isZero();
        }
    }

    /**
     * Both nodes run a build (waiting at a gate) and a third is queued; followers on the node that does not run
     * each build print its first half; redis-server is SIGKILLed and started again (its append-only file kept), then
     * the gate opens. Each follower prints every line once, in order, and SUCCESS, on the connection it had
     * (no "connection lost"); the queued build runs and succeeds.
     */
    @Test
    void redisRestartedMidBuildLosesNoLineNoSocketAndNoQueuedBuild() {
        try (BuildGate gate = BuildGate.start(); BuildServer a = node("a"); BuildServer b = node("b")) {
            List<String> ids = new ArrayList<>();
            for (String name : List.of("it-cluster-redis-1", "it-cluster-redis-2")) {
                Path repo = BuildFixtures.project(name).build("""
                        for (let i = 1; i <= 50; i++) console.log('line ' + i);
                        await gate(%d);
                        for (let i = 51; i <= 100; i++) console.log('line ' + i);
                        %s
                        """.formatted(gate.port(), BuildFixtures.siteCall(name))).commit(dir);
                ids.add(detached(a, BuildFixtures.fileUrl(repo)));
                int arrived = ids.size();
                await("build " + arrived + " at the gate").atMost(BUILD_END).pollInterval(Duration.ofMillis(50))
                        .until(() -> gate.arrived() == arrived);
            }
            Path quick = BuildFixtures.project("it-cluster-redis-3").build(BuildFixtures.siteCall("it-cluster-redis-3"))
                    .commit(dir);
            String queued = detached(b, BuildFixtures.fileUrl(quick));
            assertThat(a.status(queued).path("status").asText()).as("the third build, both nodes busy").isEqualTo("QUEUED");

            List<CliProcess> followers = new ArrayList<>();
            try {
                for (String id : ids) {
                    BuildServer runner = runner(a, b, id);
                    CliProcess follow = (runner == a ? b : a).startCli("build", "logs", id, "--follow");
                    followers.add(follow);
                    await("the follower of " + id + " printed line 50").atMost(BUILD_END).pollInterval(Duration.ofMillis(50))
                            .until(() -> follow.stdoutLines().contains("line 50") || !follow.isAlive());
                    assertThat(follow.isAlive()).as("follower (stderr %s)", follow.stderr()).isTrue();
                }

                redis.restart();
                gate.open();

                for (CliProcess follow : followers) {
                    ClientRun run = follow.awaitExit(BUILD_END);
                    List<String> stdout = follow.stdoutLines();
                    System.out.printf("CloudBuildClusterIT Redis restart: follower exit %d, stderr %s%n", run.exitCode(),
                            run.stderr());
                    assertThat(run.exitCode()).as("follower exit code (stderr %s)", run.stderr()).isZero();
                    assertThat(stdout.stream().filter(line -> line.matches("line \\d+")).toList())
                            .as("every line once, in order")
                            .isEqualTo(IntStream.rangeClosed(1, 100).mapToObj(i -> "line " + i).toList());
                    assertThat(run.stderr()).as("the follower kept its connection")
                            .noneMatch(line -> line.startsWith("cloudscope: connection lost"));
                }
            } finally {
                followers.forEach(CliProcess::close);
            }
            await("the queued build ended").atMost(BUILD_END).pollInterval(Duration.ofMillis(200))
                    .until(() -> !List.of("QUEUED", "WORKING").contains(a.status(queued).path("status").asText()));
            assertThat(b.status(queued).path("status").asText()).as("the build queued across the restart").isEqualTo("SUCCESS");
            assertThat(a.terminate()).isZero();
            assertThat(b.terminate()).isZero();
        }
    }

    /**
     * Each node runs a build (at its own gate) and a third waits in the queue. One node is stopped with SIGTERM: it
     * exits 0, its running build ends CANCELLED (as on one node), and the queued build is not lost with it: once the
     * other node's build is let through, that node runs the queued one to SUCCESS.
     */
    @Test
    void aNodeStoppedWithSigtermLeavesTheQueuedBuildsToTheOther() {
        try (BuildGate first = BuildGate.start(); BuildGate second = BuildGate.start();
             BuildServer a = node("a"); BuildServer b = node("b")) {
            String firstId = detached(a, BuildFixtures.fileUrl(BuildFixtures.project("it-cluster-term-1")
                    .build("await gate(%d);\n%s".formatted(first.port(), BuildFixtures.siteCall("it-cluster-term-1")))
                    .commit(dir)));
            await("the first build at its gate").atMost(BUILD_END).pollInterval(Duration.ofMillis(50))
                    .until(() -> first.arrived() == 1);
            String secondId = detached(a, BuildFixtures.fileUrl(BuildFixtures.project("it-cluster-term-2")
                    .build("await gate(%d);".formatted(second.port())).commit(dir)));
            await("the second build at its gate").atMost(BUILD_END).pollInterval(Duration.ofMillis(50))
                    .until(() -> second.arrived() == 1);
            BuildServer keeps = runner(a, b, firstId);
            BuildServer stops = runner(a, b, secondId);
            assertThat(stops).as("one build per node (build.concurrency = 1)").isNotSameAs(keeps);
            String queued = detached(stops, BuildFixtures.fileUrl(BuildFixtures.project("it-cluster-term-3")
                    .build(BuildFixtures.siteCall("it-cluster-term-3")).commit(dir)));
            assertThat(keeps.status(queued).path("status").asText()).isEqualTo("QUEUED");

            assertThat(stops.terminate()).as("SIGTERM exit code (stderr %s)", stops.stderr()).isZero();

            assertThat(keeps.status(secondId).path("status").asText()).isEqualTo("CANCELLED");
            assertThat(keeps.status(queued).path("status").asText()).as("after the SIGTERM").isEqualTo("QUEUED");
            first.open();
            await("the queued build ended").atMost(BUILD_END).pollInterval(Duration.ofMillis(200))
                    .until(() -> !List.of("QUEUED", "WORKING").contains(keeps.status(queued).path("status").asText()));
            JsonNode status = keeps.status(queued);
            assertThat(status.path("status").asText()).isEqualTo("SUCCESS");
            assertThat(status.path("node").asText()).isEqualTo(keeps == a ? "a" : "b");
            assertThat(keeps.status(firstId).path("status").asText()).isEqualTo("SUCCESS");
            assertThat(keeps.terminate()).isZero();
        }
    }

    /**
     * {@code cluster.redis} with the build on but no S3 store: the server stops at start-up with one line (exit code
     * 2) and writes nothing to Redis: a site in one node's work dir would be missing on the others.
     */
    @Test
    void aClusterNodeWithoutTheS3StoreStopsWithOneLine() throws java.io.IOException {
        Path config = java.nio.file.Files.writeString(dir.resolve("no-s3-" + System.nanoTime() + ".conf"),
                "build { enabled = true, workDir = \"" + dir.resolve("no-s3-work") + "\" }\n");
        String keysBefore = redis.command("DBSIZE");
        int port = FreePort.next();
        try (ServerProcess server = ServerProcess.launch(dir, new Trace(dir), port,
                List.of("-Dcluster.redis=" + redis.url()), "--port", String.valueOf(port), "--config", config.toString())) {
            assertThat(server.awaitExit(BUILD_END)).isEqualTo(2);
            assertThat(server.stderr().lines().toList()).containsExactly("cloudscope-server: config: build.store.s3: with"
                    + " cluster.redis set, the cloud build needs the shared S3 store (build.store.s3.bucket), not the work"
                    + " dir of one node");
        }
        assertThat(redis.command("DBSIZE")).isEqualTo(keysBefore);
    }

    /** A node of the cluster: {@code build.concurrency = 1}, {@code build.lease = 3s}, the shared S3 store. */
    private static BuildServer node(String name) {
        List<String> settings = new ArrayList<>(s3.settings());
        settings.add("concurrency = 1");
        settings.add("lease = 3s");
        return BuildServer.start(dir, List.of("-Dcluster.redis=" + redis.url(), "-Dcluster.nodeId=" + name),
                settings.toArray(String[]::new));
    }

    /** {@code build URL --branch main --detach} on {@code server}: the build's id. */
    private static String detached(BuildServer server, String url) {
        ClientRun run = server.cli("build", url, "--branch", "main", "--detach");
        assertThat(run.exitCode()).as("--detach exit code (stderr %s)", run.stderr()).isZero();
        return BuildServer.buildId(run.stdout());
    }

    /** Which of the two nodes runs the build, as its record says. */
    private static BuildServer runner(BuildServer a, BuildServer b, String id) {
        String node = a.status(id).path("node").asText();
        assertThat(node).as("the node running build %s", id).isIn("a", "b");
        return node.equals("a") ? a : b;
    }

    /** A log's entries as {@code --json} prints them, without what differs between two runs (ids, durations). */
    /** The entries from stderr only, or all the others, without their seq, build id and durations. */
    private static List<String> entries(List<String> json, boolean stderr) {
        return json.stream().map(BuildServer::json)
                .filter(entry -> "err".equals(entry.path("stream").asText()) == stderr)
                .map(entry -> {
                    ((com.fasterxml.jackson.databind.node.ObjectNode) entry).remove(List.of("id", "durationMs", "seq"));
                    return BUILD_ID.matcher(entry.toString()).replaceAll("ID");
                }).toList();
    }

    private static List<Integer> seqs(List<String> json) {
        return json.stream().map(line -> BuildServer.json(line).path("seq").asInt()).toList();
    }

    /** Lines without their build ids, and the page line without the port of the server the CLI asked. */
    private static List<String> withoutIds(List<String> lines) {
        return lines.stream().map(line -> BUILD_ID.matcher(line).replaceAll("ID"))
                .map(line -> PAGE.matcher(line).replaceAll("page: http://SERVER/builds/")).toList();
    }
}
