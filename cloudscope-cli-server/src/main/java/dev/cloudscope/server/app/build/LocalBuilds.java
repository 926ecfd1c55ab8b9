package dev.cloudscope.server.app.build;

import dev.cloudscope.server.config.BuildSettings;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's builds (no {@code cluster.redis}): accepted (validated first, nothing made on bad input), queued, run {@code build.concurrency}
 * at a time on their own threads, cancelled, looked up. A build whose owner (the socket that asked for it) leaves
 * without having detached is cancelled, as {@code gcloud builds submit} cancels on Ctrl-C.
 */
@Singleton
public final class LocalBuilds implements Builds {

    private static final Logger log = LoggerFactory.getLogger(LocalBuilds.class);

    private final BuildSettings settings;
    private final LogStore logs;
    private final ArtifactStore artifacts;
    private final Sandbox sandbox;
    private final Sandbox.Limits limits;
    private final DependencyCache dependencies;
    private final RepositoryCache repositories;
    private final ThreadPoolExecutor runners;
    private final Map<BuildId, Build> builds = new ConcurrentHashMap<>();
    private final AtomicInteger waiting = new AtomicInteger();
    private final Object submitting = new Object();

    @Inject
    LocalBuilds(BuildSettings settings, LogStore logs, ArtifactStore artifacts, Sandbox sandbox) {
        this.settings = settings;
        this.logs = logs;
        this.artifacts = artifacts;
        this.sandbox = sandbox;
        this.limits = Sandbox.Limits.of(settings);
        this.dependencies = DependencyCache.under(settings.workDir());
        this.repositories = RepositoryCache.under(settings.workDir());
        AtomicInteger count = new AtomicInteger();
        this.runners = new ThreadPoolExecutor(settings.concurrency(), settings.concurrency(), 0, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(), runnable -> {
                    Thread thread = new Thread(runnable, "build-" + count.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
    }

    /** Validates and queues a build for {@code owner}. @return its id */
    @Override
    public BuildId submit(Object payload, String owner) throws InvalidInputException, Busy, IOException {
        BuildRequest request = BuildRequest.parse(payload, settings.repoSchemes(), settings.commands());
        Build build;
        synchronized (submitting) {
            if (waiting.get() >= settings.queueLimit() + settings.concurrency()) {
                throw new Busy("the build queue is full (" + settings.concurrency() + " running, " + settings.queueLimit()
                        + " waiting): try again later");
            }
            waiting.incrementAndGet();
            build = new Build(BuildId.next(), request, owner);
            builds.put(build.id(), build);
        }
        BuildLog buildLog;
        try {
            buildLog = logs.create(build.id());
        } catch (IOException | RuntimeException e) {
            waiting.decrementAndGet();
            builds.remove(build.id());
            throw e;
        }
        Path dir = logs instanceof FileLogStore files ? files.buildDir(build.id()) : settings.workDir().resolve(build.id().value());
        BuildRun run = new BuildRun(build, buildLog, dir, settings.timeout(), sandbox, limits, artifacts, dependencies, repositories);
        log.info("build {} queued: {} {} `{}`", build.id().value(), request.displayRepo(), request.branch(), request.command());
        Runnable task = () -> {
            try {
                run.run();
            } finally {
                waiting.decrementAndGet();
                forgetOldFinished();
            }
        };
        // cancelled while queued (cancel, its owner leaving, the server stopping): it ends now and leaves the queue,
        // rather than holding its place until a runner is free; once running, the run replaces this canceller
        build.cancelWith(() -> {
            if (run.endIfQueued() && runners.remove(task)) {
                waiting.decrementAndGet(); // it will never run; a task taken already counts itself down
            }
        });
        runners.execute(task);
        return build.id();
    }

    /** Keeps in memory the last {@code build.keep} builds; older ones are answered from their logs. */
    private void forgetOldFinished() {
        if (builds.size() <= settings.keep()) {
            return;
        }
        builds.keySet().stream().sorted().limit(builds.size() - settings.keep())
                .filter(id -> builds.get(id) != null && builds.get(id).status().finished())
                .forEach(builds::remove);
    }

    /** The build no longer ends with its owner's connection. */
    @Override
    public boolean detach(BuildId id) {
        Build build = builds.get(id);
        if (build == null) {
            return false;
        }
        build.detach();
        return true;
    }

    /** Whether a socket owns a build that has not ended and that it has not detached: its leaving would cancel it. */
    @Override
    public boolean ownsUnfinished(String socketId) {
        for (Build build : builds.values()) {
            if (build.ownedBy(socketId) && !build.status().finished()) {
                return true;
            }
        }
        return false;
    }

    /** A socket left: the builds it owns and did not detach are cancelled. */
    @Override
    public void ownerLeft(String socketId) {
        for (Build build : builds.values()) {
            if (build.ownedBy(socketId) && build.cancel()) {
                log.info("build {} cancelled: its client left without detaching", build.id().value());
            }
        }
    }

    /**
     * Cancels a build. A running build's processes are killed and its run ends it as CANCELLED within moments: the
     * answer waits for that end (at most {@link #CANCEL_WAIT}), so that it is the build's last status, not WORKING.
     * A queued build ends at once.
     *
     * @return its status after the request, or empty for an unknown id
     */
    @Override
    public CompletionStage<Optional<BuildStatus>> cancel(BuildId id) throws IOException {
        Build build = builds.get(id);
        if (build == null) {
            if (!logs.exists(id)) {
                return CompletableFuture.completedFuture(Optional.empty()); // the store throws for an unknown id
            }
            try {
                return CompletableFuture.completedFuture(logs.status(id).map(status -> BuildStatus.valueOf(status.status())));
            } catch (UnknownBuildException e) {
                return CompletableFuture.completedFuture(Optional.empty()); // removed by retention meanwhile
            }
        }
        if (!build.cancel() || build.status() != BuildStatus.WORKING) {
            return CompletableFuture.completedFuture(Optional.of(build.status()));
        }
        return build.whenEnded()
                .completeOnTimeout(null, CANCEL_WAIT.toMillis(), TimeUnit.MILLISECONDS)
                .thenApply(ended -> Optional.of(build.status()));
    }

    /** What {@code status} answers, or empty for an unknown id (also one from before a restart, from its log). */
    @Override
    public Optional<Map<String, Object>> status(BuildId id) throws IOException {
        Build build = builds.get(id);
        if (build != null) {
            return Optional.of(build.toMap());
        }
        if (!logs.exists(id)) {
            return Optional.empty();
        }
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("id", id.value());
        logs.status(id).ifPresent(status -> map.putAll(status.toMap()));
        map.remove("seq");
        map.remove("type");
        return Optional.of(map);
    }

    @Override
    public LogStore logs() {
        return logs;
    }

    /** At server stop: running builds are cancelled (their processes killed) and end as CANCELLED. */
    @Override
    public void close() {
        for (Build build : builds.values()) {
            build.cancel();
        }
        runners.shutdownNow();
        try {
            runners.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        logs.close();
    }
}
