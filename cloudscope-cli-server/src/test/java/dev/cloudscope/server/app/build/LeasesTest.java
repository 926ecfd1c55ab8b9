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
 * queue; one whose node still holds its lease is left alone; one WORKING with no lease and no queue entry is found
 * by the sweep of the records; taken entries beyond the oldest hundred are seen; idle consumers holding nothing
 * leave the group. A node's own ends: a run whose status never reached Redis is ended before its entry leaves, and
 * its lease is renewed until then. And the queue itself: a build cancelled while queued leaves it; the builds owned
 * by a node's sockets are forgotten once ended.
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
        assertThat(records.start(id, "dead", "1-0", Duration.ofMillis(300))).isTrue(); // its lease lapses: nobody renews it

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
        assertThat(records.start(id, "dead", "1-0", Duration.ofSeconds(30))).isTrue();

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

    @Test
    void aRunWhoseFinalStatusNeverReachedRedisIsEndedBeforeItsEntryLeaves() throws Exception {
        BuildId id = queued();
        BuildQueue.Taken taken = takenByTheDeadNode(id);
        assertThat(records.start(id, "dead", taken.entry().toString(), Duration.ofSeconds(30))).isTrue();
        // the run is over, its log gave up writing the status: the record still says WORKING

        assertThat(BuildRunner.settle(records, deadNode, taken, "dead")).isTrue();

        Map<String, String> record = records.get(id).orElseThrow();
        assertThat(BuildRecords.status(record)).isEqualTo(BuildStatus.INTERNAL_ERROR);
        assertThat(record.get("message")).isEqualTo("node dead could not write the build's final status to Redis");
        assertThat(deadNode.pending(10)).isEmpty();
        assertThat(records.leased(id)).isFalse();
    }

    @Test
    void aRunThatEndedHereKeepsItsLeaseUntilItLeavesTheRunningBuilds() throws Exception {
        BuildId id = queued();
        BuildQueue.Taken taken = liveNode.take(Duration.ofSeconds(1)).orElseThrow();
        assertThat(records.start(id, "live", taken.entry().toString(), Duration.ofMillis(200))).isTrue();
        Build build = new Build(id, new BuildRequest(java.net.URI.create("https://example.com/a.git"), "main",
                "npm run build", List.of("npm", "run", "build")), null);
        assertThat(build.endQueued("ended here")).isTrue(); // ended in memory, its status still being written
        Map<BuildId, Build> running = new ConcurrentHashMap<>(Map.of(id, build));

        leases = new Leases(records, liveNode, "live", LEASE, running);

        // renewed with the lease's TTL (⅔ s), above the 200 ms it was taken with
        awaitTrue(() -> redis.client().getBucket(BuildKeys.lease(id)).remainTimeToLive() > 300);
        assertThat(BuildRecords.status(records.get(id).orElseThrow())).isEqualTo(BuildStatus.WORKING);
    }

    @Test
    void aWorkingBuildWithNoLeaseAndNoQueueEntryIsEndedBySweepingTheRecords() throws Exception {
        BuildId id = queued();
        BuildQueue.Taken taken = takenByTheDeadNode(id);
        assertThat(records.start(id, "dead", taken.entry().toString(), Duration.ofMillis(300))).isTrue();
        deadNode.done(taken.entry()); // its entry went (a hand-back race): the reaper's pending list cannot find it

        leases = new Leases(records, liveNode, "live", LEASE, new ConcurrentHashMap<>());

        awaitTrue(() -> BuildRecords.status(records.get(id).orElseThrow()) != BuildStatus.WORKING);
        Map<String, String> record = records.get(id).orElseThrow();
        assertThat(BuildRecords.status(record)).isEqualTo(BuildStatus.INTERNAL_ERROR);
        assertThat(record.get("message")).isEqualTo("the node running the build (dead) stopped answering; ended by node live");
    }

    @Test
    void theReaperLooksPastTheOldestHundredTakenEntries() throws Exception {
        BuildQueue healthy = new BuildQueue(redis.client(), "healthy");
        for (int i = 0; i < 101; i++) {
            BuildId id = queued();
            BuildQueue.Taken taken = healthy.take(Duration.ofSeconds(1)).orElseThrow();
            assertThat(records.start(id, "healthy", taken.entry().toString(), Duration.ofSeconds(60))).isTrue();
        }
        BuildId last = queued();
        takenByTheDeadNode(last); // taken, never started, behind 101 leased ones

        leases = new Leases(records, liveNode, "live", LEASE, new ConcurrentHashMap<>());

        awaitTrue(() -> liveNode.waiting() == 1);
        assertThat(liveNode.take(Duration.ofSeconds(1))).map(BuildQueue.Taken::build).contains(last);
    }

    @Test
    void aConsumerIdleForLongHoldingNothingLeavesTheGroup() throws Exception {
        queued();
        BuildQueue gone = new BuildQueue(redis.client(), "gone-node"); // a node that ran one build, then went
        gone.done(gone.take(Duration.ofSeconds(1)).orElseThrow().entry());
        assertThat(liveNode.consumers()).extracting(org.redisson.api.StreamConsumer::getName).contains("gone-node");
        BuildId id = queued();
        BuildQueue.Taken taken = takenByTheDeadNode(id);
        assertThat(records.start(id, "dead", taken.entry().toString(), Duration.ofSeconds(60))).isTrue();

        leases = new Leases(records, liveNode, "live", Duration.ofMillis(600), new ConcurrentHashMap<>());

        awaitTrue(() -> liveNode.consumers().stream().noneMatch(c -> c.getName().equals("gone-node")));
        assertThat(liveNode.consumers()).extracting(org.redisson.api.StreamConsumer::getName).as("holds a build")
                .contains("dead");
    }

    @Test
    void aBuildThatEndedIsNoLongerCountedAsOwnedByItsSocket() {
        BuildId ended = queued();
        BuildId waiting = queued();
        BuildId gone = BuildId.next(); // its record pruned or Redis emptied
        records.endIf(ended, java.util.EnumSet.of(BuildStatus.QUEUED), BuildStatus.CANCELLED, "cancelled");
        Map<BuildId, String> owners = new ConcurrentHashMap<>(Map.of(ended, "socket-1", waiting, "socket-1",
                gone, "socket-2"));

        ClusterBuilds.forgetEnded(owners, records);

        assertThat(owners).containsOnlyKeys(waiting);
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
