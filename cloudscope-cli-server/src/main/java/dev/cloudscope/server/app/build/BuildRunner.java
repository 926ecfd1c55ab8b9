package dev.cloudscope.server.app.build;

import dev.cloudscope.server.config.BuildSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's side of the cluster's builds: it takes builds from the shared queue ({@link BuildQueue}) as it has free
 * slots ({@code build.concurrency} of its own) and runs each as one node runs it ({@link BuildRun}), its log to
 * Redis, its stage, name and version to its record. A build's work tree is on this node and removed when it ends
 * (its log is in Redis, its site in S3).
 */
final class BuildRunner implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(BuildRunner.class);

    private static final Duration TAKE_WAIT = Duration.ofSeconds(2);
    private static final Duration REDIS_RETRY = Duration.ofSeconds(1);

    private final BuildSettings settings;
    private final String node;
    private final BuildRecords records;
    private final BuildQueue queue;
    private final RedisLogStore logs;
    private final ArtifactStore artifacts;
    private final Sandbox sandbox;
    private final Sandbox.Limits limits;
    private final DependencyCache dependencies;
    private final RepositoryCache repositories;

    private final Semaphore slots;
    private final ExecutorService runners;
    private final Thread dispatcher;
    private volatile boolean stopping;
    private volatile Duration leaseTtl = Duration.ZERO;
    /** The builds this node runs. */
    private final Map<BuildId, Build> running = new ConcurrentHashMap<>();

    BuildRunner(BuildSettings settings, String node, BuildRecords records, BuildQueue queue, RedisLogStore logs,
                ArtifactStore artifacts, Sandbox sandbox) {
        this.settings = settings;
        this.node = node;
        this.records = records;
        this.queue = queue;
        this.logs = logs;
        this.artifacts = artifacts;
        this.sandbox = sandbox;
        this.limits = Sandbox.Limits.of(settings);
        this.dependencies = DependencyCache.under(settings.workDir());
        this.repositories = RepositoryCache.under(settings.workDir());
        this.slots = new Semaphore(settings.concurrency());
        AtomicInteger count = new AtomicInteger();
        this.runners = Executors.newFixedThreadPool(settings.concurrency(), runnable -> {
            Thread thread = new Thread(runnable, "build-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        this.dispatcher = new Thread(this::takeBuilds, "build-queue");
        dispatcher.setDaemon(true);
    }

    /** Begins taking builds; each is started with a lease of {@code leaseTtl} ({@link Leases#ttl}). */
    void start(Duration leaseTtl) {
        this.leaseTtl = leaseTtl;
        dispatcher.start();
    }

    /** The builds this node runs, by id (live: {@link Leases} renews theirs). */
    Map<BuildId, Build> running() {
        return running;
    }

    /** Cancels the build if this node runs it. @return whether it does */
    boolean cancelHere(BuildId id) {
        Build build = running.get(id);
        if (build == null) {
            return false;
        }
        if (build.cancel()) {
            log.info("build {} cancelled", id.value());
        }
        return true;
    }

    /** The dispatcher: a free slot first, then one build from the queue, until the node stops. */
    private void takeBuilds() {
        while (!stopping) {
            try {
                slots.acquire();
            } catch (InterruptedException e) {
                return;
            }
            boolean started = false;
            try {
                Optional<BuildQueue.Taken> taken = queue.take(TAKE_WAIT);
                if (taken.isPresent()) {
                    if (stopping) {
                        queue.handBack(taken.get()); // read as the node began to stop: another node runs it
                    } else {
                        started = start(taken.get());
                    }
                }
            } catch (RuntimeException e) {
                if (!stopping) {
                    log.warn("cannot take builds from Redis now ({}); trying again", e.toString());
                    pause();
                }
            } finally {
                if (!started) {
                    slots.release();
                }
            }
        }
    }

    /** Starts a taken build on this node. @return false if there was nothing to run (it ended while queued) */
    private boolean start(BuildQueue.Taken taken) {
        BuildId id = taken.build();
        if (running.containsKey(id)) {
            queue.done(taken.entry()); // a duplicate entry of a build this node runs (a hand-back race)
            return false;
        }
        if (!records.start(id, node, taken.entry().toString(), leaseTtl)) {
            queue.done(taken.entry());
            return false;
        }
        Map<String, String> record = records.get(id).orElseThrow(() -> new IllegalStateException("no record for " + id));
        BuildRequest request;
        try {
            // each node checks a request against its own config again: it came from Redis, not from this node
            request = BuildRequest.parse(Map.of("repo", record.getOrDefault("repo", ""), "branch",
                    record.getOrDefault("branch", ""), "command", record.getOrDefault("command", "")),
                    settings.repoSchemes(), settings.commands());
        } catch (InvalidInputException e) {
            records.endIf(id, EnumSet.of(BuildStatus.WORKING), BuildStatus.INTERNAL_ERROR,
                    "node " + node + " refuses this build: " + e.getMessage());
            queue.done(taken.entry());
            return false;
        }
        Build build = new Build(id, request, null, new RecordObserver());
        BuildLog buildLog;
        try {
            buildLog = logs.create(id);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e); // its record went (Redis emptied): nothing to run
        }
        Path dir = settings.workDir().resolve("builds").resolve(id.value());
        BuildRun run = new BuildRun(build, buildLog, dir, settings.timeout(), sandbox, limits, artifacts, dependencies,
                repositories);
        running.put(id, build);
        log.info("build {} started on node {}", id.value(), node);
        runners.execute(() -> {
            try {
                Files.createDirectories(dir.getParent());
                run.run();
            } catch (IOException | RuntimeException e) {
                log.error("build {} failed inside the server", id.value(), e);
            } finally {
                finished(taken, dir);
                slots.release();
            }
        });
        return true;
    }

    /**
     * After a run: its end made sure of in Redis ({@link #settle}), its tree removed. The build stays in
     * {@link #running} (its lease renewed) until then, so that no node takes it for dead while its status is written.
     */
    private void finished(BuildQueue.Taken taken, Path dir) {
        boolean interrupted = Thread.interrupted(); // shutdownNow at stop: these Redis calls must still be made
        try {
            settle(records, queue, taken, node);
        } finally {
            running.remove(taken.build());
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            if (Files.exists(dir)) {
                FileLogStore.deleteTree(dir); // the log is in Redis and the site in S3: nothing here is kept
            }
        } catch (IOException e) {
            log.warn("build {}: could not remove its work tree: {}", taken.build(), e.toString());
        }
    }

    static final String STATUS_LOST = "node %s could not write the build's final status to Redis";

    /**
     * A run on {@code node} is over: if its record still says WORKING (its final status never reached Redis: the log
     * gave up after its patience, or the write was cut at stop), it is ended as INTERNAL_ERROR first; then the queue
     * entry leaves (before the lease, so that no node sees a pending entry without a lease for a build that is merely
     * finishing) and the lease. If Redis cannot be reached for that, the entry stays taken: once the lease has
     * lapsed, another node's reaper ends the build ({@link Leases}). @return whether all of it was done
     */
    static boolean settle(BuildRecords records, BuildQueue queue, BuildQueue.Taken taken, String node) {
        BuildId id = taken.build();
        try {
            Optional<Map<String, String>> record = records.get(id);
            if (record.isPresent() && BuildRecords.status(record.get()) == BuildStatus.WORKING
                    && records.endIf(id, EnumSet.of(BuildStatus.WORKING), BuildStatus.INTERNAL_ERROR,
                    STATUS_LOST.formatted(node))) {
                log.warn("build {} ended as INTERNAL_ERROR: its final status never reached Redis", id);
            }
            queue.done(taken.entry());
            records.release(id);
            return true;
        } catch (RuntimeException e) {
            log.warn("build {}: cannot settle its end in Redis now ({}); its queue entry stays taken, another node "
                    + "ends it", id, e.toString());
            return false;
        }
    }

    /** Stage, name and version to the record, where {@code status} on any node reads them. */
    private final class RecordObserver implements Build.Observer {
        @Override
        public void stage(BuildId id, Stage stage) {
            put(id, Map.of("stage", stage.wire()));
        }

        @Override
        public void project(BuildId id, String name, String version) {
            Map<String, String> fields = new LinkedHashMap<>();
            fields.put("name", name);
            fields.put("version", version);
            put(id, fields);
        }

        private void put(BuildId id, Map<String, String> fields) {
            try {
                records.put(id, fields);
            } catch (RuntimeException e) {
                log.warn("build {}: cannot update its record now ({})", id, e.toString());
            }
        }
    }

    private static void pause() {
        try {
            Thread.sleep(REDIS_RETRY.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The node stops: it takes no more builds, and those it runs are cancelled (CANCELLED, as on one node) and
     * waited for (10 s at most), so that their logs end before the Redis client goes.
     */
    @Override
    public void close() {
        stopping = true;
        dispatcher.interrupt();
        for (Build build : running.values()) {
            build.cancel();
        }
        runners.shutdown();
        try {
            if (!runners.awaitTermination(10, TimeUnit.SECONDS)) {
                runners.shutdownNow(); // a status write still retrying is cut: its end is settled in finished()
                runners.awaitTermination(5, TimeUnit.SECONDS);
            }
            dispatcher.join(TAKE_WAIT.toMillis() + 1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
