package dev.cloudscope.cli;

import dev.cloudscope.cloudbuild.BuildClient;
import dev.cloudscope.cloudbuild.BuildEntry;
import dev.cloudscope.protocol.BuildEvents;
import java.io.PrintWriter;
import java.lang.reflect.Method;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.json.JSONObject;

/**
 * How {@code build} and {@code build logs} show a build, as its entries come:
 * <ul>
 *   <li>{@link Mode#PLAIN} (stdout is not a terminal): a stage's start as a line {@code ==> install} on stdout;</li>
 *   <li>{@link Mode#TERMINAL}: one progress line on stdout, {@code [build 3/5: install] 12s}, rewritten in place
 *       every second and kept below the log lines;</li>
 *   <li>in both, the build's stdout lines as they are on stdout and its stderr lines on stderr, each stream in its
 *       order; at the end {@code build ID: SUCCESS} and {@code site: URL} on stdout, or for any other status the
 *       line {@code cloudscope: build ID: FAILURE in stage build (exit code 2): MESSAGE} on stderr (exit code 1);</li>
 *   <li>{@link Mode#JSON}: on stdout only one JSON object per line: {@code {"type":"build","id":...}} first (for a
 *       new build), then each entry as received with its {@code type} ({@code stage}, {@code log}, {@code status});
 *       the failure line still goes to stderr.</li>
 * </ul>
 * After the build's first line, {@code page: URL}, the server's web page of the build (JSON: the build object's
 * {@code page}). Notes about the connection (lost, made again) go to stderr in every mode. The entries come on the thread that
 * follows; the progress line's clock on a thread of its own: each output is written whole, under this object's lock.
 */
final class BuildOutput implements BuildClient.Follower, AutoCloseable {

    enum Mode { PLAIN, TERMINAL, JSON }

    private final Mode mode;
    private final PrintWriter out;
    private final PrintWriter err;
    private final String followHint;
    private ScheduledExecutorService clock;
    private String id;
    private long lastSeq;
    private String stage;
    private long stageStart = System.nanoTime();
    private boolean progressShown;
    private boolean closed;

    /**
     * @param followHint how to follow the build from another command, with {@code ID} for its id (in messages)
     */
    BuildOutput(Mode mode, PrintWriter out, PrintWriter err, String followHint) {
        this.mode = mode;
        this.out = out;
        this.err = err;
        this.followHint = followHint;
    }

    /** {@link Mode#JSON} if asked; else {@link Mode#TERMINAL} when stdout and stdin are a terminal; else plain. */
    static Mode mode(boolean json) {
        if (json) {
            return Mode.JSON;
        }
        return isTerminal() ? Mode.TERMINAL : Mode.PLAIN;
    }

    /** {@code System.console() != null}, and on JDK 22+ (where a console may be a redirected one) isTerminal(). */
    static boolean isTerminal() {
        Object console = System.console();
        if (console == null) {
            return false;
        }
        try {
            Method isTerminal = console.getClass().getMethod("isTerminal");
            return Boolean.TRUE.equals(isTerminal.invoke(console));
        } catch (ReflectiveOperationException | RuntimeException e) {
            return true; // JDK 17-21: a console is a terminal
        }
    }

    Mode mode() {
        return mode;
    }

