package dev.cloudscope.server.app.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Redis that comes back empty (no persistence) under a running cluster, against a real redis-server (FLUSHALL):
 * a running build's later output is dropped without failing its run, followers are told the build is unknown, and
 * the queue starts again (its consumer group made anew) for new builds.
 */
class RedisEmptiedTest {

    @TempDir
    Path dir;

    private LocalRedis redis;
    private ExecutorService notifier;
    private BuildRecords records;
    private RedisLogStore store;
    private BuildQueue queue;

    @BeforeEach
    void start() throws Exception {
        redis = LocalRedis.start(dir);
        notifier = Executors.newFixedThreadPool(2);
        records = new BuildRecords(redis.client(), 50);
        store = new RedisLogStore(redis.client(), records, 1 << 20, notifier);
        queue = new BuildQueue(redis.client(), "node-a");
        queue.ensureGroup();
    }

    @AfterEach
    void stop() throws Exception {
        store.close();
        notifier.shutdownNow();
        redis.close();
    }

    private BuildId queued() {
        return LocalRedis.queued(records);
    }

    @Test
    void aRunningBuildsOutputIsDroppedAndItsFollowersAreToldItIsUnknown() throws Exception {
        BuildId id = queued();
        assertThat(queue.take(Duration.ofSeconds(1))).isPresent();
        assertThat(records.start(id, "node-a", "1-0", Duration.ofSeconds(10))).isTrue();
        BuildLog log = store.create(id);
        log.stageStart("build");

        redis.client().getKeys().flushall();
        log.out("after the flush");
        log.stageEnd("build", 0, 1);
        log.finish("SUCCESS", null);

        assertThatThrownBy(() -> store.read(id, 0, 10)).isInstanceOf(UnknownBuildException.class);
        assertThat(redis.client().getKeys().count()).as("nothing written for the gone build").isZero();
    }

    @Test
    void theQueueStartsAgainForNewBuilds() {
        redis.client().getKeys().flushall();

        assertThat(queue.take(Duration.ofMillis(200))).as("the first read after the flush makes the group again").isEmpty();
        BuildId id = queued();

        assertThat(queue.take(Duration.ofSeconds(1))).map(BuildQueue.Taken::build).contains(id);
    }
}
