package dev.cloudscope.server.app.build;

import dev.cloudscope.server.cluster.NodeId;
import dev.cloudscope.server.config.BuildSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.redisson.api.RTopic;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds across nodes ({@code cluster.redis}; docs/scaling.md): any node accepts a build, answers {@code status},
 * {@code list}, {@code follow} and {@code cancel} for any build, and runs builds from the shared queue
 * ({@link BuildQueue}) as it has free slots ({@code build.concurrency} of its own). Records and logs are in Redis
 * ({@link BuildRecords}, {@link RedisLogStore}), sites in the shared S3 store; a build's work tree is on the node
 * running it, removed when it ends. Leases ({@link Leases}) end the builds of a node that died.
 *
 * <p>Stopping (SIGTERM): the node takes no more builds; those it runs are cancelled (CANCELLED, as on one node); the
 * queued ones were never this node's: they stay in the queue for the others.
 */
public final class ClusterBuilds implements Builds {

    private static final Logger log = LoggerFactory.getLogger(ClusterBuilds.class);

    private static final Duration TAKE_WAIT = Duration.ofSeconds(2);
    private static final Duration REDIS_RETRY = Duration.ofSeconds(1);
    static final String QUEUED_CANCEL = BuildRun.QUEUED_CANCEL;

    private final BuildSettings settings;
    private final RedisLogStore logs;
    private final BuildRecords records;
    private final BuildQueue queue;
    private final Leases leases;
    private final ArtifactStore artifacts;
    private final Sandbox sandbox;
    private final Sandbox.Limits limits;
    private final DependencyCache dependencies;
    private final RepositoryCache repositories;
    private final Executor workers;
    private final String node;
    private final RedissonClient redis;
    private final int cancelListener;

    private final Semaphore slots;
    private final ExecutorService runners;
    private final Thread dispatcher;
    private volatile boolean stopping;
    /** The builds this node runs. */
    private final Map<BuildId, Build> running = new ConcurrentHashMap<>();
    /** Builds accepted here whose socket has not detached: their owner's leaving cancels them (anywhere). */
    private final Map<BuildId, String> owners = new ConcurrentHashMap<>();

