package dev.cloudscope.server.app.build;

import dev.cloudscope.server.cluster.NodeId;
import dev.cloudscope.server.config.BuildSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds across nodes ({@code cluster.redis}; docs/scaling.md): any node accepts a build, answers {@code status},
 * {@code list}, {@code follow} and {@code cancel} for any build, and runs builds from the shared queue
 * ({@link BuildRunner}). Records and logs are in Redis ({@link BuildRecords}, {@link RedisLogStore}), sites in the
 * shared S3 store. Leases ({@link Leases}) end the builds of a node that died.
 *
 * <p>Stopping (SIGTERM): the node takes no more builds; those it runs are cancelled (CANCELLED, as on one node); the
 * queued ones were never this node's: they stay in the queue for the others, also those its own sockets submitted
 * (their disconnect at stop cancels nothing, {@link #nodeStopping}); builds running on other nodes go on.
 */
public final class ClusterBuilds implements Builds {

    private static final Logger log = LoggerFactory.getLogger(ClusterBuilds.class);

    private final BuildSettings settings;
    private final RedissonClient redis;
    private final RedisLogStore logs;
    private final BuildRecords records;
    private final BuildQueue queue;
    private final BuildRunner runner;
    private final Leases leases;
    private final Executor workers;
    private final int cancelListener;
    /**
     * Builds accepted here whose socket has not detached and that have not ended: their owner's leaving cancels them
     * (anywhere). An ended build leaves it within {@link #OWNERS_SWEEP} ({@link #forgetEnded}).
     */
    private final Map<BuildId, String> owners = new ConcurrentHashMap<>();
    private volatile boolean stopping;
    static final Duration OWNERS_SWEEP = Duration.ofSeconds(2);
    private final ScheduledExecutorService ownersTimer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "build-owners");
        thread.setDaemon(true);
        return thread;
    });

    public ClusterBuilds(BuildSettings settings, RedissonClient redis, NodeId node, RedisLogStore logs,
                         BuildRecords records, ArtifactStore artifacts, Sandbox sandbox, Executor workers) {
        this.settings = settings;
        this.redis = redis;
        this.logs = logs;
        this.records = records;
        this.workers = workers;
        this.queue = new BuildQueue(redis, node.value());
        queue.ensureGroup();
        this.runner = new BuildRunner(settings, node.value(), records, queue, logs, artifacts, sandbox);
        this.leases = new Leases(records, queue, node.value(), settings.lease(), runner.running());
        this.cancelListener = redis.getTopic(BuildKeys.CANCEL, StringCodec.INSTANCE)
                .addListener(String.class, (channel, message) -> cancelledElsewhere(message));
        runner.start(leases.ttl());
        ownersTimer.scheduleWithFixedDelay(() -> forgetEnded(owners, records), OWNERS_SWEEP.toMillis(),
                OWNERS_SWEEP.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Drops from {@code owners} the builds that have ended (or whose record is gone): {@code ownsUnfinished} answers
     * from this map, and it must not grow with every build accepted here.
     */
    static void forgetEnded(Map<BuildId, String> owners, BuildRecords records) {
        for (BuildId id : List.copyOf(owners.keySet())) {
            try {
                Optional<Map<String, String>> record = records.get(id);
                if (record.isEmpty() || BuildRecords.status(record.get()).finished()) {
                    owners.remove(id);
                }
            } catch (RuntimeException e) {
                log.debug("cannot look at the builds owned here now ({})", e.toString());
                return;
            }
        }
    }

    @Override
    public BuildId submit(Object payload, String owner) throws InvalidInputException, Busy {
        BuildRequest request = BuildRequest.parse(payload, settings.repoSchemes(), settings.commands());
        BuildId id = BuildId.next();
        // across the cluster: the builds no node has taken yet
        OptionalLong full = records.createUnlessFull(id, request, Instant.now(), settings.queueLimit());
        if (full.isPresent()) {
            throw new Busy("the build queue is full (" + full.getAsLong() + " waiting): try again later");
        }
        owners.put(id, owner);
        log.info("build {} queued: {} {} `{}`", id.value(), request.displayRepo(), request.branch(), request.command());
        try {
            records.prune();
        } catch (RuntimeException e) {
            log.warn("cannot remove old builds from Redis now: {}", e.toString());
        }
        return id;
    }

    /** For tests: a build (made elsewhere) as if a socket of this node had submitted it. */
    void owned(BuildId id, String owner) {
        owners.put(id, owner);
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
    public void nodeStopping() {
        stopping = true;
    }

    @Override
    public void ownerLeft(String socketId) {
        owners.forEach((id, owner) -> {
            if (owner.equals(socketId) && owners.remove(id, owner)) {
                if (stopping) {
                    // this node stops, not the client's wish: the build stays the cluster's (queued: another node
                    // runs it; running here: cancelled by close(), as on one node; running elsewhere: it goes on)
                    log.info("build {} left to the cluster: its client was disconnected by this node stopping",
                            id.value());
                    return;
                }
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
        return awaitEnd(id, System.nanoTime() + CANCEL_WAIT.toNanos());
    }

    /** Cancels a queued build at once, asks the node running a running one. @return the status then */
    private Optional<BuildStatus> cancelNow(BuildId id) {
        Optional<Map<String, String>> record = records.get(id);
        if (record.isEmpty()) {
            return Optional.empty();
        }
        BuildStatus status = BuildRecords.status(record.get());
        if (status == BuildStatus.QUEUED) {
            if (records.endIf(id, EnumSet.of(BuildStatus.QUEUED), BuildStatus.CANCELLED, BuildRun.QUEUED_CANCEL)) {
                queue.drop(id);
                return Optional.of(BuildStatus.CANCELLED);
            }
            status = records.get(id).map(BuildRecords::status).orElse(BuildStatus.WORKING); // it started meanwhile
        }
        if (status == BuildStatus.WORKING) {
            runner.cancelHere(id);
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

    /** A cancel asked on another node: on the worker pool, not Redisson's thread (it kills processes). */
    private void cancelledElsewhere(String message) {
        if (BuildId.valid(message)) {
            workers.execute(() -> runner.cancelHere(new BuildId(message)));
        }
    }

    @Override
    public Optional<Map<String, Object>> status(BuildId id) {
        return records.get(id).map(record -> BuildRecords.toMap(id, record));
    }

    @Override
    public LogStore logs() {
        return logs;
    }

    @Override
    public void close() {
        ownersTimer.shutdownNow();
        runner.close();
        leases.close();
        try {
            redis.getTopic(BuildKeys.CANCEL, StringCodec.INSTANCE).removeListener(cancelListener);
        } catch (RuntimeException e) {
            // Redis away at stop: the listener goes with the client
        }
        logs.close();
    }
}
