package dev.cloudscope.server.app.build;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.EmptyProgressMonitor;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One build, run from its first stage to its status, on a build thread: prepare, download (JGit: the branch only,
 * one commit deep), install ({@code npm ci} with a lock file, else {@code npm install}; skipped without
 * dependencies), build (the requested command), publish. Every command runs in the sandbox, as an argv. A stage that
 * fails ends the build as FAILURE naming the stage, the exit code and its last lines; every exit code counts.
 */
final class BuildRun implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(BuildRun.class);

    /** The lines of a failed stage its status quotes. */
    static final int LAST_LINES = 10;

    private final Build build;
    private final BuildLog buildLog;
    private final Path dir;
    private final Duration timeout;
    private final Sandbox sandbox;
    private final Sandbox.Limits limits;
    private final ArtifactStore artifacts;
    private final DependencyCache dependencies;
    private final RepositoryCache repositories;

    private Instant deadline;

    /** How a stage ended the build early. */
    private static final class Stop extends Exception {
        final BuildStatus status;
        final Integer exitCode;

        Stop(BuildStatus status, Integer exitCode, String message) {
            super(message, null, false, false);
            this.status = status;
            this.exitCode = exitCode;
        }
    }

    BuildRun(Build build, BuildLog buildLog, Path dir, Duration timeout, Sandbox sandbox, Sandbox.Limits limits,
             ArtifactStore artifacts, DependencyCache dependencies, RepositoryCache repositories) {
        this.dependencies = dependencies;
        this.repositories = repositories;
        this.build = build;
        this.buildLog = buildLog;
        this.dir = dir;
        this.timeout = timeout;
        this.sandbox = sandbox;
        this.limits = limits;
        this.artifacts = artifacts;
    }

    /**
     * Cancelled before its run began: the build ends now, its status written, rather than when a runner is free;
     * its run then has nothing to do. @return false if the run had begun (it stops by itself, as cancelled)
     */
    boolean endIfQueued() {
        if (!build.endQueued(QUEUED_CANCEL)) {
            return false;
        }
        finishLog(BuildStatus.CANCELLED, null, null, QUEUED_CANCEL, null);
        return true;
    }

    static final String QUEUED_CANCEL = "cancelled while queued";

    @Override
    public void run() {
        if (!build.started()) {
            return; // cancelled while queued, and ended then
        }
        deadline = Instant.now().plus(timeout);
        Stage current = null;
        try {
            current = Stage.PREPARE;
            Path src = dir.resolve("src");
            stage(current, () -> {
                buildLog.out("[cloudscope] build " + build.id().value() + ": " + build.request().displayRepo() + " "
                        + build.request().branch() + ", then `" + build.request().command() + "`");
                Files.createDirectories(dir);
                return 0;
            });
            current = Stage.DOWNLOAD;
            PackageJson project = stage(current, () -> {
                download(src);
                PackageJson pkg = readPackageJson(src);
                buildLog.out("[cloudscope] package.json: " + pkg.name() + "@" + pkg.version());
                return pkg;
            });
            build.project(project.name(), project.version());
            sandbox.prepareWorkDir(src);
            current = Stage.INSTALL;
            stage(current, () -> {
                if (!project.hasDependencies()) {
                    buildLog.out("[cloudscope] package.json has no dependencies: nothing to install");
                    return 0;
                }
                Optional<String> lock = DependencyCache.key(build.request().repo() + "#" + build.request().branch(), src);
                if (lock.isPresent() && dependencies.restore(lock.get(), src)) {
                    sandbox.prepareWorkDir(src);
                    buildLog.out("[cloudscope] node_modules from the cache of package-lock.json " + lock.get().substring(0, 12)
                            + ": nothing to install");
                    return 0;
                }
                int exit = command(Stage.INSTALL, lock.isPresent() ? List.of("npm", "ci") : List.of("npm", "install"), src);
                lock.ifPresent(key -> dependencies.store(key, src));
                return exit;
            });
            current = Stage.BUILD;
            stage(current, () -> command(Stage.BUILD, build.request().argv(), src));
            current = Stage.PUBLISH;
            Publication publication = stage(current, () -> {
                Publication published = artifacts.publish(project.name(), project.version(), BuiltSite.find(src));
                buildLog.out("[cloudscope] published " + published.manifest().files().size() + " files ("
                        + published.manifest().totalBytes() + " bytes): " + published.siteUrl());
                return published;
            });
            end(BuildStatus.SUCCESS, null, 0, null, publication.siteUrl());
        } catch (Stop stop) {
            end(stop.status, current, stop.exitCode, stop.getMessage(), null);
        } catch (RuntimeException | IOException | Error e) {
            log.error("build {} failed inside the server in stage {}", build.id().value(), current, e);
            end(BuildStatus.INTERNAL_ERROR, current, null, "the server failed in stage " + wire(current)
                    + " (its log has the details)", null);
        }
    }

    @FunctionalInterface
    private interface StageWork<T> {
        T run() throws Stop, IOException, InvalidInputException;
    }

    /** A stage between its start and end entries; the end carries the exit code its work returned (0 if none). */
    private <T> T stage(Stage stage, StageWork<T> work) throws Stop, IOException {
        checkStillWanted();
        build.stage(stage);
        buildLog.stageStart(stage.wire());
        long started = System.nanoTime();
        int exit = 0;
        try {
            T result = work.run();
            return result;
        } catch (Stop stop) {
            exit = stop.exitCode == null ? -1 : stop.exitCode;
            throw stop;
        } catch (InvalidInputException e) {
            exit = -1;
            String prefix = stage.wire() + ": "; // the stage's own checks (publish's) name it already
            throw new Stop(BuildStatus.FAILURE, null, e.getMessage().startsWith(prefix) ? e.getMessage()
                    : prefix + e.getMessage());
        } finally {
            buildLog.stageEnd(stage.wire(), exit, Duration.ofNanos(System.nanoTime() - started).toMillis());
        }
    }

    private void checkStillWanted() throws Stop {
        if (build.cancelRequested()) {
            throw new Stop(BuildStatus.CANCELLED, null, "cancelled");
        }
        if (Instant.now().isAfter(deadline)) {
            throw new Stop(BuildStatus.TIMEOUT, null, "the build took longer than " + human(timeout));
        }
    }

    /** The branch's last commit, one commit deep, with JGit; no submodules, no tags, no hooks. */
    private void download(Path src) throws Stop, IOException {
        BuildRequest request = build.request();
        buildLog.out("[cloudscope] fetching " + request.displayRepo() + " (branch " + request.branch() + ", depth 1)");
        EmptyProgressMonitor monitor = new EmptyProgressMonitor() {
            @Override
            public boolean isCancelled() {
                return build.cancelRequested() || Instant.now().isAfter(deadline);
            }
        };
        int timeoutSeconds = (int) Math.max(1, Math.min(Integer.MAX_VALUE, Duration.between(Instant.now(), deadline).toSeconds()));
        try {
            repositories.clone(request.repo(), request.branch(), src, monitor, timeoutSeconds);
        } catch (GitAPIException | org.eclipse.jgit.api.errors.JGitInternalException e) {
            checkStillWanted();
            throw new Stop(BuildStatus.FAILURE, null, "download: cannot clone " + request.displayRepo() + " branch "
                    + request.branch() + ": " + rootMessage(e));
        }
        try (Git git = Git.open(src.toFile())) {
            ObjectId head = git.getRepository().resolve("HEAD");
            if (head == null) {
                throw new Stop(BuildStatus.FAILURE, null, "download: branch " + request.branch() + " not found");
            }
            try (RevWalk walk = new RevWalk(git.getRepository())) {
                RevCommit commit = walk.parseCommit(head);
                buildLog.out("[cloudscope] at " + head.abbreviate(12).name() + " " + commit.getShortMessage());
            }
        }
    }

    private static PackageJson readPackageJson(Path src) throws Stop, IOException {
        try {
            return PackageJson.read(src);
        } catch (InvalidInputException e) {
            throw new Stop(BuildStatus.FAILURE, null, "download: " + e.getMessage());
        }
    }

    /** One command in the sandbox; its lines go to the log as read. @return its exit code, 0 */
    private int command(Stage stage, List<String> argv, Path src) throws Stop, IOException {
        checkStillWanted();
        Deque<String> tail = new ArrayDeque<>(LAST_LINES);
        buildLog.out("[cloudscope] $ " + String.join(" ", argv));
        BuildProcess process = new BuildProcess(
                sandbox.wrap(argv, src, Map.of("CI", "true", "npm_config_update_notifier", "false",
                        "npm_config_fund", "false", "npm_config_audit", "false"), limits),
                Duration.between(Instant.now(), deadline), (stream, line) -> {
                    try {
                        buildLog.line(stream == BuildProcess.Stream.OUT ? LogEntry.Stream.OUT : LogEntry.Stream.ERR, line);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                    if (tail.size() == LAST_LINES) {
                        tail.removeFirst();
                    }
                    tail.addLast(line);
                });
        build.cancelWith(process::cancel);
        BuildProcess.Outcome outcome;
        try {
            outcome = process.run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Stop(BuildStatus.CANCELLED, null, "cancelled (the server is stopping)");
        } finally {
            build.cancelWith(() -> { });
        }
        return switch (outcome.ending()) {
            case CANCELLED -> throw new Stop(BuildStatus.CANCELLED, outcome.exitCode(), "cancelled");
            case TIMED_OUT -> throw new Stop(BuildStatus.TIMEOUT, outcome.exitCode(),
                    "the build took longer than " + human(timeout) + ": its processes were killed");
            case EXITED -> {
                if (outcome.exitCode() != 0) {
                    throw new Stop(BuildStatus.FAILURE, outcome.exitCode(), stage.wire() + ": `" + String.join(" ", argv)
                            + "` exited with " + outcome.exitCode() + lastLines(tail));
                }
                yield 0;
            }
        };
    }

    private static String lastLines(Deque<String> tail) {
        return tail.isEmpty() ? "" : "; its last lines:\n" + String.join("\n", tail);
    }

    private void end(BuildStatus status, Stage stage, Integer exitCode, String message, String siteUrl) {
        build.ended(status, exitCode, message, siteUrl);
        finishLog(status, stage, exitCode, message, siteUrl);
    }

    private void finishLog(BuildStatus status, Stage stage, Integer exitCode, String message, String siteUrl) {
        try {
            buildLog.finish(status.name(), stage == null ? null : stage.wire(), exitCode, message, siteUrl);
        } catch (IOException e) {
            log.error("build {}: cannot write its final status {}", build.id().value(), status, e);
        }
        log.info("build {} ended: {}{}", build.id().value(), status, message == null ? "" : " (" + message.lines().findFirst().orElse("") + ")");
    }

    /** {@code 10m}, {@code 3s}, {@code 1m30s}: as config writes it, not {@code PT10M}. */
    static String human(Duration duration) {
        long seconds = duration.toSeconds();
        if (seconds == 0) {
            return duration.toMillis() + "ms";
        }
        String text = (seconds >= 3600 ? seconds / 3600 + "h" : "") + (seconds % 3600 >= 60 ? seconds % 3600 / 60 + "m" : "")
                + (seconds % 60 > 0 ? seconds % 60 + "s" : "");
        return text;
    }

    private static String wire(Stage stage) {
        return stage == null ? "none" : stage.wire();
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return message.replaceAll("\\p{Cntrl}", " ");
    }
}
