package dev.cloudscope.server.app.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileLogStoreTest {

    @TempDir
    Path work;

    private FileLogStore store;
    private final ExecutorService followers = Executors.newCachedThreadPool();

    @BeforeEach
    void open() throws IOException {
        store = new FileLogStore(work, FileLogStore.DEFAULT_MAX_LOG_BYTES, FileLogStore.DEFAULT_KEEP);
    }

    @AfterEach
    void close() {
        followers.shutdownNow();
        store.close();
    }

    @Test
    void entriesAreNumberedFromOneInTheOrderWritten() throws Exception {
        BuildId id = BuildId.next();
        BuildLog log = store.create(id);
        assertThat(log.stageStart("prepare")).isEqualTo(1);
        assertThat(log.out("hello")).isEqualTo(2);
        assertThat(log.err("oops \"quoted\" \t tab ünï ✓ 🚀")).isEqualTo(3);
        assertThat(log.stageEnd("prepare", 0, 12)).isEqualTo(4);
        assertThat(log.finish("SUCCESS", null, null, null, "http://127.0.0.1:7001/sites/a/1.0.0/")).isEqualTo(5);

        LogPage page = store.read(id, 0, 100);
        assertThat(page.entries()).containsExactly(
                new LogEntry.Stage(1, "prepare", LogEntry.StageState.START, null, null),
                new LogEntry.Line(2, LogEntry.Stream.OUT, "hello"),
                new LogEntry.Line(3, LogEntry.Stream.ERR, "oops \"quoted\" \t tab ünï ✓ 🚀"),
                new LogEntry.Stage(4, "prepare", LogEntry.StageState.END, 0, 12L),
                new LogEntry.Status(5, "SUCCESS", null, null, null, "http://127.0.0.1:7001/sites/a/1.0.0/"));
        assertThat(page.finished()).isTrue();
        assertThat(page.lastSeq()).isEqualTo(5);
        assertThat(store.status(id)).contains(
                new LogEntry.Status(5, "SUCCESS", null, null, null, "http://127.0.0.1:7001/sites/a/1.0.0/"));
        assertThat(page.entries().get(1).toMap()).containsExactly(
                java.util.Map.entry("type", "log"), java.util.Map.entry("seq", 2L),
                java.util.Map.entry("stream", "out"), java.util.Map.entry("line", "hello"));
        // one JSON object per line, readable as it is
        assertThat(Files.readAllLines(store.buildDir(id).resolve("log.jsonl")).get(1))
                .isEqualTo("{\"seq\":2,\"type\":\"log\",\"stream\":\"out\",\"line\":\"hello\"}");
    }

    @Test
    void nothingIsAppendedAfterTheStatus() throws Exception {
        BuildId id = BuildId.next();
        BuildLog log = store.create(id);
        log.out("a");
        log.finish("CANCELLED", "cancelled by the client");
        assertThat(log.out("late")).isZero();
        assertThat(log.stageStart("build")).isZero();
        assertThat(log.finish("SUCCESS", null)).isZero();
        assertThat(log.finished()).isTrue();
        LogPage page = store.read(id, 0, 100);
        assertThat(page.entries()).hasSize(2);
        assertThat(page.entries().get(1)).isEqualTo(
                new LogEntry.Status(2, "CANCELLED", null, null, "cancelled by the client", null));
    }

    @Test
    void readAfterAnySequenceNumberReturnsTheNextEntriesAcrossIndexPoints() throws Exception {
        BuildId id = BuildId.next();
        BuildLog log = store.create(id);
        int lines = 1000;
        for (int i = 1; i <= lines; i++) {
            log.out("line " + i);
        }
        log.finish("SUCCESS", null);
        for (long after : new long[] {0, 1, 63, 64, 65, 127, 128, 129, 500, 997, 998}) {
            LogPage page = store.read(id, after, 3);
            assertThat(page.entries()).extracting(LogEntry::seq).containsExactly(after + 1, after + 2, after + 3);
            assertThat(((LogEntry.Line) page.entries().get(0)).line()).isEqualTo("line " + (after + 1));
            assertThat(page.finished()).as("the page ends with the status").isEqualTo(after + 3 == 1001);
        }
        assertThat(store.read(id, 999, 3).entries()).extracting(LogEntry::seq).containsExactly(1000L, 1001L);
        LogPage last = store.read(id, 1000, 3);
        assertThat(last.entries()).extracting(LogEntry::seq).containsExactly(1001L);
        assertThat(last.finished()).isTrue();
        LogPage beyond = store.read(id, 1001, 3);
        assertThat(beyond.entries()).isEmpty();
        assertThat(beyond.finished()).isTrue();
        assertThat(beyond.lastSeq()).isEqualTo(1001);
    }

    @Test
    void readWhileWritingSeesOnlyWholeEntriesAndWaitsWithoutPolling() throws Exception {
        BuildId id = BuildId.next();
        BuildLog log = store.create(id);
        assertThat(store.read(id, 0, 10).entries()).isEmpty();
        CompletableFuture<Void> more = store.awaitAfter(id, 0).toCompletableFuture();
        assertThat(more).isNotDone();
        log.out("first");
        more.get(5, TimeUnit.SECONDS); // told within the flush delay
        LogPage page = store.read(id, 0, 10);
        assertThat(page.entries()).containsExactly(new LogEntry.Line(1, LogEntry.Stream.OUT, "first"));
        assertThat(page.finished()).isFalse();
        assertThat(store.awaitAfter(id, 0).toCompletableFuture()).isDone(); // already there: at once
        CompletableFuture<Void> end = store.awaitAfter(id, 1).toCompletableFuture();
        log.finish("FAILURE", "build", 2, "exit code 2", null);
        end.get(5, TimeUnit.SECONDS);
        assertThat(store.read(id, 1, 10).finished()).isTrue();
    }

    @Test
    void unknownBuildsAreSaidSo() {
        BuildId id = BuildId.next();
        assertThat(store.exists(id)).isFalse();
        assertThatThrownBy(() -> store.read(id, 0, 10)).isInstanceOf(UnknownBuildException.class);
        assertThatThrownBy(() -> store.awaitAfter(id, 0).toCompletableFuture().get())
                .hasCauseInstanceOf(UnknownBuildException.class);
    }

    @Test
    void followersAtDifferentPacesEachGetEveryEntryOnceInOrder() throws Exception {
        BuildId id = BuildId.next();
        BuildLog log = store.create(id);
        List<Future<List<LogEntry>>> results = new ArrayList<>();
        results.add(followers.submit(() -> follow(id, 0, 1000, Duration.ZERO)));
        results.add(followers.submit(() -> follow(id, 0, 7, Duration.ofMillis(1))));
        results.add(followers.submit(() -> follow(id, 0, 1, Duration.ZERO)));
        int lines = 5000;
        for (int i = 1; i <= lines; i++) {
            if (i % 1000 == 1) {
                log.stageStart("stage" + i);
            }
            log.line(i % 3 == 0 ? LogEntry.Stream.ERR : LogEntry.Stream.OUT, "line " + i);
        }
        log.finish("SUCCESS", null);
        long total = log.lastSeq();
        for (Future<List<LogEntry>> result : results) {
            List<LogEntry> got = result.get(60, TimeUnit.SECONDS);
            assertThat(got).hasSize((int) total);
            for (int i = 0; i < got.size(); i++) {
                assertThat(got.get(i).seq()).isEqualTo(i + 1);
            }
            assertThat(got.get(got.size() - 1)).isInstanceOf(LogEntry.Status.class);
        }
        // a follower that comes back later, from where it was, misses nothing and sees nothing twice
        List<LogEntry> resumed = follow(id, 2500, 100, Duration.ZERO);
        assertThat(resumed.get(0).seq()).isEqualTo(2501);
        assertThat(resumed).hasSize((int) total - 2500);
    }

    @Test
    void theByteCapDropsLaterLinesWithOneEntrySayingSoAndKeepsStagesAndStatus() throws Exception {
        store.close();
        store = new FileLogStore(work, 1024, 50);
        BuildId id = BuildId.next();
        BuildLog log = store.create(id);
        log.stageStart("build");
        String line = "x".repeat(99); // 100 bytes with its line break
        List<Long> seqs = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            seqs.add(log.out(line));
        }
        log.stageEnd("build", 0, 5);
        log.err("still dropped");
        log.finish("SUCCESS", null);

        assertThat(seqs.subList(0, 10)).doesNotContain(0L);
        assertThat(seqs.subList(10, 50)).containsOnly(0L);
        List<LogEntry> entries = store.read(id, 0, 1000).entries();
        assertThat(entries).hasSize(1 + 10 + 1 + 1 + 1);
        assertThat(entries.get(11)).isEqualTo(new LogEntry.Line(12, LogEntry.Stream.ERR,
                "[cloudscope] log limit of 1 KiB reached: later output is dropped"));
        assertThat(entries.get(12)).isInstanceOf(LogEntry.Stage.class);
        assertThat(entries.get(13)).isInstanceOf(LogEntry.Status.class);
        assertThat(entries.stream().filter(e -> e instanceof LogEntry.Line l && l.line().contains("log limit")))
                .hasSize(1);
    }

    @Test
    void theDefaultCapIsFourMiBAndSaidSo() throws Exception {
        BuildId id = BuildId.next();
        BuildLog log = store.create(id);
        String line = "y".repeat(1023);
        long written = 0;
        while (log.out(line) != 0) {
            written++;
        }
        assertThat(written).isEqualTo(4096);
        log.finish("SUCCESS", null);
        LogPage tail = store.read(id, 4096, 10);
        assertThat(tail.entries().get(0)).isEqualTo(new LogEntry.Line(4097, LogEntry.Stream.ERR,
                "[cloudscope] log limit of 4 MiB reached: later output is dropped"));
    }

    @Test
    void aFollowerThatDoesNotReadNeverMakesTheWriterWait() throws Exception {
        store.close();
        ExecutorService notifier = Executors.newSingleThreadExecutor();
        store = new FileLogStore(work, 256L * 1024 * 1024, 50, FileLogStore.DEFAULT_FLUSH_DELAY, notifier);
        BuildId id = BuildId.next();
        BuildLog log = store.create(id);
        CountDownLatch stuck = new CountDownLatch(1);
        try {
            AtomicLong slowPosition = new AtomicLong();
            // a follower that reads one page, then is stuck (a client that stopped reading its socket)
            Future<?> slow = followers.submit(() -> {
                LogPage page = store.read(id, 0, 10);
                slowPosition.set(page.lastSeq());
                stuck.await();
                return null;
            });
            // and one whose callback blocks the notifier's only thread for as long as the test runs
            store.awaitAfter(id, 0).thenRun(() -> {
                try {
                    stuck.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            String line = "z".repeat(127);
            long start = System.nanoTime();
            for (int i = 0; i < 200_000; i++) { // 25 MiB
                log.out(line);
            }
            log.finish("SUCCESS", null);
            double seconds = (System.nanoTime() - start) / 1e9;
            assertThat(seconds).as("the writer ran at its own pace").isLessThan(30);
            assertThat(slowPosition.get()).isLessThanOrEqualTo(10);
            assertThat(store.read(id, 199_990, 100).entries()).hasSize(11);
            stuck.countDown();
            slow.get(10, TimeUnit.SECONDS);
        } finally {
            stuck.countDown();
            notifier.shutdownNow();
        }
    }

    @Test
    void retentionKeepsTheNewestBuildsAndRemovesOlderLogsAndWorkFiles() throws Exception {
        store.close();
        store = new FileLogStore(work, 4096, 3);
        List<BuildId> ids = new ArrayList<>();
        BuildLog running = null;
        for (int i = 0; i < 6; i++) {
            BuildId id = BuildId.next(Clock.fixed(Instant.parse("2026-01-01T00:00:00Z").plusSeconds(i),
                    ZoneOffset.UTC));
            ids.add(id);
            BuildLog log = store.create(id);
            Files.createDirectories(store.buildDir(id).resolve("src/node_modules/.bin"));
            Files.writeString(store.buildDir(id).resolve("src/package.json"), "{}");
            if (i == 0) {
                running = log; // still running: never removed
            } else {
                log.finish("SUCCESS", null);
            }
        }
        assertThat(store.list()).containsExactly(ids.get(5), ids.get(4), ids.get(3), ids.get(0));
        assertThat(store.buildDir(ids.get(1))).doesNotExist();
        assertThat(store.buildDir(ids.get(2))).doesNotExist();
        assertThat(store.exists(ids.get(1))).isFalse();
        running.finish("SUCCESS", null);
        assertThat(store.prune()).containsExactly(ids.get(0));
        assertThat(store.list()).containsExactly(ids.get(5), ids.get(4), ids.get(3));
    }

    @Test
    void aLogLeftWithoutStatusByAStoppedServerIsMendedOnOpen() throws Exception {
        BuildId id = BuildId.next();
        BuildLog log = store.create(id);
        for (int i = 1; i <= 100; i++) {
            log.out("line " + i);
        }
        store.close(); // no status: as a crash leaves it (flushed, not finished)
        Path logFile = store.buildDir(id).resolve("log.jsonl");
        Files.writeString(logFile, "{\"seq\":101,\"type\":\"log\",\"str", StandardCharsets.UTF_8,
                StandardOpenOption.APPEND); // torn last write

        store = new FileLogStore(work, FileLogStore.DEFAULT_MAX_LOG_BYTES, FileLogStore.DEFAULT_KEEP);
        LogPage page = store.read(id, 95, 100);
        assertThat(page.entries()).extracting(LogEntry::seq).containsExactly(96L, 97L, 98L, 99L, 100L, 101L);
        assertThat(page.entries().get(5)).isEqualTo(
                new LogEntry.Status(101, "INTERNAL_ERROR", null, null, FileLogStore.RESTARTED, null));
        assertThat(page.finished()).isTrue();
        assertThat(store.status(id)).isPresent();
        assertThat(store.awaitAfter(id, 101).toCompletableFuture()).isDone();
    }

    /**
     * Throughput of the log to one follower that reads as it is written, in MB/s of output lines: 64 MiB of
     * 100-byte lines, the follower reading pages of 1000 and waiting with awaitAfter. Printed, not asserted.
     */
    @Test
    void throughputToOneFollower() throws Exception {
        store.close();
        store = new FileLogStore(work, 1L << 30, 50);
        BuildId id = BuildId.next();
        BuildLog log = store.create(id);
        String line = "0123456789".repeat(10).substring(0, 99);
        int lines = 64 * 1024 * 1024 / 100;
        long start = System.nanoTime();
        Future<List<LogEntry>> follower = followers.submit(() -> countFollow(id));
        for (int i = 0; i < lines; i++) {
            log.out(line);
        }
        log.finish("SUCCESS", null);
        double written = (System.nanoTime() - start) / 1e9;
        follower.get(120, TimeUnit.SECONDS);
        double followed = (System.nanoTime() - start) / 1e9;
        double mb = lines * 100.0 / 1e6;
        long startReplay = System.nanoTime();
        countFollow(id);
        double replay = (System.nanoTime() - startReplay) / 1e9;
        System.out.printf("log throughput: %.1f MB of lines written in %.2f s (%.0f MB/s), live follower done at "
                        + "%.2f s (%.0f MB/s), a finished log read back in %.2f s (%.0f MB/s); %d bytes on disk%n",
                mb, written, mb / written, followed, mb / followed, replay, mb / replay, store.logFileSize(id));
        assertThat(mb / followed).as("MB/s to one follower").isGreaterThan(1);
    }

    /** The benchmark case: a 4 MiB log (the default cap) live to 50 followers at once. Printed. */
    @Test
    void throughputOfAFourMiBLogToFiftyFollowers() throws Exception {
        BuildId id = BuildId.next();
        BuildLog log = store.create(id);
        String line = "0123456789".repeat(10).substring(0, 99);
        int lines = 4 * 1024 * 1024 / 100;
        long start = System.nanoTime();
        List<Future<List<LogEntry>>> all = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            all.add(followers.submit(() -> countFollow(id)));
        }
        for (int i = 0; i < lines; i++) {
            log.out(line);
        }
        log.finish("SUCCESS", null);
        double written = (System.nanoTime() - start) / 1e9;
        for (Future<List<LogEntry>> follower : all) {
            follower.get(120, TimeUnit.SECONDS);
        }
        double followed = (System.nanoTime() - start) / 1e9;
        double mb = lines * 100.0 / 1e6;
        System.out.printf("log throughput: %.1f MB written in %.2f s while 50 followers read it; all 50 done at "
                + "%.2f s (%.0f MB/s each, %.0f MB/s in all)%n", mb, written, followed, mb / followed,
                50 * mb / followed);
    }

    /** A follower as the socket controller would run one: read a page, else wait to be told. */
    private List<LogEntry> follow(BuildId id, long after, int pageSize, Duration pause) throws Exception {
        List<LogEntry> got = new ArrayList<>();
        long position = after;
        while (true) {
            LogPage page = store.read(id, position, pageSize);
            got.addAll(page.entries());
            position = page.lastSeq();
            if (page.finished()) {
                return got;
            }
            if (page.entries().isEmpty()) {
                store.awaitAfter(id, position).toCompletableFuture().get(30, TimeUnit.SECONDS);
            } else if (!pause.isZero()) {
                Thread.sleep(pause.toMillis());
            }
        }
    }

    private List<LogEntry> countFollow(BuildId id) throws IOException, InterruptedException, ExecutionException,
            java.util.concurrent.TimeoutException {
        long position = 0;
        while (true) {
            LogPage page = store.read(id, position, 1000);
            position = page.lastSeq();
            if (page.finished()) {
                return List.of();
            }
            if (page.entries().isEmpty()) {
                store.awaitAfter(id, position).toCompletableFuture().get(30, TimeUnit.SECONDS);
            }
        }
    }
}
