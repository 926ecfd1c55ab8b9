package dev.cloudscope.server.app.build;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded {@link LogStore}: a directory per build under {@code WORKDIR/builds/}, holding
 * <ul>
 *   <li>{@code log.jsonl}: the entries, one JSON object per line ({@link LogFormat}), append-only;</li>
 *   <li>{@code log.idx}: the byte offset of every {@value #INDEX_EVERY}th entry (seq 1, 1+N, 1+2N, ...) as 8-byte
 *   big-endian longs, so that {@code read(after)} seeks straight to at most N-1 entries before the first one
 *   wanted instead of scanning the log.</li>
 * </ul>
 * The same directory is the build's own work dir for the rest of the cloud build ({@link #buildDir}), so that
 * retention ({@code build.keep}) removes both at once.
 *
 * <p>Writing: entries are encoded into the build's tail in memory and written to the file when the tail reaches
 * 64 KiB, after {@code flushDelay} (10 ms by default) otherwise, and at once for stage and status entries: a
 * process printing many short lines costs one write per batch, and a follower sees a line within the delay.
 * Followers are told on the notifier executor, never on the writer's thread. The status entry forces both files
 * to disk and closes them.
 *
 * <p>Crashes: a log left without a status (the server stopped mid-build) is mended when the store opens: a torn
 * or garbled tail is cut off, the index rebuilt, and an INTERNAL_ERROR status appended, so that no follower waits
 * for a build that no longer runs.
 */
public final class FileLogStore implements LogStore {

    public static final long DEFAULT_MAX_LOG_BYTES = 4L * 1024 * 1024;
    public static final int DEFAULT_KEEP = 50;
    public static final Duration DEFAULT_FLUSH_DELAY = Duration.ofMillis(10);

    static final int INDEX_EVERY = 64;
    static final String LOG_FILE = "log.jsonl";
    static final String INDEX_FILE = "log.idx";
    /** A page of {@link #read} carries about this much (at least one entry, whatever its size). */
    static final int PAGE_BYTES = 1024 * 1024;
    static final int MAX_PAGE_ENTRIES = 10_000;
    private static final int FLUSH_BYTES = 64 * 1024;
    private static final int MAX_TEXT = 16 * 1024;
    static final String RESTARTED = "the server stopped during the build";

    private static final Logger log = LoggerFactory.getLogger(FileLogStore.class);

    private final Path buildsDir;
    private final long maxLogBytes;
    private final int keep;
    private final long flushDelayNanos;
    private final Executor notifier;
    private final ScheduledExecutorService flusher;
    private final ConcurrentHashMap<BuildId, OpenLog> open = new ConcurrentHashMap<>();

    /** {@code build.workDir}, {@code build.maxLogBytes}, {@code build.keep}, other settings at their defaults. */
    public FileLogStore(Path workDir, long maxLogBytes, int keep) throws IOException {
        this(workDir, maxLogBytes, keep, DEFAULT_FLUSH_DELAY, ForkJoinPool.commonPool());
    }

    /**
     * @param notifier where {@link #awaitAfter} completes its stages (and so where followers' callbacks run unless
     *                 they hop elsewhere): the server's worker pool
     */
    public FileLogStore(Path workDir, long maxLogBytes, int keep, Duration flushDelay, Executor notifier)
            throws IOException {
        if (maxLogBytes < 1 || keep < 1) {
            throw new IllegalArgumentException("maxLogBytes and keep must be positive");
        }
        this.buildsDir = workDir.resolve("builds");
        this.maxLogBytes = maxLogBytes;
        this.keep = keep;
        this.flushDelayNanos = flushDelay.toNanos();
        this.notifier = notifier;
        Files.createDirectories(buildsDir);
        this.flusher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "build-log-flush");
            thread.setDaemon(true);
            return thread;
        });
        for (BuildId id : list()) {
            mend(id);
        }
    }

    /**
     * The build's directory: its log, and room for its work files (anything but {@code log.*}), removed with the
     * log by retention. It exists once {@link #create} has returned: create the log first.
     */
    public Path buildDir(BuildId id) {
        return buildsDir.resolve(id.value());
    }

    @Override
    public BuildLog create(BuildId id) throws IOException {
        OpenLog created = new OpenLog(id);
        // In the map before its files exist: a follower that finds the directory also finds it open (not finished).
        if (open.putIfAbsent(id, created) != null) {
            throw new FileAlreadyExistsException(id.value());
        }
        try {
            Files.createDirectory(buildDir(id));
            created.openFiles();
        } catch (IOException | RuntimeException e) {
            open.remove(id, created);
            throw e;
        }
        prune();
        return created;
    }

    @Override
    public boolean exists(BuildId id) {
        return open.containsKey(id) || Files.isRegularFile(buildDir(id).resolve(LOG_FILE), LinkOption.NOFOLLOW_LINKS);
    }

    @Override
    public LogPage read(BuildId id, long afterSeq, int maxEntries) throws IOException {
        long after = Math.max(0, afterSeq);
        int max = Math.max(1, Math.min(maxEntries, MAX_PAGE_ENTRIES));
        OpenLog live = open.get(id);
        long limit;
        boolean finished;
        if (live != null) {
            finished = live.committedFinished; // read before the size: once finished, the size is final
            limit = live.committedBytes;
            if (after >= live.committedSeq) {
                return new LogPage(List.of(), after, finished);
            }
        } else {
            if (!exists(id)) {
                throw new UnknownBuildException(id);
            }
            finished = true; // every log not open has its status (mend made sure at start)
            limit = -1;
        }
        try {
            return scan(id, after, max, limit, finished);
        } catch (NoSuchFileException e) {
            throw new UnknownBuildException(id); // removed by retention under our feet
        }
    }

    private LogPage scan(BuildId id, long after, int max, long limitOrMinus1, boolean finished) throws IOException {
        Path dir = buildDir(id);
        try (FileChannel index = FileChannel.open(dir.resolve(INDEX_FILE), StandardOpenOption.READ);
             FileChannel logFile = FileChannel.open(dir.resolve(LOG_FILE), StandardOpenOption.READ)) {
            long limit = limitOrMinus1 < 0 ? logFile.size() : limitOrMinus1;
            long slot = after / INDEX_EVERY;
            if ((slot + 1) * 8 > index.size()) {
                return new LogPage(List.of(), after, finished);
            }
            ByteBuffer offsetBytes = ByteBuffer.allocate(8);
            readFully(index, offsetBytes, slot * 8);
            long position = offsetBytes.flip().getLong();
            long skip = after - slot * INDEX_EVERY;

            List<LogEntry> entries = new ArrayList<>(Math.min(max, 256));
            byte[] buffer = new byte[64 * 1024];
            int start = 0, end = 0; // the unread bytes in buffer
            long bytesOut = 0;
            boolean atEnd = false;
            while (entries.size() < max && bytesOut < PAGE_BYTES) {
                int newline = indexOf(buffer, start, end, (byte) '\n');
                if (newline < 0) {
                    if (position >= limit) {
                        atEnd = true;
                        break;
                    }
                    if (start > 0) { // compact, then grow only for a line longer than the buffer
                        System.arraycopy(buffer, start, buffer, 0, end - start);
                        end -= start;
                        start = 0;
                    }
                    if (end == buffer.length) {
                        buffer = Arrays.copyOf(buffer, buffer.length * 2);
                    }
                    int want = (int) Math.min(buffer.length - end, limit - position);
                    int got = logFile.read(ByteBuffer.wrap(buffer, end, want), position);
                    if (got <= 0) {
                        atEnd = true;
                        break;
                    }
                    position += got;
                    end += got;
                    continue;
                }
                if (skip > 0) {
                    skip--;
                } else {
                    entries.add(LogFormat.read(buffer, start, newline - start));
                    bytesOut += newline - start + 1;
                }
                start = newline + 1;
            }
            if (!atEnd && start == end && position >= limit) {
                atEnd = true;
            }
            long last = entries.isEmpty() ? after : entries.get(entries.size() - 1).seq();
            return new LogPage(entries, last, finished && atEnd);
        }
    }

    @Override
    public CompletionStage<Void> awaitAfter(BuildId id, long seq) {
        OpenLog live = open.get(id);
        if (live != null) {
            return live.await(seq);
        }
        return exists(id) ? CompletableFuture.completedFuture(null)
                : CompletableFuture.failedFuture(new UnknownBuildException(id));
    }

    @Override
    public Optional<LogEntry.Status> status(BuildId id) throws IOException {
        if (open.containsKey(id)) {
            return Optional.empty();
        }
        if (!exists(id)) {
            throw new UnknownBuildException(id);
        }
        LogEntry last = lastEntry(buildDir(id));
        return last instanceof LogEntry.Status status ? Optional.of(status) : Optional.empty();
    }

    /** The last entry of a closed log, from its last index point on. */
    private static LogEntry lastEntry(Path dir) throws IOException {
        long indexSize = Files.size(dir.resolve(INDEX_FILE));
        if (indexSize < 8) {
            return null;
        }
        long from;
        try (FileChannel index = FileChannel.open(dir.resolve(INDEX_FILE), StandardOpenOption.READ)) {
            ByteBuffer bytes = ByteBuffer.allocate(8);
            readFully(index, bytes, (indexSize / 8 - 1) * 8);
            from = bytes.flip().getLong();
        }
        byte[] tail;
        try (FileChannel logFile = FileChannel.open(dir.resolve(LOG_FILE), StandardOpenOption.READ)) {
            long size = logFile.size();
            if (from >= size || size - from > Integer.MAX_VALUE - 8) {
                return null;
            }
            tail = new byte[(int) (size - from)];
            readFully(logFile, ByteBuffer.wrap(tail), from);
        }
        LogEntry last = null;
        int start = 0;
        for (int i = 0; i < tail.length; i++) {
            if (tail[i] == '\n') {
                last = LogFormat.read(tail, start, i - start);
                start = i + 1;
            }
        }
        return last;
    }

    @Override
    public List<BuildId> list() throws IOException {
        List<BuildId> ids = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(buildsDir)) {
            for (Path dir : dirs) {
                String name = dir.getFileName().toString();
                if (BuildId.valid(name) && Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                    ids.add(new BuildId(name));
                }
            }
        }
        ids.sort(Comparator.reverseOrder());
        return ids;
    }

    /**
     * Removes the builds beyond the newest {@code build.keep}, their logs and work files, except those still
     * running. Called by {@link #create}; returns the ids removed.
     */
    public List<BuildId> prune() throws IOException {
        List<BuildId> ids = list();
        List<BuildId> removed = new ArrayList<>();
        for (int i = keep; i < ids.size(); i++) {
            BuildId id = ids.get(i);
            if (open.containsKey(id)) {
                continue;
            }
            try {
                deleteTree(buildDir(id));
                removed.add(id);
            } catch (IOException e) {
                log.warn("build {}: could not remove its old files: {}", id, e.toString());
            }
        }
        return removed;
    }

    @Override
    public void close() {
        flusher.shutdownNow();
        for (OpenLog live : open.values()) {
            try {
                live.flush();
                live.closeFiles();
            } catch (IOException e) {
                log.warn("build {}: log not flushed on close: {}", live.id, e.toString());
            }
        }
    }

    /** A log without a final status is from a server that stopped mid-build: cut any torn tail, close it. */
    private void mend(BuildId id) throws IOException {
        Path dir = buildDir(id);
        Path logPath = dir.resolve(LOG_FILE);
        if (Files.isRegularFile(logPath, LinkOption.NOFOLLOW_LINKS) && Files.size(logPath) > 0) {
            try {
                if (lastEntry(dir) instanceof LogEntry.Status) {
                    return;
                }
            } catch (IOException e) {
                // garbled: mended below
            }
        }
        List<Long> offsets = new ArrayList<>();
        long seq = 0;
        long good = 0;
        boolean hasStatus = false;
        if (Files.exists(logPath)) {
            byte[] bytes = Files.readAllBytes(logPath);
            int start = 0;
            for (int i = 0; i < bytes.length; i++) {
                if (bytes[i] != '\n') {
                    continue;
                }
                LogEntry entry;
                try {
                    entry = LogFormat.read(bytes, start, i - start);
                } catch (IOException e) {
                    break;
                }
                if (entry.seq() != seq + 1) {
                    break;
                }
                if (seq % INDEX_EVERY == 0) {
                    offsets.add((long) start);
                }
                seq++;
                start = i + 1;
                good = start;
                if (entry instanceof LogEntry.Status) { // finished after all, only its index was short
                    hasStatus = true;
                    break;
                }
            }
        }
        try (FileChannel logFile = FileChannel.open(logPath, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileChannel index = FileChannel.open(dir.resolve(INDEX_FILE), StandardOpenOption.CREATE,
                     StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            logFile.truncate(good);
            ByteBuffer indexBytes = ByteBuffer.allocate(offsets.size() * 8 + 8);
            offsets.forEach(indexBytes::putLong);
            LogFormat.Tail tail = new LogFormat.Tail();
            if (!hasStatus) {
                if (seq % INDEX_EVERY == 0) {
                    indexBytes.putLong(good);
                }
                try (JsonGenerator generator = LogFormat.generator(tail)) {
                    LogFormat.write(generator, new LogEntry.Status(seq + 1, "INTERNAL_ERROR", null, null, RESTARTED,
                            null));
                }
            }
            writeFully(logFile, ByteBuffer.wrap(tail.bytes, 0, tail.size), good);
            writeFully(index, indexBytes.flip(), 0);
            logFile.force(true);
            index.force(true);
        }
        if (!hasStatus) {
            log.warn("build {}: its log had no status (the server stopped during the build): closed as "
                    + "INTERNAL_ERROR", id);
        }
    }

    /** Removes a build's tree; a read-only directory a build's tools left is made writable first. */
    static void deleteTree(Path root) throws IOException {
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                // a build's tools may leave read-only directories (npm caches): make them deletable
                dir.toFile().setWritable(true, true);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file); // a symbolic link is removed, never followed
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null && !(e instanceof AccessDeniedException)) {
                    throw e;
                }
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static int indexOf(byte[] bytes, int from, int to, byte b) {
        for (int i = from; i < to; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static void readFully(FileChannel channel, ByteBuffer into, long position) throws IOException {
        while (into.hasRemaining()) {
            int got = channel.read(into, position);
            if (got < 0) {
                throw new IOException("log file shorter than its index");
            }
            position += got;
        }
    }

    private static void writeFully(FileChannel channel, ByteBuffer from, long position) throws IOException {
        while (from.hasRemaining()) {
            position += channel.write(from, position);
        }
    }

    static String capped(String text) {
        return text == null || text.length() <= MAX_TEXT ? text : text.substring(0, MAX_TEXT) + "...";
    }

    /** One running build's log: its files, its unflushed tail, what followers may read, who waits. */
    private final class OpenLog implements BuildLog {
        private final BuildId id;
        private final LogFormat.Tail tail = new LogFormat.Tail();
        // index points not yet written: a flush comes at the latest when this is full
        private final ByteBuffer pendingIndex = ByteBuffer.allocate(8 * 128);
        private FileChannel logFile;
        private FileChannel index;
        private JsonGenerator generator;

        // guarded by this
        private long seq;
        private long fileBytes;
        private long indexBytes;
        private final LogBudget budget = new LogBudget(maxLogBytes);
        private boolean finished;
        private boolean flushScheduled;
        private IOException broken;
        private List<CompletableFuture<Void>> waiters = new ArrayList<>();

        // what followers may read: written under the lock, read without it
        private volatile long committedSeq;
        private volatile long committedBytes;
        private volatile boolean committedFinished;

        OpenLog(BuildId id) {
            this.id = id;
        }

        void openFiles() throws IOException {
            Path dir = buildDir(id);
            logFile = FileChannel.open(dir.resolve(LOG_FILE), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            index = FileChannel.open(dir.resolve(INDEX_FILE), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            generator = LogFormat.generator(tail);
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
                    flush();
                    return 0;
                }
                long appended = append(new LogEntry.Line(seq + 1, stream, line));
                if (tail.size >= FLUSH_BYTES || pendingIndex.remaining() < 8) {
                    flush();
                } else if (!flushScheduled) {
                    flushScheduled = true;
                    flusher.schedule(this::scheduledFlush, flushDelayNanos, TimeUnit.NANOSECONDS);
                }
                return appended;
            }
        }

        @Override
        public synchronized long stageStart(String stage) throws IOException {
            if (finished) {
                return 0;
            }
            long appended = append(new LogEntry.Stage(seq + 1, capped(stage), LogEntry.StageState.START, null, null));
            flush();
            return appended;
        }

        @Override
        public synchronized long stageEnd(String stage, int exitCode, long durationMs) throws IOException {
            if (finished) {
                return 0;
            }
            long appended = append(new LogEntry.Stage(seq + 1, capped(stage), LogEntry.StageState.END, exitCode,
                    durationMs));
            flush();
            return appended;
        }

        @Override
        public long finish(String status, String stage, Integer exitCode, String message, String siteUrl)
                throws IOException {
            long appended;
            List<CompletableFuture<Void>> toTell;
            synchronized (this) {
                if (finished) {
                    return 0;
                }
                appended = append(new LogEntry.Status(seq + 1, status, capped(stage), exitCode, capped(message),
                        capped(siteUrl)));
                finished = true;
                try {
                    write();
                    logFile.force(true);
                    index.force(true);
                } finally {
                    closeFiles();
                    committedFinished = true;
                    toTell = takeWaiters();
                    open.remove(id, this);
                }
            }
            tell(toTell);
            return appended;
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
            if (broken != null) {
                throw broken;
            }
            if (seq % INDEX_EVERY == 0) {
                pendingIndex.putLong(fileBytes + tail.size);
            }
            LogFormat.write(generator, entry);
            seq = entry.seq();
            return seq;
        }

        synchronized CompletionStage<Void> await(long after) {
            if (committedSeq > after || committedFinished) {
                return CompletableFuture.completedFuture(null);
            }
            CompletableFuture<Void> waiter = new CompletableFuture<>();
            waiters.add(waiter);
            return waiter;
        }

        private void scheduledFlush() {
            try {
                flush();
            } catch (IOException e) {
                log.warn("build {}: log write failed: {}", id, e.toString());
            }
        }

        void flush() throws IOException {
            List<CompletableFuture<Void>> toTell;
            synchronized (this) {
                flushScheduled = false;
                if (finished || logFile == null || (tail.size == 0 && pendingIndex.position() == 0)) {
                    return;
                }
                write();
                toTell = takeWaiters();
            }
            tell(toTell);
        }

        /** Tail and index points to the files, then what followers may read moves on. Under the lock. */
        private void write() throws IOException {
            try {
                writeFully(logFile, ByteBuffer.wrap(tail.bytes, 0, tail.size), fileBytes);
                fileBytes += tail.size;
                tail.clear();
                pendingIndex.flip();
                int points = pendingIndex.remaining();
                writeFully(index, pendingIndex, indexBytes);
                indexBytes += points;
                pendingIndex.clear();
            } catch (IOException e) {
                broken = e;
                throw e;
            }
            committedBytes = fileBytes;
            committedSeq = seq;
        }

        private List<CompletableFuture<Void>> takeWaiters() {
            if (waiters.isEmpty()) {
                return List.of();
            }
            List<CompletableFuture<Void>> taken = waiters;
            waiters = new ArrayList<>();
            return taken;
        }

        private void tell(List<CompletableFuture<Void>> toTell) {
            if (toTell.isEmpty()) {
                return;
            }
            try {
                notifier.execute(() -> toTell.forEach(waiter -> waiter.complete(null)));
            } catch (RuntimeException e) { // a notifier that refuses (shut down): tell here rather than never
                toTell.forEach(waiter -> waiter.complete(null));
            }
        }

        synchronized void closeFiles() throws IOException {
            try {
                if (logFile != null) {
                    logFile.close();
                }
            } finally {
                if (index != null) {
                    index.close();
                }
            }
        }
    }

    /** For tests: the log's on-disk size. */
    long logFileSize(BuildId id) {
        try {
            return Files.size(buildDir(id).resolve(LOG_FILE));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
