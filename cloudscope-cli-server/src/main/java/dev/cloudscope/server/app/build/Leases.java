package dev.cloudscope.server.app.build;

import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.redisson.api.PendingEntry;
import org.redisson.api.StreamConsumer;
import org.redisson.api.StreamMessageId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lease of a node on the builds it runs, and what happens to builds whose node stopped answering.
 *
 * <p>A running build's lease key (its node's name) lives two thirds of {@code build.lease} and is renewed every
 * quarter of it, for every build in the node's running map, also one whose run has ended until its final status is
 * settled in Redis ({@link BuildRunner#settle}); renewing also reads the record, so that a cancel or an end decided
 * elsewhere reaches the build even if its pub/sub message was lost. Every sixth of {@code build.lease} each node
 * looks at the queue's pending entries (builds taken by a node, not yet ended; all of them, a hundred a page): one
 * without a lease, idle a third of the lease at least, is claimed (one node wins) and ended as INTERNAL_ERROR when it
 * had started (a build is not run twice: it may have published, and its followers have seen its lines), or handed
 * back to the queue when it had not. So a build whose node is SIGKILLed ends within about five sixths of
 * {@code build.lease}. Every half lease the node also sweeps the records themselves, for a WORKING build that no
 * entry leads to ({@link #sweepRecords}), and removes idle consumers holding nothing from the group.
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
    /** The reaper reads the taken entries this many at a time, at most {@link #MAX_PAGES} pages a round. */
    private static final int PAGE = 100;
    private static final int MAX_PAGES = 1000;
    /** The safety net and the consumers are looked at every this many rounds of the reaper (half a lease). */
    static final int SWEEP_ROUNDS = 3;
    static final int CONSUMER_IDLE_LEASES = 4;

    private final Duration suspectFor;
    private final Duration consumerIdle;
    // the timer's thread only
    private int rounds;
    private Map<BuildId, Long> suspects = new HashMap<>();

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
        this.suspectFor = lease.dividedBy(4);
        this.consumerIdle = lease.multipliedBy(CONSUMER_IDLE_LEASES);
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
            // also once the run has ended here: until its final status is in Redis (finished() removes it from
            // running), the lease must hold, or another node would end a build that succeeded as INTERNAL_ERROR
            try {
                Map<String, String> seen = records.renew(id, node, ttl);
                String status = seen.get("status");
                if (!build.status().finished()
                        && ("1".equals(seen.get("cancel")) || !BuildStatus.WORKING.name().equals(status))) {
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

    /** One round of the reaper: every taken entry, and every few rounds the records and the consumers. */
    private void reap() {
        try {
            StreamMessageId from = StreamMessageId.MIN;
            for (int page = 0; page < MAX_PAGES; page++) {
                List<PendingEntry> entries = queue.pending(from, PAGE);
                for (PendingEntry pending : entries) {
                    if (pending.getIdleTime() >= claimIdle.toMillis()) {
                        reapOne(pending);
                    }
                }
                if (entries.size() < PAGE) {
                    break;
                }
                StreamMessageId last = entries.get(entries.size() - 1).getId();
                from = new StreamMessageId(last.getId0(), last.getId1() + 1); // pages on past the oldest hundred
            }
        } catch (RuntimeException e) {
            log.debug("cannot look at the queue's taken builds now ({})", e.toString());
        }
        if (++rounds % SWEEP_ROUNDS == 0) {
            sweepRecords();
            removeIdleConsumers();
        }
    }

    /**
     * The safety net: a WORKING build with no lease that no queue entry leads to (its entry deleted by a hand-back
     * race, or its node died between a lost answer and its run) would stay WORKING for good. Every
     * {@value #SWEEP_ROUNDS} rounds (half a lease) each node reads the status of every build in the index; one seen
     * WORKING without a lease and not run here on two sweeps at least a quarter lease apart is ended as
     * INTERNAL_ERROR (two looks, so that a lease missing for a moment, a Redis blip, does not end a build).
     */
    private void sweepRecords() {
        long now = System.nanoTime();
        Map<BuildId, Long> seen = new HashMap<>();
        try {
            for (BuildId id : records.indexed()) {
                Map<String, String> record = records.statusAndNode(id);
                if (!BuildStatus.WORKING.name().equals(record.get("status")) || running.containsKey(id)
                        || records.leased(id)) {
                    continue;
                }
                Long first = suspects.get(id);
                if (first == null || now - first < suspectFor.toNanos()) {
                    seen.put(id, first == null ? now : first);
                    continue;
                }
                String owner = record.getOrDefault("node", "?");
                if (records.endIf(id, EnumSet.of(BuildStatus.WORKING), BuildStatus.INTERNAL_ERROR,
                        NODE_LOST.formatted(owner, node))) {
                    log.warn("build {} ended as INTERNAL_ERROR: WORKING on node {} with no lease", id, owner);
                }
            }
        } catch (RuntimeException e) {
            log.debug("cannot look at the builds' records now ({})", e.toString());
            seen.putAll(suspects); // looked at again next time, not forgotten
        }
        suspects = seen;
    }

    /**
     * A node's consumer stays in the group after the node has gone (one per restart with the default name): those
     * holding no entry and idle {@value #CONSUMER_IDLE_LEASES} leases at least are removed. A live node removed so
     * (one whose slots have all been busy that long) is made again by its next read.
     */
    private void removeIdleConsumers() {
        try {
            for (StreamConsumer consumer : queue.consumers()) {
                if (!consumer.getName().equals(node) && consumer.getPending() == 0
                        && consumer.getIdleTime() >= consumerIdle.toMillis()) {
                    queue.removeConsumer(consumer.getName());
                    log.info("consumer {} left the build queue's group: idle, holding nothing", consumer.getName());
                }
            }
        } catch (RuntimeException e) {
            log.debug("cannot look at the queue's consumers now ({})", e.toString());
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
