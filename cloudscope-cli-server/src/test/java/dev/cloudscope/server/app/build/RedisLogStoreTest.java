package dev.cloudscope.server.app.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster's log store and records against a real redis-server: the seqs one node gives, pages after a seq, the
 * cap of {@code build.maxLogBytes}, a follower told of new entries, the end of a build decided by another node
 * (the running node's later output dropped), a queued build started once.
 */
class RedisLogStoreTest {

    @TempDir
    Path dir;

    private LocalRedis redis;
    private ExecutorService notifier;
    private BuildRecords records;
    private RedisLogStore store;

    @BeforeEach
    void start() throws Exception {
        redis = LocalRedis.start(dir);
        notifier = Executors.newFixedThreadPool(2);
        records = new BuildRecords(redis.client(), 50);
        store = new RedisLogStore(redis.client(), records, 4096, notifier);
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

    private BuildLog started(BuildId id) throws java.io.IOException {
        assertThat(records.start(id, "node-a", "1-0", Duration.ofSeconds(10))).isTrue();
        return store.create(id);
    }

    @Test
    void entriesGetTheSeqsOfOneNodeAndPagesReadOnFromAnySeq() throws Exception {
        BuildId id = queued();
        BuildLog log = started(id);

        assertThat(log.stageStart("build")).isEqualTo(1);
        for (int i = 1; i <= 10; i++) {
            assertThat(log.out("line " + i)).isEqualTo(1 + i);
        }
        log.stageEnd("build", 0, 5);
        log.finish("SUCCESS", null, 0, null, "https://sites.example/a/1.0.0/");

        LogPage all = store.read(id, 0, 100);
        assertThat(all.entries()).extracting(LogEntry::seq).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L,
                12L, 13L);
        assertThat(all.finished()).isTrue();
        assertThat(all.entries().get(1)).isEqualTo(new LogEntry.Line(2, LogEntry.Stream.OUT, "line 1"));
        LogPage after = store.read(id, 5, 3);
        assertThat(after.entries()).extracting(LogEntry::seq).containsExactly(6L, 7L, 8L);
        assertThat(after.finished()).isFalse();
        assertThat(store.read(id, 13, 10)).isEqualTo(new LogPage(List.of(), 13, true));
        assertThat(store.status(id)).hasValueSatisfying(status -> {
            assertThat(status.status()).isEqualTo("SUCCESS");
            assertThat(status.siteUrl()).isEqualTo("https://sites.example/a/1.0.0/");
        });
    }

    @Test
    void aQueuedBuildReadsEmptyAndUnfinishedAndAnUnknownOneIsUnknown() throws Exception {
        BuildId id = queued();

        assertThat(store.read(id, 0, 10)).isEqualTo(new LogPage(List.of(), 0, false));
        assertThatThrownBy(() -> store.read(BuildId.next(), 0, 10)).isInstanceOf(UnknownBuildException.class);
        assertThat(store.exists(id)).isTrue();
        assertThat(store.list()).containsExactly(id);
    }

    @Test
    void outputBeyondMaxLogBytesIsDroppedWithOneLine() throws Exception {
        BuildId id = queued();
        BuildLog log = started(id);
        String line = "x".repeat(99); // 100 bytes with its line break

        for (int i = 0; i < 100; i++) {
            log.out(line);
        }
        log.finish("SUCCESS", null);

        List<LogEntry> entries = store.read(id, 0, 1000).entries();
        assertThat(entries).hasSize(40 + 1 + 1); // 4096 bytes hold 40 lines, then the limit's line, then the status
        assertThat(entries.get(40)).isEqualTo(new LogEntry.Line(41, LogEntry.Stream.ERR,
                "[cloudscope] log limit of 4 KiB reached: later output is dropped"));
    }

    @Test
    void aFollowerWaitingAfterTheLastSeqIsToldOfTheNextEntry() throws Exception {
        BuildId id = queued();
        BuildLog log = started(id);
        log.out("first");
        waitForSeq(id, 1);

        CompletableFuture<Void> waiting = store.awaitAfter(id, 1).toCompletableFuture();
        assertThat(waiting).isNotDone();
        log.out("second");

        waiting.get(10, TimeUnit.SECONDS);
        assertThat(store.read(id, 1, 10).entries()).containsExactly(new LogEntry.Line(2, LogEntry.Stream.OUT, "second"));
    }

    @Test
    void aFollowerThatGaveUpWaitingIsForgotten() throws Exception {
        BuildId id = queued();
        started(id);

        CompletableFuture<Void> waiting = store.awaitAfter(id, 0).toCompletableFuture();
        assertThat(store.waiting(id)).isEqualTo(1);
        waiting.complete(null); // as the controller's timeout completes it

        assertThat(store.waiting(id)).isZero();
    }

    @Test
    void aBuildEndedByAnotherNodeTakesNoMoreOutputFromItsOldNode() throws Exception {
        BuildId id = queued();
        BuildLog log = started(id);
        log.stageStart("build");

        assertThat(records.endIf(id, EnumSet.of(BuildStatus.WORKING), BuildStatus.INTERNAL_ERROR, "node-a stopped"))
                .isTrue();
        log.out("from a node taken for dead");
        log.finish("SUCCESS", null);

        List<LogEntry> entries = store.read(id, 0, 10).entries();
        assertThat(entries).hasSize(2);
        assertThat(entries.get(1)).isEqualTo(new LogEntry.Status(2, "INTERNAL_ERROR", null, null, "node-a stopped", null));
        assertThat(store.status(id)).map(LogEntry.Status::status).contains("INTERNAL_ERROR");
    }

    @Test
    void aQueuedBuildStartsOnceAndACancelledOneNever() {
        BuildId id = queued();
        assertThat(records.start(id, "node-a", "1-0", Duration.ofSeconds(10))).isTrue();
        assertThat(records.start(id, "node-b", "1-0", Duration.ofSeconds(10))).as("a second node").isFalse();
        assertThat(records.leased(id)).isTrue();

        BuildId cancelled = queued();
        assertThat(records.endIf(cancelled, EnumSet.of(BuildStatus.QUEUED), BuildStatus.CANCELLED, "cancelled while queued"))
                .isTrue();
        assertThat(records.start(cancelled, "node-a", "1-0", Duration.ofSeconds(10))).isFalse();
    }

    @Test
    void aStartSentAgainByTheSameNodeForTheSameEntrySucceedsAndNoOtherDoes() {
        BuildId id = queued();
        assertThat(records.start(id, "node-a", "5-0", Duration.ofSeconds(10))).isTrue();
        // its answer lost, the same call is sent again: the build is not left WORKING with nobody running it
        assertThat(records.start(id, "node-a", "5-0", Duration.ofSeconds(10))).as("the same call again").isTrue();
        assertThat(records.start(id, "node-a", "9-0", Duration.ofSeconds(10))).as("a duplicate entry").isFalse();
        assertThat(records.start(id, "node-b", "5-0", Duration.ofSeconds(10))).as("another node").isFalse();
        records.endIf(id, EnumSet.of(BuildStatus.WORKING), BuildStatus.SUCCESS, "done");
        assertThat(records.start(id, "node-a", "5-0", Duration.ofSeconds(10))).as("once ended").isFalse();
    }

    @Test
    void aFollowerWaitingWhileChecksCannotRunQueuesOneCheckAtATime() throws Exception {
        BuildId id = queued();
        started(id);
        java.util.concurrent.LinkedBlockingQueue<Runnable> stuck = new java.util.concurrent.LinkedBlockingQueue<>();
        // a worker pool whose workers are all blocked (on a Redis that is away): what is given to it waits
        RedisLogStore blocked = new RedisLogStore(redis.client(), records, 4096, stuck::add);
        try {
            blocked.awaitAfter(id, 0);
            long from = blocked.checkRounds();
            while (blocked.checkRounds() < from + 3) {
                Thread.sleep(20);
            }
            // the waiter's own first check, and one of the once-a-second checks: not one more a second
            assertThat(stuck).hasSize(2);
            stuck.poll().run();
            stuck.poll().run(); // the check ran: the next round may queue another
            long ran = blocked.checkRounds();
            while (blocked.checkRounds() < ran + 2) {
                Thread.sleep(20);
            }
            assertThat(stuck).hasSize(1);
        } finally {
            blocked.close();
        }
    }

    private void waitForSeq(BuildId id, long seq) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (store.read(id, 0, 100).lastSeq() < seq) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("seq " + seq + " never written");
            }
            Thread.sleep(5);
        }
    }
}
