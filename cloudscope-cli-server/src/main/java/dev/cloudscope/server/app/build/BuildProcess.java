package dev.cloudscope.server.app.build;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One command of a build, run to its end: started from a {@link Sandbox#wrap wrapped} {@link ProcessBuilder} (an
 * argv, never a shell), its stdout and stderr read at once, line by line, each line handed to a {@link LineSink}.
 * It ends by itself ({@link Ending#EXITED}, with its exit code), by its timeout ({@link Ending#TIMED_OUT}) or by
 * {@link #cancel()} ({@link Ending#CANCELLED}); the last two kill the whole process tree.
 *
 * <p>{@link #run()} blocks the calling thread, the build's worker, which also keeps the timeout: no thread of its
 * own but the two readers, and those end before {@code run()} returns, as do all the lines: the sink has had the
 * last one when the outcome is known.
 */
public final class BuildProcess {

    private static final Logger log = LoggerFactory.getLogger(BuildProcess.class);

    /** Longer lines are split into pieces of at most this many bytes of UTF-8, cut between characters. */
    public static final int MAX_LINE_BYTES = 8192;
    /** After the process has exited or been killed: how long the rest of its tree and its output may take. */
    static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(5);

    /** Which output a line came from. */
    public enum Stream {
        OUT("out"), ERR("err");

        private final String tag;

        Stream(String tag) {
            this.tag = tag;
        }

        /** {@code out} or {@code err}, as the {@code log} event says it. */
        public String tag() {
            return tag;
        }
    }

    /**
     * Takes the lines, one call at a time (from the reader threads, under one lock), in the order read: each stream's
     * lines in their exact order, the two streams interleaved as they were read. A slow sink slows the command (its
     * pipe fills), never loses a line. A sink that throws ends the command: its tree is killed and {@link #run()}
     * throws what the sink threw.
     */
    @FunctionalInterface
    public interface LineSink {
        void line(Stream stream, String line);
    }

    public enum Ending { EXITED, TIMED_OUT, CANCELLED }

    /** How the command ended; {@code exitCode} is its own, or what killing it left (137), or -1 if it never ran. */
    public record Outcome(Ending ending, int exitCode, Duration took) {
        public boolean succeeded() {
            return ending == Ending.EXITED && exitCode == 0;
        }
    }

    private final ProcessBuilder command;
    private final Duration timeout;
    private final LineSink sink;
    private final int maxLineBytes;

    private final AtomicBoolean started = new AtomicBoolean();
    /** Set once, by whichever comes first: the exit, the timeout, cancel(). */
    private final AtomicReference<Ending> ending = new AtomicReference<>();
    private volatile Process process;
    /** Every process killed so far, by whichever thread: run() waits until they are gone. */
    private final Queue<ProcessHandle> killed = new ConcurrentLinkedQueue<>();
    private final Object sinkLock = new Object();
    /** Guarded by sinkLock: no line is handed on once run() has returned or the sink has failed. */
    private boolean sinkClosed;
    private RuntimeException sinkFailure;

    public BuildProcess(ProcessBuilder command, Duration timeout, LineSink sink) {
        this(command, timeout, sink, MAX_LINE_BYTES);
    }

    public BuildProcess(ProcessBuilder command, Duration timeout, LineSink sink, int maxLineBytes) {
        this.command = Objects.requireNonNull(command, "command");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.sink = Objects.requireNonNull(sink, "sink");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the timeout must be positive, not " + timeout);
        }
        if (maxLineBytes < 4) {
            throw new IllegalArgumentException("a line must hold at least one character: " + maxLineBytes);
        }
        this.maxLineBytes = maxLineBytes;
    }

    /**
     * Starts the command and waits for its end, all its output read. Once only.
     *
     * @throws IOException the command could not be started (nothing runs then)
     * @throws InterruptedException this thread was interrupted: the tree has been killed, as by cancel()
     * @throws RuntimeException what the sink threw; the tree has been killed
     */
    public Outcome run() throws IOException, InterruptedException {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("a BuildProcess runs once");
        }
        if (ending.get() == Ending.CANCELLED) {
            return new Outcome(Ending.CANCELLED, -1, Duration.ZERO);
        }
        long start = System.nanoTime();
        Process child = command.redirectErrorStream(false).start();
        process = child;
        if (ending.get() == Ending.CANCELLED) {
            killTree(child); // cancel() came while it started and found no process to kill
        }
        Thread out = reader(child, child.getInputStream(), Stream.OUT);
        Thread err = reader(child, child.getErrorStream(), Stream.ERR);
        try {
            if (!child.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)
                    && ending.compareAndSet(null, Ending.TIMED_OUT)) {
                log.info("pid {} timed out after {}: killing its process tree", child.pid(), timeout);
                killTree(child);
            }
            long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
            if (!child.waitFor(DRAIN_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS)) {
                // killed and still there (uninterruptible in the kernel): nothing more to do from here
                log.warn("pid {} is still there {} after SIGKILL", child.pid(), DRAIN_TIMEOUT);
            }
            ending.compareAndSet(null, Ending.EXITED);
            awaitGone(deadline);
            join(out, deadline);
            join(err, deadline);
        } catch (InterruptedException e) {
            ending.compareAndSet(null, Ending.CANCELLED);
            killTree(child);
            drainInterrupted(out, err);
            throw e;
        } finally {
            synchronized (sinkLock) {
                sinkClosed = true;
            }
        }
        synchronized (sinkLock) {
            if (sinkFailure != null) {
                throw sinkFailure;
            }
        }
        int exitCode = child.isAlive() ? -1 : child.exitValue();
        return new Outcome(ending.get(), exitCode, Duration.ofNanos(System.nanoTime() - start));
    }

    /** Ends the command, from any thread, at any time: its tree is killed and run() reports CANCELLED. */
    public void cancel() {
        if (ending.compareAndSet(null, Ending.CANCELLED)) {
            Process running = process;
            if (running != null) {
                log.info("pid {} cancelled: killing its process tree", running.pid());
                killTree(running);
            }
        }
    }

    /** SIGKILL to the process and to every descendant it has now (after its death they are orphans, not found). */
    private void killTree(Process root) {
        List<ProcessHandle> tree = root.descendants().toList();
        root.destroyForcibly();
        // in bwrap the pid namespace does this too: its init dies with bwrap, the kernel kills the rest
        tree.forEach(ProcessHandle::destroyForcibly);
        killed.add(root.toHandle());
        killed.addAll(tree);
    }

    /** Interrupted: still waits (bounded) for the killed tree and the readers, then interrupts this thread again. */
    private void drainInterrupted(Thread out, Thread err) {
        long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
        while (true) {
            try {
                awaitGone(deadline);
                join(out, deadline);
                join(err, deadline);
                break;
            } catch (InterruptedException again) {
                if (System.nanoTime() >= deadline) {
                    break;
                }
            }
        }
        Thread.currentThread().interrupt();
    }

    /** Polls (a killed process that is not our child cannot be waited for) until the tree is gone or the deadline. */
    private void awaitGone(long deadline) throws InterruptedException {
        List<ProcessHandle> left = new ArrayList<>(killed);
        while (true) {
            left.removeIf(handle -> !running(handle));
            if (left.isEmpty()) {
                return;
            }
            if (System.nanoTime() >= deadline) {
                log.warn("pids {} are still there {} after SIGKILL", left.stream().map(ProcessHandle::pid).toList(),
                        DRAIN_TIMEOUT);
                return;
            }
            Thread.sleep(10);
        }
    }

    /**
     * Alive and not a zombie: a killed process whose parent died too is a zombie until init reaps it, which may be
     * never in a container whose pid 1 does not reap; it runs nothing either way.
     */
    static boolean running(ProcessHandle process) {
        if (!process.isAlive()) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
            int name = stat.lastIndexOf(')'); // the state follows the command name, which may hold anything
            return name < 0 || name + 2 >= stat.length() || stat.charAt(name + 2) != 'Z';
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            return process.isAlive(); // no /proc: believe isAlive
        }
    }

    private void join(Thread reader, long deadline) throws InterruptedException {
        reader.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        if (reader.isAlive()) {
            // only without a sandbox: a process that left the tree (setsid, double fork) holds the pipe open
            log.warn("{}: the output is still open {} after the command ended; a process it detached holds it;"
                    + " its further lines are dropped", reader.getName(), DRAIN_TIMEOUT);
        }
    }

    private Thread reader(Process process, InputStream in, Stream stream) {
        Thread thread = new Thread(() -> pump(process, in, stream), "build-process-" + process.pid() + "-" + stream.tag());
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /** Reads whole lines ({@code \n}, or {@code \r\n}), splitting those longer than maxLineBytes. */
    private void pump(Process process, InputStream in, Stream stream) {
        byte[] chunk = new byte[8192];
        byte[] line = new byte[maxLineBytes];
        int length = 0;
        try (in) {
            for (int n; (n = in.read(chunk)) >= 0; ) {
                int from = 0;
                for (int i = 0; i < n; i++) {
                    if (chunk[i] == '\n') {
                        length = append(line, length, chunk, from, i - from, process, stream);
                        int end = length > 0 && line[length - 1] == '\r' ? length - 1 : length;
                        hand(process, stream, new String(line, 0, end, StandardCharsets.UTF_8));
                        length = 0;
                        from = i + 1;
                    }
                }
                length = append(line, length, chunk, from, n - from, process, stream);
            }
        } catch (IOException e) {
            // the stream is closed under us only when the process is gone; what was read has been handed on
            log.debug("{} of pid {}: {}", stream.tag(), process.pid(), e.toString());
        }
        if (length > 0) {
            hand(process, stream, new String(line, 0, length, StandardCharsets.UTF_8)); // the last line, no \n
        }
    }

    /**
     * Appends to the line, handing on a full piece when more is to come (not when the line ends right there: a line
     * of exactly maxLineBytes is one line); returns the line's new length.
     */
    private int append(byte[] line, int length, byte[] bytes, int from, int count, Process process, Stream stream) {
        while (count > 0) {
            if (length == line.length) {
                int cut = characterBoundary(line, length);
                hand(process, stream, new String(line, 0, cut, StandardCharsets.UTF_8));
                System.arraycopy(line, cut, line, 0, length - cut);
                length -= cut;
            }
            int taken = Math.min(count, line.length - length);
            System.arraycopy(bytes, from, line, length, taken);
            length += taken;
            from += taken;
            count -= taken;
        }
        return length;
    }

    /** Where to cut {@code bytes[0, length)} so that no UTF-8 character is split: before an incomplete last one. */
    static int characterBoundary(byte[] bytes, int length) {
        int start = length - 1;
        while (start > 0 && start > length - 4 && (bytes[start] & 0xC0) == 0x80) {
            start--;
        }
        int lead = bytes[start] & 0xFF;
        int size = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
        return start > 0 && start + size > length ? start : length;
    }

    private void hand(Process process, Stream stream, String text) {
        synchronized (sinkLock) {
            if (sinkClosed || sinkFailure != null) {
                return;
            }
            try {
                sink.line(stream, text);
            } catch (RuntimeException e) {
                sinkFailure = e;
                log.warn("the line sink failed; killing pid {}'s process tree: {}", process.pid(), e.toString());
                killTree(process);
            }
        }
    }
}
