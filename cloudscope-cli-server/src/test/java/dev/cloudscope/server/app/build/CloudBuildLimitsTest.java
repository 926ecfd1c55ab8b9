package dev.cloudscope.server.app.build;

import static dev.cloudscope.server.app.build.BuildTesting.buildUserMayEnter;
import static dev.cloudscope.server.app.build.BuildTesting.config;
import static dev.cloudscope.server.app.build.BuildTesting.isLine;
import static dev.cloudscope.server.app.build.BuildTesting.last;
import static dev.cloudscope.server.app.build.BuildTesting.stageEvents;
import static dev.cloudscope.server.app.build.BuildTesting.tree;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cloudscope.server.app.build.BuildSocket.Entry;
import dev.cloudscope.server.app.build.ProcessTesting.Processes;
import dev.cloudscope.server.testing.TestServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cloud build's limits through the socket, each on a server of its own: {@code build.timeout} (3 s: the whole
 * process tree killed, a detached grandchild too) and {@code build.concurrency} with {@code build.queueLimit} (one
 * build at a time, one waiting, the next refused).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CloudBuildLimitsTest {

    static final Duration SHORT_TIMEOUT = Duration.ofSeconds(3);

    @TempDir
    static Path temp;
    Path timeoutWorkDir;
    Path queueWorkDir;
    TestServer shortTimeout;
    TestServer oneAtATime;
    private final AtomicInteger repos = new AtomicInteger();
    private final Processes processes = new Processes();
    private final List<BuildSocket> clients = new ArrayList<>();

    @BeforeAll
    void start() throws IOException {
        assumeTrue(Bubblewrap.onPath("bwrap").isPresent(), "bubblewrap (bwrap) is not installed");
        Processes.assumeNode();
        buildUserMayEnter(temp);
        timeoutWorkDir = temp.resolve("timeout-work");
        queueWorkDir = temp.resolve("queue-work");
        shortTimeout = TestServer.startLesson(config(timeoutWorkDir, "build.timeout = " + SHORT_TIMEOUT.toSeconds() + "s\n"));
        oneAtATime = TestServer.startLesson(config(queueWorkDir, "build { concurrency = 1, queueLimit = 1 }\n"));
    }

    @AfterAll
    void stop() {
        TestServer.closeAll(shortTimeout, oneAtATime);
    }

    @AfterEach
    void closeClients() {
        clients.forEach(BuildSocket::close);
        clients.clear();
        processes.killMarked();
    }

    @Test
    void aBuildOverItsTimeoutIsKilledWholeAsTimeoutWithNoProcessLeft() {
        String marker = processes.marker();
        Fixture forever = Fixture.project("site-forever").buildJs(Processes.detachGrandchild(marker, "grandchild.pid")
                + """
                console.log('ready');
                sleep(600000);
                """);
        BuildSocket client = client(shortTimeout);

        String id = client.submit(repo(forever), "main", "node build.js");
        List<Entry> entries = new ArrayList<>(client.followUntil(id, 0, isLine("out:ready")));
        List<String> grandchildren = processes.marked();
        entries.addAll(client.followToEnd(id, entries.get(entries.size() - 1).seq()));

        assertThat(grandchildren).as("the build's detached grandchild ran").isNotEmpty();
        assertThat(timeoutWorkDir.resolve("builds").resolve(id).resolve("src/grandchild.pid")).exists();
        Entry status = last(entries);
        assertThat(status.get("status")).isEqualTo("TIMEOUT");
        assertThat(status.get("stage")).isEqualTo("build");
        assertThat(status.get("message")).startsWith("the build took longer than ")
                .endsWith(": its processes were killed");
        assertThat(stageEvents(entries)).endsWith("build:start", "build:end").doesNotContain("publish:start");
        assertThat(processes.marked()).as("no process of the build is left").isEmpty();
        Map<String, Object> answer = client.status(id);
        assertThat(answer).containsEntry("status", "TIMEOUT");
        Duration took = Duration.between(Instant.parse((String) answer.get("startedAt")),
                Instant.parse((String) answer.get("endedAt")));
        assertThat(took).isBetween(SHORT_TIMEOUT, SHORT_TIMEOUT.plusSeconds(5));
        assertThat(timeoutWorkDir.resolve("sites/site-forever")).doesNotExist();
    }

    @Test
    void withOneBuildAtATimeAndAQueueOfOneTheSecondWaitsQueuedAndRunsAfterTheFirstAndTheThirdIsRefused() {
        Fixture slow = Fixture.project("site-first").buildJsThenSite("""
                console.log('ready');
                sleep(1500);
                """);
        Fixture quick = Fixture.project("site-second");
        BuildSocket client = client(oneAtATime);

        String first = client.submit(repo(slow), "main", "node build.js");
        client.followUntil(first, 0, isLine("out:ready"));
        String second = client.submit(repo(quick), "main", "node build.js");
        Set<Path> before = onDisk(queueWorkDir);
        Map<String, Object> third = client.build(repo(quick), "main", "node build.js");

        assertThat(third).isEqualTo(Map.of("error", "the build queue is full (1 running, 1 waiting): try again later"));
        assertThat(onDisk(queueWorkDir)).as("nothing made for the refused build").isEqualTo(before);
        assertThat(client.status(first)).containsEntry("status", "WORKING").containsEntry("stage", "build");
        assertThat(client.status(second)).containsEntry("status", "QUEUED").doesNotContainKey("stage")
                .doesNotContainKey("startedAt");
        // newest first, to the second (ids sort by the second they were made in, then at random)
        assertThat(client.list()).extracting(build -> (String) build.get("id")).contains(first, second)
                .isSortedAccordingTo((a, b) -> b.substring(0, 14).compareTo(a.substring(0, 14)));

        assertThat(last(client.followToEnd(first, 0)).get("status")).isEqualTo("SUCCESS");
        assertThat(last(client.followToEnd(second, 0)).get("status")).isEqualTo("SUCCESS");
        Instant firstEnded = Instant.parse((String) client.status(first).get("endedAt"));
        Instant secondStarted = Instant.parse((String) client.status(second).get("startedAt"));
        assertThat(secondStarted).isAfterOrEqualTo(firstEnded);
        // both done: the queue takes builds again
        await().atMost(Duration.ofSeconds(5)).until(() -> client.build(repo(quick), "main", "node build.js")
                .containsKey("id"));
    }

    @Test
    void aQueuedBuildThatIsCancelledEndsAtOnceAndLeavesTheQueue() {
        Fixture slow = Fixture.project("site-blocking").buildJsThenSite("""
                console.log('ready');
                sleep(3000);
                """);
        Fixture quick = Fixture.project("site-queued");
        BuildSocket client = client(oneAtATime);
        String running = client.submit(repo(slow), "main", "node build.js");
        client.followUntil(running, 0, isLine("out:ready"));
        String queued = client.submit(repo(quick), "main", "node build.js");
        long asked = System.nanoTime();

        Map<String, Object> answer = client.cancel(queued);

        assertThat(answer).isEqualTo(Map.of("id", queued, "status", "CANCELLED"));
        List<Entry> entries = client.followToEnd(queued, 0);
        assertThat(Duration.ofNanos(System.nanoTime() - asked)).as("not after the running build")
                .isLessThan(Duration.ofSeconds(2));
        assertThat(client.status(running)).containsEntry("status", "WORKING");
        assertThat(entries).extracting(Entry::brief).containsExactly("status:CANCELLED");
        assertThat(client.status(queued)).containsEntry("status", "CANCELLED").doesNotContainKey("startedAt");
        // its place in the queue is free again while the first still runs: for a build whose owner leaves too
        BuildSocket leaving = client(oneAtATime);
        String abandoned = leaving.submit(repo(quick), "main", "node build.js");
        leaving.disconnect();
        assertThat(last(client.followToEnd(abandoned, 0)).get("status")).isEqualTo("CANCELLED");
        String next = client.submit(repo(quick), "main", "node build.js");
        assertThat(client.status(running)).containsEntry("status", "WORKING");
        assertThat(client.status(next)).containsEntry("status", "QUEUED");
        assertThat(last(client.followToEnd(running, 0)).get("status")).isEqualTo("SUCCESS");
        assertThat(last(client.followToEnd(next, 0)).get("status")).isEqualTo("SUCCESS");
        assertThat(last(client.followToEnd(queued, 0)).get("status")).isEqualTo("CANCELLED");
    }

    /** The builds' directories and every path of the sites (the running build's own files change meanwhile). */
    private static Set<Path> onDisk(Path workDir) {
        Set<Path> paths = new java.util.TreeSet<>(tree(workDir.resolve("sites")));
        try (var builds = Files.list(workDir.resolve("builds"))) {
            builds.forEach(paths::add);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return paths;
    }

    private BuildSocket client(TestServer server) {
        BuildSocket client = BuildSocket.connect(server.url("/build"));
        clients.add(client);
        return client;
    }

    private String repo(Fixture project) {
        return project.commitTo(temp.resolve("repos").resolve(project.name() + "-" + repos.incrementAndGet()));
    }
}
