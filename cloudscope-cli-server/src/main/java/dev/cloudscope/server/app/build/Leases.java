package dev.cloudscope.server.app.build;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.redisson.api.PendingEntry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lease of a node on the builds it runs, and what happens to builds whose node stopped answering.
 *
 * <p>A running build's lease key (its node's name) lives two thirds of {@code build.lease} and is renewed every
 * quarter of it; renewing also reads the record, so that a cancel or an end decided elsewhere reaches the build even
 * if its pub/sub message was lost. Every sixth of {@code build.lease} each node looks at the queue's pending entries
 * (builds taken by a node, not yet ended): one without a lease, idle a third of the lease at least, is claimed (one
 * node wins) and ended as INTERNAL_ERROR when it had started (a build is not run twice: it may have published,
 * and its followers have seen its lines), or handed back to the queue when it had not. So a build whose node is
 * SIGKILLed ends within about five sixths of {@code build.lease}, and nothing stays WORKING.
 */
final class Leases implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Leases.class);

    static final String NODE_LOST = "the node running the build (%s) stopped answering; ended by node %s";

    private final BuildRecords records;
    private final BuildQueue queue;
    private final String node;
    private final Duration ttl;
    private final Duration claimIdle;
    /** The builds this node runs, and how to stop one (cancel it locally). */
    private final Map<BuildId, Build> running;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "build-leases");
        thread.setDaemon(true);
        return thread;
    });

    Leases(BuildRecords records, BuildQueue queue, String node, Duration lease, Map<BuildId, Build> running) {
        this.records = records;
        this.queue = queue;
        this.node = node;
        this.ttl = lease.multipliedBy(2).dividedBy(3);
        this.claimIdle = lease.dividedBy(3);
        this.running = running;
        timer.scheduleWithFixedDelay(this::renewAll, lease.toMillis() / 4, lease.toMillis() / 4, TimeUnit.MILLISECONDS);
        timer.scheduleWithFixedDelay(this::reap, lease.toMillis() / 6, lease.toMillis() / 6, TimeUnit.MILLISECONDS);
    }

    /** The TTL a lease is taken with when a build starts ({@link BuildRecords#start}). */
    Duration ttl() {
        return ttl;
    }

    private void renewAll() {
        for (Map.Entry<BuildId, Build> entry : running.entrySet()) {
            BuildId id = entry.getKey();
            Build build = entry.getValue();
            if (build.status().finished()) {
                continue;
            }
            try {
                Map<String, String> seen = records.renew(id, node, ttl);
                String status = seen.get("status");
                if ("1".equals(seen.get("cancel")) || !BuildStatus.WORKING.name().equals(status)) {
                    if (build.cancel()) {
                        log.info("build {} cancelled: {}", id, status == null ? "its record is gone from Redis"
                                : "1".equals(seen.get("cancel")) ? "cancel asked on another node" : "it ended as " + status
                                + " elsewhere");
                    }
                }
            } catch (RuntimeException e) {
                log.warn("build {}: cannot renew its lease now ({})", id, e.toString());
            }
        }
    }

    private void reap() {
        try {
            for (PendingEntry pending : queue.pending(100)) {
                if (pending.getIdleTime() >= claimIdle.toMillis()) {
                    reapOne(pending);
                }
            }
        } catch (RuntimeException e) {
            log.debug("cannot look at the queue's taken builds now ({})", e.toString());
        }
    }

    /** A taken build: left alone while its node holds its lease, else claimed and ended or handed back. */
    private void reapOne(PendingEntry pending) {
        Optional<BuildId> named = queue.buildOf(pending.getId());
        if (named.isPresent() && (running.containsKey(named.get()) || records.leased(named.get()))) {
            return;
        }
        Optional<BuildQueue.Taken> claimed = queue.claim(pending.getId(), claimIdle);
        if (claimed.isEmpty()) {
            return; // another node got it, or its entry is gone
        }
        BuildId id = claimed.get().build();
        Optional<Map<String, String>> record = records.get(id);
        BuildStatus status = record.map(BuildRecords::status).orElse(BuildStatus.INTERNAL_ERROR);
        if (status == BuildStatus.QUEUED) {
            queue.handBack(claimed.get()); // taken by a node that died before starting it: it runs elsewhere
            log.info("build {}: taken by node {} that stopped answering before starting it; back in the queue", id,
                    pending.getConsumerName());
            return;
        }
        if (status == BuildStatus.WORKING && records.endIf(id, EnumSet.of(BuildStatus.WORKING),
                BuildStatus.INTERNAL_ERROR, NODE_LOST.formatted(pending.getConsumerName(), node))) {
            log.warn("build {} ended as INTERNAL_ERROR: its node {} stopped answering", id, pending.getConsumerName());
        }
        queue.done(claimed.get().entry());
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
