package dev.cloudscope.server.app.build;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
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
import java.util.concurrent.locks.ReentrantLock;
import org.redisson.api.RScript;
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
 * works against any node. The record ({@link BuildRecords}) holds the last seq and the status.
 *
 * <p>Writing: the node running the build buffers entries and appends them in one script call per batch (after 10 ms,
 * at once for stage and status entries), which also publishes a nudge on {@link BuildKeys#APPENDED}. A batch is
 * appended only while the record says QUEUED or WORKING, and an entry only at the next seq: a batch retried after a
 * lost answer adds nothing twice, and a node that was taken for dead (its build ended by another node) adds nothing
 * after that end. While Redis is away, the batch is kept (at most {@code build.maxLogBytes} of lines) and tried
 * again.
 *
 * <p>Following: {@link #awaitAfter} registers a local waiter, completed by the nudge for its build; every waiter is
 * also checked against the record once a second, so a nudge lost (Redis restarting) delays a follower, never loses
 * an entry.
 */
public final class RedisLogStore implements LogStore {

    private static final Logger log = LoggerFactory.getLogger(RedisLogStore.class);

    static final Duration FLUSH_DELAY = Duration.ofMillis(10);
    private static final Duration RETRY = Duration.ofMillis(500);
    /** How long {@code finish} keeps trying to write the status through a Redis outage. */
    private static final Duration FINISH_PATIENCE = Duration.ofSeconds(60);
    private static final int FLUSH_ENTRIES = 500;
    private static final int READ_CHUNK = 256;

    /**
     * KEYS: record, log. ARGV: build id, channel, final?, status, stage, exitCode, message, siteUrl, endedAt, then
     * (seq, entry) pairs. Returns the log's last seq, -1 if the build has ended (nothing appended), -2 if its record
     * is gone.
     */
    static final String APPEND = """
            local st = redis.call('HGET', KEYS[1], 'status')
            if not st then return -2 end
            if st ~= 'QUEUED' and st ~= 'WORKING' then return -1 end
            local cur = tonumber(redis.call('HGET', KEYS[1], 'seq') or '0')
            local last = cur
            for i = 10, #ARGV, 2 do
              local seq = tonumber(ARGV[i])
              if seq == last + 1 then
                redis.call('XADD', KEYS[2], seq .. '-0', 'e', ARGV[i + 1])
                last = seq
              elseif seq > last + 1 then
                return redis.error_reply('log gap: ' .. last .. ' then ' .. seq)
              end
            end
            redis.call('HSET', KEYS[1], 'seq', last)
            if ARGV[3] == '1' then
              redis.call('HSET', KEYS[1], 'status', ARGV[4], 'endedAt', ARGV[9])
              local fields = {'exitCode', 'message', 'siteUrl'}
              for j = 1, 3 do
                if ARGV[5 + j] ~= '' then redis.call('HSET', KEYS[1], fields[j], ARGV[5 + j]) end
              end
            end
            if last > cur then redis.call('PUBLISH', ARGV[2], ARGV[1] .. ' ' .. last) end
            return last
            """;

    private final RedissonClient redis;
    private final long maxLogBytes;
    private final Executor notifier;
    private final BuildRecords records;
    private final ScheduledExecutorService flusher;
    private final ConcurrentHashMap<BuildId, List<Waiter>> waiters = new ConcurrentHashMap<>();
    private final int appendedListener;

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
        return new RedisBuildLog(id, BuildRecords.seq(record));
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

    /** Once a second: every waiter against its record, for a nudge that never came. */
    private void checkWaiters() {
        waiters.forEach((id, list) -> {
            try {
                notifier.execute(() -> check(id, List.copyOf(list)));
            } catch (RuntimeException e) {
                // the worker pool is shutting down with the server
            }
        });
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

    /** The writing end of one build's log on the node that runs it. */
    private final class RedisBuildLog implements BuildLog {
        private final BuildId id;
        private final LogFormat.Tail encoded = new LogFormat.Tail();
        private final JsonGenerator generator;
        /** One batch at a time, in order; not the entries' lock, so that output goes on while a batch is sent. */
        private final ReentrantLock sending = new ReentrantLock();

        // guarded by this
        private final List<String[]> pending = new ArrayList<>(); // {seq, json}
        private long seq;
        private final LogBudget budget = new LogBudget(maxLogBytes);
        private boolean finished;
        private boolean flushScheduled;
        private boolean fenced; // the build ended elsewhere or its record is gone: nothing more is written
        private String[] finalFields; // status, stage, exitCode, message, siteUrl, endedAt, once finished

        RedisBuildLog(BuildId id, long lastSeq) {
            this.id = id;
            this.seq = lastSeq;
            try {
                this.generator = LogFormat.generator(encoded);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        @Override
        public BuildId id() {
            return id;
        }

        @Override
        public long line(LogEntry.Stream stream, String line) throws IOException {
            long size = LogFormat.outputBytes(line);
            synchronized (this) {
                if (finished) {
                    return 0;
                }
                LogBudget.Verdict verdict = budget.take(size);
                if (verdict == LogBudget.Verdict.DROP) {
                    return 0;
                }
                if (verdict == LogBudget.Verdict.CAP) {
                    append(new LogEntry.Line(seq + 1, LogEntry.Stream.ERR, budget.capLine()));
                    scheduleFlush();
                    return 0;
                }
                long appended = append(new LogEntry.Line(seq + 1, stream, line));
                if (pending.size() >= FLUSH_ENTRIES && !flushScheduled) {
                    flushScheduled = true; // one flush at a time queued: Redis away must not pile up a task per line
                    flusher.execute(this::flushQuietly);
                } else {
                    scheduleFlush();
                }
                return appended;
            }
        }

        @Override
        public long stageStart(String stage) throws IOException {
            long appended;
            synchronized (this) {
                if (finished) {
                    return 0;
                }
                appended = append(new LogEntry.Stage(seq + 1, FileLogStore.capped(stage), LogEntry.StageState.START,
                        null, null));
            }
            flushQuietly();
            return appended;
        }

        @Override
        public long stageEnd(String stage, int exitCode, long durationMs) throws IOException {
            long appended;
            synchronized (this) {
                if (finished) {
                    return 0;
                }
                appended = append(new LogEntry.Stage(seq + 1, FileLogStore.capped(stage), LogEntry.StageState.END,
                        exitCode, durationMs));
            }
            flushQuietly();
            return appended;
        }

        @Override
        public long finish(String status, String stage, Integer exitCode, String message, String siteUrl)
                throws IOException {
            long appended;
            synchronized (this) {
                if (finished) {
                    return 0;
                }
                appended = append(new LogEntry.Status(seq + 1, status, FileLogStore.capped(stage), exitCode,
                        FileLogStore.capped(message), FileLogStore.capped(siteUrl)));
                finished = true;
                finalFields = new String[] {status, stage == null ? "" : stage,
                        exitCode == null ? "" : exitCode.toString(), message == null ? "" : FileLogStore.capped(message),
                        siteUrl == null ? "" : siteUrl, Instant.now().toString()};
            }
            // the status must reach Redis: through a restart of it, tried until FINISH_PATIENCE has passed
            long deadline = System.nanoTime() + FINISH_PATIENCE.toNanos();
            while (true) {
                try {
                    flush();
                    return appended;
                } catch (RuntimeException e) {
                    if (System.nanoTime() > deadline) {
                        throw new IOException("cannot write the status of build " + id + " to Redis: " + e, e);
                    }
                    log.warn("build {}: cannot write its status to Redis yet ({}); trying again", id, e.toString());
                    try {
                        Thread.sleep(RETRY.toMillis());
                    } catch (InterruptedException interrupted) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted while writing the status of build " + id, interrupted);
                    }
                }
            }
        }

        @Override
        public synchronized boolean finished() {
            return finished;
        }

        @Override
        public synchronized long lastSeq() {
            return seq;
        }

        private long append(LogEntry entry) throws IOException {
            encoded.clear();
            LogFormat.write(generator, entry);
            pending.add(new String[] {Long.toString(entry.seq()),
                    new String(encoded.bytes, 0, encoded.size - 1, StandardCharsets.UTF_8)});
            seq = entry.seq();
            return seq;
        }

        private void scheduleFlush() {
            if (!flushScheduled) {
                flushScheduled = true;
                flusher.schedule(this::flushQuietly, FLUSH_DELAY.toNanos(), TimeUnit.NANOSECONDS);
            }
        }

        /** A flush from the timer or a stage: a failure is tried again later, the entries kept. */
        private void flushQuietly() {
            try {
                flush();
            } catch (RuntimeException e) {
                log.warn("build {}: cannot append to its log in Redis now ({}); trying again", id, e.toString());
                synchronized (this) {
                    if (!flushScheduled) {
                        flushScheduled = true;
                        flusher.schedule(this::flushQuietly, RETRY.toMillis(), TimeUnit.MILLISECONDS);
                    }
                }
            }
        }

        /** Sends what is pending (in batches) until nothing is; throws what Redis threw, the entries kept. */
        private void flush() {
            sending.lock();
            try {
                while (true) {
                    List<String[]> batch;
                    String[] ending;
                    synchronized (this) {
                        flushScheduled = false;
                        if (pending.isEmpty() || fenced) {
                            pending.clear();
                            return;
                        }
                        batch = List.copyOf(pending.subList(0, Math.min(pending.size(), FLUSH_ENTRIES)));
                        boolean last = batch.size() == pending.size() && finalFields != null;
                        ending = last ? finalFields : null;
                    }
                    long result = send(batch, ending);
                    synchronized (this) {
                        pending.subList(0, batch.size()).clear();
                        if (result < 0) {
                            fenced = true;
                            pending.clear();
                            log.warn("build {}: {}; its later output is dropped", id, result == -1
                                    ? "ended meanwhile by another node (this one was taken for dead)"
                                    : "its record is gone from Redis (emptied?)");
                            return;
                        }
                    }
                }
            } finally {
                sending.unlock();
            }
        }

        private long send(List<String[]> batch, String[] ending) {
            List<Object> args = new ArrayList<>(9 + batch.size() * 2);
            args.add(id.value());
            args.add(BuildKeys.APPENDED);
            if (ending == null) {
                args.addAll(List.of("0", "", "", "", "", "", ""));
            } else {
                args.add("1");
                args.addAll(List.of(ending));
            }
            for (String[] entry : batch) {
                args.add(entry[0]);
                args.add(entry[1]);
            }
            Long result = redis.getScript(StringCodec.INSTANCE).eval(RScript.Mode.READ_WRITE, APPEND,
                    RScript.ReturnType.INTEGER, List.of(BuildKeys.record(id), BuildKeys.log(id)), args.toArray());
            return result == null ? 0 : result;
        }
    }
}