    public ClusterBuilds(BuildSettings settings, RedissonClient redis, NodeId node, RedisLogStore logs,
                         BuildRecords records, ArtifactStore artifacts, Sandbox sandbox, Executor workers) {
        this.settings = settings;
        this.redis = redis;
        this.logs = logs;
        this.records = records;
        this.node = node.value();
        this.queue = new BuildQueue(redis, this.node);
        this.artifacts = artifacts;
        this.sandbox = sandbox;
        this.workers = workers;
        this.limits = new Sandbox.Limits(settings.maxProcesses(), settings.maxMemory());
        this.dependencies = new DependencyCache(settings.workDir().resolve("cache").resolve("node_modules"));
        this.repositories = new RepositoryCache(settings.workDir().resolve("cache").resolve("git"));
        this.slots = new Semaphore(settings.concurrency());
        AtomicInteger count = new AtomicInteger();
        this.runners = Executors.newFixedThreadPool(settings.concurrency(), runnable -> {
            Thread thread = new Thread(runnable, "build-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        queue.ensureGroup();
        RTopic cancels = redis.getTopic(BuildKeys.CANCEL, StringCodec.INSTANCE);
        this.cancelListener = cancels.addListener(String.class, (channel, message) -> cancelledElsewhere(message));
        this.leases = new Leases(records, queue, this.node, settings.lease(), running);
        this.dispatcher = new Thread(this::takeBuilds, "build-queue");
        dispatcher.setDaemon(true);
        dispatcher.start();
    }

    @Override
    public BuildId submit(Object payload, String owner) throws InvalidInputException, Busy {
        BuildRequest request = BuildRequest.parse(payload, settings.repoSchemes(), settings.commands());
        // across the cluster: the builds no node has taken yet (a check, then an add: a burst may pass it by a few)
        long waiting = queue.waiting();
        if (waiting >= settings.queueLimit()) {
            throw new Busy("the build queue is full (" + waiting + " waiting): try again later");
        }
        BuildId id = BuildId.next();
        records.create(id, request, Instant.now());
        owners.put(id, owner);
        log.info("build {} queued: {} {} `{}`", id.value(), request.displayRepo(), request.branch(), request.command());
        try {
            records.prune();
        } catch (RuntimeException e) {
            log.warn("cannot remove old builds from Redis now: {}", e.toString());
        }
        return id;
    }

    @Override
    public boolean detach(BuildId id) {
        owners.remove(id);
        return records.exists(id);
    }

    @Override
    public boolean ownsUnfinished(String socketId) {
        return owners.containsValue(socketId);
    }

    @Override
    public void ownerLeft(String socketId) {
        owners.forEach((id, owner) -> {
            if (owner.equals(socketId) && owners.remove(id, owner)) {
                try {
                    if (cancelNow(id).map(status -> status == BuildStatus.CANCELLED || !status.finished()).orElse(false)) {
                        log.info("build {} cancelled: its client left without detaching", id.value());
                    }
                } catch (RuntimeException e) {
                    log.warn("build {}: cannot cancel it now that its client left ({})", id.value(), e.toString());
                }
            }
        });
    }

    @Override
    public CompletionStage<Optional<BuildStatus>> cancel(BuildId id) {
        Optional<BuildStatus> status = cancelNow(id);
        if (status.isEmpty() || status.get() != BuildStatus.WORKING) {
            return CompletableFuture.completedFuture(status);
        }
        long deadline = System.nanoTime() + CANCEL_WAIT.toNanos();
        return awaitEnd(id, deadline);
    }

    /** Cancels a queued build at once, asks the node running a running one. @return the status then */
    private Optional<BuildStatus> cancelNow(BuildId id) {
        Optional<Map<String, String>> record = records.get(id);
        if (record.isEmpty()) {
            return Optional.empty();
        }
        BuildStatus status = BuildRecords.status(record.get());
        if (status == BuildStatus.QUEUED) {
            if (records.endIf(id, EnumSet.of(BuildStatus.QUEUED), BuildStatus.CANCELLED, QUEUED_CANCEL)) {
                return Optional.of(BuildStatus.CANCELLED); // its queue entry is dropped by the node that takes it
            }
            status = records.get(id).map(BuildRecords::status).orElse(BuildStatus.WORKING); // it started meanwhile
        }
        if (status == BuildStatus.WORKING) {
            Build here = running.get(id);
            if (here != null) {
                here.cancel();
            }
            records.requestCancel(id);
        }
        return Optional.of(status);
    }

    /** Polls the record until the build has ended or the deadline: the answer is its last status, not WORKING. */
    private CompletableFuture<Optional<BuildStatus>> awaitEnd(BuildId id, long deadline) {
        return CompletableFuture.supplyAsync(() -> records.get(id).map(BuildRecords::status),
                        CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS, workers))
                .thenCompose(status -> status.isEmpty() || status.get().finished() || System.nanoTime() > deadline
                        ? CompletableFuture.completedFuture(status) : awaitEnd(id, deadline));
    }

    private void cancelledElsewhere(String message) {
        if (!BuildId.valid(message)) {
            return;
        }
        Build build = running.get(new BuildId(message));
        if (build != null) {
            workers.execute(() -> {
                if (build.cancel()) {
                    log.info("build {} cancelled from another node", build.id().value());
                }
            });
        }
    }

    @Override
    public Optional<Map<String, Object>> status(BuildId id) {
        return records.get(id).map(record -> BuildRecords.toMap(id, record));
    }

    @Override
    public List<Map<String, Object>> list() {
        List<Map<String, Object>> list = new ArrayList<>();
        for (BuildId id : records.list()) {
            status(id).ifPresent(list::add);
        }
        return list;
    }

    @Override
    public LogStore logs() {
        return logs;
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
        if (!records.start(id, node, leases.ttl())) {
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
                running.remove(id);
                finished(taken, dir);
                slots.release();
            }
        });
        return true;
    }

    /** After a run: its queue entry leaves (before the lease goes, so no node takes it for dead), its tree is removed. */
    private void finished(BuildQueue.Taken taken, Path dir) {
        try {
            queue.done(taken.entry());
            records.release(taken.build());
        } catch (RuntimeException e) {
            log.warn("build {}: cannot clear its queue entry now ({}); another node will", taken.build(), e.toString());
        }
        try {
            if (Files.exists(dir)) {
                FileLogStore.deleteTree(dir); // the log is in Redis and the site in S3: nothing here is kept
            }
        } catch (IOException e) {
            log.warn("build {}: could not remove its work tree: {}", taken.build(), e.toString());
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
                runners.shutdownNow();
            }
            dispatcher.join(TAKE_WAIT.toMillis() + 1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        leases.close();
        try {
            redis.getTopic(BuildKeys.CANCEL, StringCodec.INSTANCE).removeListener(cancelListener);
        } catch (RuntimeException e) {
            // Redis away at stop: the listener goes with the client
        }
        logs.close();
    }
}
