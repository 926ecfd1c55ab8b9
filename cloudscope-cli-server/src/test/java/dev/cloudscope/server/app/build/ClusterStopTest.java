package dev.cloudscope.server.app.build;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cloudscope.server.cluster.NodeId;
import dev.cloudscope.server.config.BuildSettings;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node's sockets leaving, against a real redis-server: a client that leaves cancels its build wherever it runs;
 * a client disconnected by its node's own stop does not (the build is the cluster's: docs/scaling.md).
 */
class ClusterStopTest {

    @TempDir
    Path dir;

    private LocalRedis redis;
    private ExecutorService workers;
    private BuildRecords records;
    private RedisLogStore logs;
    private ClusterBuilds builds;

    @BeforeEach
    void start() throws Exception {
        redis = LocalRedis.start(dir);
        workers = Executors.newFixedThreadPool(2);
        records = new BuildRecords(redis.client(), 50);
        logs = new RedisLogStore(redis.client(), records, 1 << 20, workers);
    }

    /** This node, once the build is the other node's (its dispatcher would otherwise take the entry first). */
    private ClusterBuilds node() throws Exception {
        BuildSettings settings = new BuildSettings(true, dir.resolve("work"), List.of("https"),
                List.of("npm run build"), Duration.ofMinutes(1), 1 << 20, 1, 10, 50, BuildSettings.Sandbox.NONE, "",
                64, 1 << 30, "", Optional.empty(), Duration.ofSeconds(30));
        builds = new ClusterBuilds(settings, redis.client(), new NodeId("here"), logs, records,
                new DirectoryStore(Files.createDirectories(dir.resolve("sites")), URI.create("http://localhost/sites/")),
                new NoSandbox(), workers);
        return builds;
    }

    @AfterEach
    void stop() throws Exception {
        if (builds != null) {
            builds.close();
        }
        workers.shutdownNow();
        redis.close();
    }

    /** A build running on another node. */
    private BuildId runningElsewhere() {
        BuildQueue elsewhere = new BuildQueue(redis.client(), "elsewhere");
        elsewhere.ensureGroup();
        BuildId id = LocalRedis.queued(records);
        BuildQueue.Taken taken = elsewhere.take(Duration.ofSeconds(1)).orElseThrow();
        assertThat(records.start(id, "elsewhere", taken.entry().toString(), Duration.ofSeconds(30))).isTrue();
        return id;
    }

    @Test
    void aClientThatLeavesCancelsItsBuildOnTheNodeRunningIt() throws Exception {
        BuildId id = runningElsewhere();
        ClusterBuilds builds = node();
        builds.owned(id, "s1"); // submitted by socket s1 of this node

        builds.ownerLeft("s1");

        assertThat(records.get(id).orElseThrow().get("cancel")).isEqualTo("1");
        assertThat(builds.ownsUnfinished("s1")).isFalse();
    }

    @Test
    void aClientDisconnectedByItsNodeStoppingCancelsNothing() throws Exception {
        BuildId id = runningElsewhere();
        ClusterBuilds builds = node();
        builds.owned(id, "s1");

        builds.nodeStopping();
        builds.ownerLeft("s1");

        assertThat(records.get(id).orElseThrow()).doesNotContainKey("cancel");
        assertThat(BuildRecords.status(records.get(id).orElseThrow())).isEqualTo(BuildStatus.WORKING);
        assertThat(builds.ownsUnfinished("s1")).isFalse();
    }
}
