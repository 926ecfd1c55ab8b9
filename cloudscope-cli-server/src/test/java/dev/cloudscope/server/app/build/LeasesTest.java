package dev.cloudscope.server.app.build;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a live node does with the builds of a node that stopped answering, against a real redis-server: a build it
 * had started is ended as INTERNAL_ERROR (not run again); one it had only taken from the queue goes back to the
 * queue; one whose node still holds its lease is left alone. And the queue itself: a build cancelled while queued
 * leaves it.
 */
class LeasesTest {

    private static final Duration LEASE = Duration.ofSeconds(1);

    @TempDir
    Path dir;

    private LocalRedis redis;
    private BuildRecords records;
    private BuildQueue deadNode;
    private BuildQueue liveNode;
    private Leases leases;

    @BeforeEach
    void start() throws Exception {
        redis = LocalRedis.start(dir);
        records = new BuildRecords(redis.client(), 50);
        deadNode = new BuildQueue(redis.client(), "dead");
        liveNode = new BuildQueue(redis.client(), "live");
        deadNode.ensureGroup();
    }

    @AfterEach
    void stop() throws Exception {
        if (leases != null) {
            leases.close();
        }
        redis.close();
    }

    private BuildId queued() {
        return LocalRedis.queued(records);
    }

    private BuildQueue.Taken takenByTheDeadNode(BuildId id) {
        BuildQueue.Taken taken = deadNode.take(Duration.ofSeconds(1)).orElseThrow();
        assertThat(taken.build()).isEqualTo(id);
        return taken;
    }

    @Test
    void aStartedBuildWhoseNodeStoppedAnsweringEndsAsInternalError() throws Exception {
        BuildId id = queued();
        takenByTheDeadNode(id);
        assertThat(records.start(id, "dead", Duration.ofMillis(300))).isTrue(); // its lease lapses: nobody renews it

        leases = new Leases(records, liveNode, "live", LEASE, new ConcurrentHashMap<>());

        awaitTrue(() -> BuildRecords.status(records.get(id).orElseThrow()) != BuildStatus.WORKING);
        Map<String, String> record = records.get(id).orElseThrow();
        assertThat(BuildRecords.status(record)).isEqualTo(BuildStatus.INTERNAL_ERROR);
        assertThat(record.get("message")).isEqualTo("the node running the build (dead) stopped answering; ended by node live");
        awaitTrue(() -> liveNode.pending(10).isEmpty());
        assertThat(liveNode.waiting()).as("not queued again").isZero();
    }

    @Test
    void aBuildTakenButNotStartedByANodeThatStoppedAnsweringGoesBackToTheQueue() throws Exception {
        BuildId id = queued();
        takenByTheDeadNode(id);

        leases = new Leases(records, liveNode, "live", LEASE, new ConcurrentHashMap<>());

        awaitTrue(() -> liveNode.waiting() == 1);
        assertThat(BuildRecords.status(records.get(id).orElseThrow())).isEqualTo(BuildStatus.QUEUED);
        Optional<BuildQueue.Taken> again = liveNode.take(Duration.ofSeconds(1));
        assertThat(again).map(BuildQueue.Taken::build).contains(id);
    }

    @Test
    void aBuildWhoseNodeHoldsItsLeaseIsLeftAlone() throws Exception {
        BuildId id = queued();
        takenByTheDeadNode(id);
        assertThat(records.start(id, "dead", Duration.ofSeconds(30))).isTrue();

        leases = new Leases(records, liveNode, "live", LEASE, new ConcurrentHashMap<>());
        Thread.sleep(LEASE.multipliedBy(2).toMillis()); // several rounds of the live node's checks

        assertThat(BuildRecords.status(records.get(id).orElseThrow())).isEqualTo(BuildStatus.WORKING);
        assertThat(liveNode.pending(10)).singleElement().satisfies(entry ->
                assertThat(entry.getConsumerName()).isEqualTo("dead"));
    }

    @Test
    void aBuildCancelledWhileQueuedLeavesTheQueue() {
        BuildId cancelled = queued();
        BuildId waiting = queued();
        assertThat(records.endIf(cancelled, java.util.EnumSet.of(BuildStatus.QUEUED), BuildStatus.CANCELLED, "cancelled"))
                .isTrue();

        liveNode.drop(cancelled);

        assertThat(liveNode.waiting()).isEqualTo(1);
        assertThat(liveNode.take(Duration.ofSeconds(1))).map(BuildQueue.Taken::build).contains(waiting);
    }

    private static void awaitTrue(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 20 s");
            }
            Thread.sleep(20);
        }
    }
}