    /**
     * The build with {@code id} was accepted: {@code build ID: REPO, branch BRANCH} and {@code page: URL}, its web
     * page (JSON: {@code type build} with {@code id} and {@code page}).
     */
    synchronized void accepted(String id, String repo, String branch, String page) {
        this.id = id;
        if (mode == Mode.JSON) {
            Map<String, Object> build = new LinkedHashMap<>();
            build.put("id", id);
            build.put("page", page);
            out.println(Json.line("build", new JSONObject(build)));
        } else {
            out.println("build " + id + ": " + repo + ", branch " + branch);
            out.println("page: " + page);
        }
        out.flush();
        if (mode == Mode.TERMINAL) {
            drawProgress();
            clock = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "cloudscope-progress");
                t.setDaemon(true);
                return t;
            });
            clock.scheduleAtFixedRate(this::tick, 1, 1, TimeUnit.SECONDS);
        }
    }

    /** Following {@code id} (not a build this run asked for). */
    synchronized void following(String id) {
        this.id = id;
    }

    /** A build asked for with {@code --detach}: how to follow it (stdout; JSON: nothing more). */
    synchronized void detached(String id) {
        if (mode != Mode.JSON) {
            out.println("detached: the build goes on; follow it with: " + hint(id));
            out.flush();
        }
    }

    @Override
    public synchronized void entry(BuildEntry entry) {
        if (closed) {
            return;
        }
        lastSeq = entry.seq();
        if (mode == Mode.JSON) {
            out.println(Json.line(entry.type(), entry.fields()));
            out.flush();
            return;
        }
        switch (entry.type()) {
            case BuildEvents.STAGE -> stage(entry);
            case BuildEvents.LOG -> log(entry);
            case BuildEvents.STATUS -> clearProgress();
            default -> { }
        }
    }

    private void stage(BuildEntry entry) {
        if (!BuildEvents.STATE_START.equals(entry.text("state"))) {
            return;
        }
        stage = entry.text("stage");
        stageStart = System.nanoTime();
        if (mode == Mode.PLAIN) {
            out.println("==> " + stage);
            out.flush();
        } else {
            drawProgress();
        }
    }

    private void log(BuildEntry entry) {
        String line = entry.text("line");
        if (line == null) {
            return;
        }
        clearProgress();
        boolean toErr = BuildEvents.STREAM_ERR.equals(entry.text("stream"));
        PrintWriter to = toErr ? err : out;
        to.println(line);
        to.flush();
        drawProgress();
    }

    @Override
    public synchronized void connectionLost(String reason) {
        clearProgress();
        err.println("cloudscope: connection lost (" + reason + "); connecting again to follow build " + id
                + " after entry " + lastSeq);
        err.flush();
        drawProgress();
    }

    @Override
    public synchronized void reconnected() {
        clearProgress();
        err.println("cloudscope: connected again; following build " + id + " after entry " + lastSeq);
        err.flush();
        drawProgress();
    }

    /**
     * The end of the build: 0 for {@code SUCCESS} ({@code build ID: SUCCESS} and {@code site: URL} on stdout; in
     * JSON, the status entry said it); anything else fails with the status line (exit code 1).
     */
    synchronized int finish(BuildClient.FollowResult result) {
        close();
        BuildEntry status = result.status();
        if (status == null) {
            throw new CliFailure("build " + id + ": its log ended without a status");
        }
        String word = status.text("status");
        if (!BuildEvents.SUCCESS.equals(word)) {
            throw new CliFailure(statusLine(id, status.fields()));
        }
        if (mode != Mode.JSON) {
            out.println(statusLine(id, status.fields()));
            String site = status.text("siteUrl");
            if (site != null) {
                out.println("site: " + site);
            }
            out.flush();
        }
        return 0;
    }

    /** {@code build ID: STATUS in stage STAGE (exit code N): MESSAGE}, the parts the status has. */
    static String statusLine(String id, JSONObject status) {
        StringBuilder b = new StringBuilder("build ").append(id).append(": ")
                .append(BuildEntry.textOf(status, "status"));
        String stage = BuildEntry.textOf(status, "stage");
        Long exitCode = BuildEntry.numberOf(status, "exitCode");
        String message = BuildEntry.textOf(status, "message");
        if (stage != null && !BuildEvents.SUCCESS.equals(BuildEntry.textOf(status, "status"))) {
            b.append(" in stage ").append(stage);
        }
        if (exitCode != null) {
            b.append(" (exit code ").append(exitCode).append(')');
        }
        if (message != null && !message.isBlank()) {
            b.append(": ").append(message);
        }
        return b.toString();
    }

    /** How to follow build {@code id} from another command. */
    String hint(String id) {
        return followHint.replace("ID", id);
    }

    /** Where the log had got to: the last sequence number shown. */
    synchronized long lastSeq() {
        return lastSeq;
    }

    /** Stops the progress line's clock and takes the line away. Idempotent. */
    @Override
    public synchronized void close() {
        if (clock != null) {
            clock.shutdownNow();
            clock = null;
        }
        clearProgress();
        closed = true;
        out.flush();
        err.flush();
    }

    private synchronized void tick() {
        if (!closed) {
            drawProgress();
        }
    }

    private void drawProgress() {
        if (mode != Mode.TERMINAL || closed || id == null) {
            return;
        }
        out.print("\r\u001b[K" + progress());
        out.flush();
        progressShown = true;
    }

    private void clearProgress() {
        if (progressShown) {
            out.print("\r\u001b[K");
            out.flush();
            progressShown = false;
        }
    }

    /** {@code [build 3/5: install] 12s}, or {@code [build: waiting] 3s} before the first stage. */
    String progress() {
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - stageStart);
        if (stage == null) {
            return "[build: waiting] " + seconds + "s";
        }
        int index = BuildEvents.STAGES.indexOf(stage);
        String where = index < 0 ? stage : (index + 1) + "/" + BuildEvents.STAGES.size() + ": " + stage;
        return "[build " + where + "] " + seconds + "s";
    }
}
