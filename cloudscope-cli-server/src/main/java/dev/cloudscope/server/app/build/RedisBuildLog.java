package dev.cloudscope.server.app.build;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writing end of one build's log in Redis ({@link RedisLogStore}), on the node that runs the build. Entries are
 * numbered here, buffered and appended by the {@link #APPEND} script, one call per batch: after
 * {@value #FLUSH_DELAY_MS} ms, at once for stage and status entries, at most {@value #FLUSH_ENTRIES} entries a call.
 * The script appends an entry only at the next seq and only while the record says QUEUED or WORKING: a batch sent
 * again after a lost answer adds nothing twice, and a node taken for dead (its build ended by another node) adds
 * nothing after that end. While Redis is away, the batch is kept (lines: at most {@code build.maxLogBytes}) and
 * tried again.
 */
final class RedisBuildLog implements BuildLog {

    private static final Logger log = LoggerFactory.getLogger(RedisBuildLog.class);

    static final long FLUSH_DELAY_MS = 10;
    private static final Duration RETRY = Duration.ofMillis(500);
    /** How long {@code finish} keeps trying to write the status through a Redis outage. */
    private static final Duration FINISH_PATIENCE = Duration.ofSeconds(60);
    static final int FLUSH_ENTRIES = 500;

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
    private final ScheduledExecutorService flusher;
    private final BuildId id;
    private final LogFormat.Tail encoded = new LogFormat.Tail();
    private final JsonGenerator generator;
    /** One batch at a time, in order; not the entries' lock, so that output goes on while a batch is sent. */
    private final ReentrantLock sending = new ReentrantLock();

    // guarded by this
    private final List<String[]> pending = new ArrayList<>(); // {seq, json}
    private long seq;
    private final LogBudget budget;
    private boolean finished;
    private boolean flushScheduled;
    private boolean fenced; // the build ended elsewhere or its record is gone: nothing more is written
    private String[] finalFields; // status, stage, exitCode, message, siteUrl, endedAt, once finished

    RedisBuildLog(RedissonClient redis, BuildId id, long lastSeq, long maxLogBytes, ScheduledExecutorService flusher) {
        this.redis = redis;
        this.flusher = flusher;
        this.id = id;
        this.seq = lastSeq;
        this.budget = new LogBudget(maxLogBytes);
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
            flusher.schedule(this::flushQuietly, FLUSH_DELAY_MS, TimeUnit.MILLISECONDS);
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
