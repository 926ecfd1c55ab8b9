package dev.cloudscope.server.app.build;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.redisson.api.RStream;
import org.redisson.api.RTopic;
import org.redisson.api.RedissonClient;
import org.redisson.api.StreamMessageId;
import org.redisson.client.codec.StringCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link LogStore} of a cluster: each build's log is a Redis stream whose entry ids are {@code SEQ-0}, so every
 * node reads the same entries under the same sequence numbers as one node would, and {@code follow {id, after}}
 * works against any node. The record ({@link BuildRecords}) holds the last seq and the status. The node running a
 * build writes its log through {@link RedisBuildLog}, which publishes a nudge on {@link BuildKeys#APPENDED} with
 * each batch.
 *
 * <p>Following: {@link #awaitAfter} registers a local waiter, completed by the nudge for its build; every waiter is
 * also checked against the record once a second, so a nudge lost (Redis restarting) delays a follower, never loses
 * an entry.
 */
public final class RedisLogStore implements LogStore {

    private static final Logger log = LoggerFactory.getLogger(RedisLogStore.class);

    private static final int READ_CHUNK = 256;

    private final RedissonClient redis;
    private final long maxLogBytes;
    private final Executor notifier;
    private final BuildRecords records;
    private final ScheduledExecutorService flusher;
    private final ConcurrentHashMap<BuildId, List<Waiter>> waiters = new ConcurrentHashMap<>();
    private final int appendedListener;
    /** The builds whose once-a-second check is queued or running. */
    private final java.util.Set<BuildId> checking = ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.atomic.AtomicLong checkRounds = new java.util.concurrent.atomic.AtomicLong();

    private record Waiter(long after, CompletableFuture<Void> done) {
    }

    public RedisLogStore(RedissonClient redis, BuildRecords records, long maxLogBytes, Executor notifier) {
        this.redis = redis;
        this.records = records;
        this.maxLogBytes = maxLogBytes;
        this.notifier = notifier;
        this.flusher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "build-log-redis");
            thread.setDaemon(true);
            return thread;
        });
        RTopic appended = redis.getTopic(BuildKeys.APPENDED, StringCodec.INSTANCE);
        this.appendedListener = appended.addListener(String.class, (channel, message) -> nudged(message));
        flusher.scheduleWithFixedDelay(this::checkWaiters, 1, 1, TimeUnit.SECONDS);
    }

    /**
     * The writing end of the log of a build this node has started ({@link BuildRecords#start}): it appends after the
     * record's last seq. Retention is the records' ({@link BuildRecords#prune}), at each new build.
     *
     * @throws UnknownBuildException no record for this build
     */
    @Override
    public BuildLog create(BuildId id) throws IOException {
        Map<String, String> record = records.get(id).orElseThrow(() -> new UnknownBuildException(id));
        return new RedisBuildLog(redis, id, BuildRecords.seq(record), maxLogBytes, flusher);
    }

    @Override
    public LogPage read(BuildId id, long afterSeq, int maxEntries) throws IOException {
        long after = Math.max(0, afterSeq);
        int max = Math.max(1, Math.min(maxEntries, FileLogStore.MAX_PAGE_ENTRIES));
        Optional<Map<String, String>> record = records.get(id);
        if (record.isEmpty()) {
            throw new UnknownBuildException(id);
        }
        RStream<String, String> stream = redis.getStream(BuildKeys.log(id), StringCodec.INSTANCE);
        List<LogEntry> entries = new ArrayList<>();
        long bytes = 0;
        long next = after + 1;
        boolean finished = false;
        while (entries.size() < max && bytes < FileLogStore.PAGE_BYTES && !finished) {
            int count = Math.min(READ_CHUNK, max - entries.size());
            Map<StreamMessageId, Map<String, String>> chunk = stream.range(count, new StreamMessageId(next, 0),
                    StreamMessageId.MAX);
            for (Map<String, String> fields : chunk.values()) {
                byte[] json = fields.getOrDefault("e", "").getBytes(StandardCharsets.UTF_8);
                LogEntry entry = LogFormat.read(json, 0, json.length);
                entries.add(entry);
                bytes += json.length + 1;
                next = entry.seq() + 1;
                finished = entry instanceof LogEntry.Status;
            }
            if (chunk.size() < count) {
                break;
            }
        }
        if (entries.isEmpty()) {
            // nothing after `after`: finished if the record has ended and its last entry is not beyond it
            BuildStatus status = BuildRecords.status(record.get());
            finished = status.finished() && BuildRecords.seq(record.get()) <= after;
        }
        long last = entries.isEmpty() ? after : entries.get(entries.size() - 1).seq();
        return new LogPage(entries, last, finished);
    }

    @Override
    public CompletionStage<Void> awaitAfter(BuildId id, long seq) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Waiter waiter = new Waiter(seq, done);
        waiters.computeIfAbsent(id, key -> new CopyOnWriteArrayList<>()).add(waiter);
        // however it completes (an entry, the follower's own timeout), it is forgotten: none pile up on a quiet build
        done.whenComplete((ignored, failure) -> forget(id, waiter));
        // registered first, checked next: an append between the two is seen by one or the other
        notifier.execute(() -> check(id, List.of(waiter)));
        return done;
    }

    private void nudged(String message) {
        int space = message.indexOf(' ');
        if (space < 0 || !BuildId.valid(message.substring(0, space))) {
            return;
        }
        BuildId id = new BuildId(message.substring(0, space));
        long seq;
        try {
            seq = Long.parseLong(message.substring(space + 1));
        } catch (NumberFormatException e) {
            return;
        }
        List<Waiter> list = waiters.get(id);
        if (list == null) {
            return;
        }
        for (Waiter waiter : list) {
            if (seq > waiter.after()) {
                notifier.execute(() -> waiter.done().complete(null));
            }
        }
    }

    /**
     * Once a second: every waiter against its record, for a nudge that never came. At most one such check per build
     * is in flight: while Redis is away a check blocks (Redisson's retries), and a new one a second would pile up on
     * the shared worker pool without bound.
     */
    private void checkWaiters() {
        checkRounds.incrementAndGet();
        waiters.forEach((id, list) -> {
            if (!checking.add(id)) {
                return; // the last one has not returned yet
            }
            try {
                notifier.execute(() -> {
                    try {
                        check(id, List.copyOf(list));
                    } finally {
                        checking.remove(id);
                    }
                });
            } catch (RuntimeException e) {
                checking.remove(id); // the worker pool is shutting down with the server
            }
        });
    }

    /** For tests: how many rounds of {@link #checkWaiters} have begun. */
    long checkRounds() {
        return checkRounds.get();
    }

    private void check(BuildId id, List<Waiter> list) {
        if (list.isEmpty()) {
            return;
        }
        try {
            Optional<Map<String, String>> record = records.get(id);
            if (record.isEmpty()) {
                list.forEach(waiter -> waiter.done().completeExceptionally(new UnknownBuildException(id)));
                return;
            }
            long seq = BuildRecords.seq(record.get());
            boolean ended = BuildRecords.status(record.get()).finished();
            for (Waiter waiter : list) {
                if (seq > waiter.after() || ended) {
                    waiter.done().complete(null);
                }
            }
        } catch (RuntimeException e) {
            log.debug("build {}: cannot check its log now ({}); tried again in a second", id, e.toString());
        }
    }

    private void forget(BuildId id, Waiter waiter) {
        waiters.computeIfPresent(id, (key, list) -> {
            list.remove(waiter);
            return list.isEmpty() ? null : list;
        });
    }

    /** For tests: the followers of a build waiting on this node. */
    int waiting(BuildId id) {
        List<Waiter> list = waiters.get(id);
        return list == null ? 0 : list.size();
    }

    @Override
    public boolean exists(BuildId id) {
        return records.exists(id);
    }

    @Override
    public Optional<LogEntry.Status> status(BuildId id) throws IOException {
        Map<String, String> record = records.get(id).orElseThrow(() -> new UnknownBuildException(id));
        BuildStatus status = BuildRecords.status(record);
        if (!status.finished()) {
            return Optional.empty();
        }
        return Optional.of(new LogEntry.Status(BuildRecords.seq(record), status.name(), record.get("stage"),
                record.containsKey("exitCode") ? Integer.valueOf(record.get("exitCode")) : null, record.get("message"),
                record.get("siteUrl")));
    }

    @Override
    public List<BuildId> list() {
        return records.list();
    }

    @Override
    public void close() {
        flusher.shutdown();
        try {
            flusher.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        redis.getTopic(BuildKeys.APPENDED, StringCodec.INSTANCE).removeListener(appendedListener);
    }
}
