package dev.cloudscope.server.app.build;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.redisson.api.BatchOptions;
import org.redisson.api.PendingEntry;
import org.redisson.api.RBatch;
import org.redisson.api.RStream;
import org.redisson.api.RStreamAsync;
import org.redisson.api.RedissonClient;
import org.redisson.api.StreamConsumer;
import org.redisson.api.StreamMessageId;
import org.redisson.api.stream.StreamAddArgs;
import org.redisson.api.stream.StreamCreateGroupArgs;
import org.redisson.api.stream.StreamReadGroupArgs;
import org.redisson.client.RedisException;
import org.redisson.client.codec.StringCodec;

/**
 * The cluster's build queue: a Redis stream of {@code {id}} entries (added with the record, {@link BuildRecords#create})
 * and one consumer group, {@link BuildKeys#GROUP}, each node a consumer by its name. A node takes one entry when it
 * has a free slot, so {@code build.concurrency} holds per node and a build waits for the first node that is free.
 * A taken entry stays in the group's pending list until its build has ended ({@link #done}): the pending list is
 * what another node looks at when a node dies ({@link #pending}, {@link #claim}).
 */
final class BuildQueue {

    /** An entry taken from the queue: its id in the stream and the build it names. */
    record Taken(StreamMessageId entry, BuildId build) {
    }

    /** The most entries {@link #drop} reads: far above any queue limit a node would be given. */
    private static final int MAX_SCAN = 10_000;

    private final RedissonClient redis;
    private final String node;

    BuildQueue(RedissonClient redis, String node) {
        this.redis = redis;
        this.node = node;
    }

    /** The group exists (made with the stream if need be); also after a Redis that came back empty. */
    void ensureGroup() {
        try {
            stream().createGroup(StreamCreateGroupArgs.name(BuildKeys.GROUP).id(StreamMessageId.ALL).makeStream());
        } catch (RedisException e) {
            if (e.getMessage() == null || !e.getMessage().contains("BUSYGROUP")) {
                throw e;
            }
        }
    }

    /** Waits up to {@code wait} for a build no node has taken yet; it is this node's until {@link #done}. */
    Optional<Taken> take(Duration wait) {
        Map<StreamMessageId, Map<String, String>> read;
        try {
            read = stream().readGroup(BuildKeys.GROUP, node, StreamReadGroupArgs.neverDelivered().count(1).timeout(wait));
        } catch (RedisException e) {
            if (e.getMessage() != null && e.getMessage().contains("NOGROUP")) {
                ensureGroup(); // Redis came back empty: the queue starts again
                return Optional.empty();
            }
            throw e;
        }
        if (read == null || read.isEmpty()) {
            return Optional.empty();
        }
        Map.Entry<StreamMessageId, Map<String, String>> first = read.entrySet().iterator().next();
        String id = first.getValue().get("id");
        if (id == null || !BuildId.valid(id)) {
            done(first.getKey()); // not ours to run
            return Optional.empty();
        }
        return Optional.of(new Taken(first.getKey(), new BuildId(id)));
    }

    /** The build of this entry has ended (or will never run): the entry leaves the queue. */
    void done(StreamMessageId entry) {
        // one transaction: between a separate ack and delete the entry counted as waiting (waiting(), queueLimit)
        RBatch batch = redis.createBatch(BatchOptions.defaults().executionMode(BatchOptions.ExecutionMode.IN_MEMORY_ATOMIC));
        RStreamAsync<String, String> stream = batch.getStream(BuildKeys.QUEUE, StringCodec.INSTANCE);
        stream.ackAsync(BuildKeys.GROUP, entry);
        stream.removeAsync(entry);
        batch.execute();
    }

    /** Puts a build taken but not started back at the end of the queue, for any node; the old entry leaves it. */
    void handBack(Taken taken) {
        stream().add(StreamAddArgs.entry("id", taken.build().value()));
        done(taken.entry());
    }

    /**
     * Drops the entry of a build that ended while queued (cancelled), so that it no longer counts against
     * {@code build.queueLimit}; an entry a node has taken meanwhile is that node's to drop (its start finds the build
     * ended). The queue holds at most the queue limit and the running builds: one read of it.
     */
    void drop(BuildId build) {
        RStream<String, String> stream = stream();
        for (Map.Entry<StreamMessageId, Map<String, String>> entry : stream.range(MAX_SCAN, StreamMessageId.MIN,
                StreamMessageId.MAX).entrySet()) {
            if (build.value().equals(entry.getValue().get("id"))) {
                stream.remove(entry.getKey());
                return;
            }
        }
    }

    /** Builds that some node has taken and not yet ended, oldest first, at most {@code count}. */
    List<PendingEntry> pending(int count) {
        return pending(StreamMessageId.MIN, count);
    }

    /** As {@link #pending(int)}, from entry {@code from} on (to page through them). */
    List<PendingEntry> pending(StreamMessageId from, int count) {
        return stream().listPending(BuildKeys.GROUP, from, StreamMessageId.MAX, count);
    }

    /** The group's consumers: one per node that has read from it (and not been removed). */
    List<StreamConsumer> consumers() {
        return stream().listConsumers(BuildKeys.GROUP);
    }

    /** Removes a consumer from the group (with the entries it holds: called only for one holding none). */
    void removeConsumer(String consumer) {
        stream().removeConsumer(BuildKeys.GROUP, consumer);
    }

    /**
     * Makes a pending entry this node's if it has been idle at least {@code minIdle}: of several nodes trying, one
     * gets it (claiming resets its idle time). @return the build it names, if this node got it
     */
    Optional<Taken> claim(StreamMessageId entry, Duration minIdle) {
        Map<StreamMessageId, Map<String, String>> claimed = stream().claim(BuildKeys.GROUP, node, minIdle.toMillis(),
                TimeUnit.MILLISECONDS, entry);
        if (claimed == null || claimed.isEmpty()) {
            return Optional.empty();
        }
        Map<String, String> fields = claimed.values().iterator().next();
        String id = fields == null ? null : fields.get("id");
        if (id == null || !BuildId.valid(id)) {
            done(entry);
            return Optional.empty();
        }
        return Optional.of(new Taken(entry, new BuildId(id)));
    }

    /** The build a queue entry names, if the entry is still there. */
    Optional<BuildId> buildOf(StreamMessageId entry) {
        Map<StreamMessageId, Map<String, String>> found = stream().range(1, entry, entry);
        if (found == null || found.isEmpty()) {
            return Optional.empty();
        }
        String id = found.values().iterator().next().get("id");
        return id != null && BuildId.valid(id) ? Optional.of(new BuildId(id)) : Optional.empty();
    }

    /** Builds waiting for a node: entries in the stream that no node has taken. */
    long waiting() {
        RStream<String, String> stream = stream();
        long size = stream.size();
        long taken;
        try {
            taken = stream.getPendingInfo(BuildKeys.GROUP).getTotal();
        } catch (RedisException e) {
            taken = 0; // no group yet
        }
        return Math.max(0, size - taken);
    }

    private RStream<String, String> stream() {
        return redis.getStream(BuildKeys.QUEUE, StringCodec.INSTANCE);
    }
}
