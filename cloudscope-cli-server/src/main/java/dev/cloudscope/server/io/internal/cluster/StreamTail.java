package dev.cloudscope.server.io.internal.cluster;

import dev.cloudscope.server.io.internal.core.Rooms.RoomEmit;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.redisson.api.RStream;
import org.redisson.api.RedissonClient;
import org.redisson.api.StreamMessageId;
import org.redisson.api.stream.StreamMultiReadArgs;
import org.redisson.client.codec.StringCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads every namespace's stream from the last entry it delivered (a blocking XREAD, on a thread of its own) and
 * gives other nodes' emits to this node's members. A read that fails is tried again from the same entry, so an
 * outage of the connection loses nothing that Redis kept. Each origin's entries are numbered: one already
 * delivered (a batch its origin sent twice) is dropped, a gap is logged.
 */
final class StreamTail {

    private static final Logger log = LoggerFactory.getLogger(StreamTail.class);
    private static final int COUNT = 500;
    private static final Duration BLOCK = Duration.ofSeconds(2);
    private static final StreamMessageId START = new StreamMessageId(0, 0);
    /** Every this many reads (or when a read returns nothing), whether a stream was reset and who is gone is checked. */
    static final int CHECK_EVERY = 50;
    private static final Comparator<StreamMessageId> ORDER =
            Comparator.comparingLong(StreamMessageId::getId0).thenComparingLong(StreamMessageId::getId1);

    private final RedissonClient redis;
    private final String node;
    /** This node's members get it: the local rooms' emit. */
    private final Consumer<RoomEmit> local;
    /** Namespace by stream key. */
    private final Map<String, String> namespaces = new LinkedHashMap<>();
    /** The last entry read, per stream key; this thread's own once started. */
    private final Map<String, StreamMessageId> last = new HashMap<>();
    /** Per stream key, the last entry read before the stream was found reset: what precedes it is not new. */
    private final Map<String, StreamMessageId> readBeforeReset = new HashMap<>();
    /** The last number delivered, per origin and namespace. */
    private final Map<String, Long> delivered = new HashMap<>();
    private final Thread thread;
    private volatile boolean running = true;
    private boolean failing;
    private int readsSinceCheck;
    /** Origins of {@link #delivered} not among the nodes at the last check: forgotten if they still are not at the next. */
    private Set<String> goneAtLastCheck = Set.of();

    /** Starts at each stream's present end: what was sent before this node started is not for its members. */
    StreamTail(RedissonClient redis, String node, Set<String> namespaces, Consumer<RoomEmit> local) {
        this.redis = redis;
        this.node = node;
        this.local = local;
        for (String namespace : namespaces) {
            String key = RoomKeys.stream(namespace);
            this.namespaces.put(key, namespace);
            this.last.put(key, end(key));
        }
        this.thread = new Thread(this::run, "cluster-rooms-tail");
        this.thread.setDaemon(true);
        this.thread.setUncaughtExceptionHandler((t, e) -> log.error("cluster: reading the room streams stopped", e));
    }

    void start() {
        if (!namespaces.isEmpty()) {
            thread.start();
        }
    }

    /** Stops reading: at once, or when the read under way ends (within 2 s). */
    void stop() {
        running = false;
    }

    /** Stops reading and waits for the read under way to end. */
    void close() {
        stop();
        try {
            thread.join(BLOCK.toMillis() + 3_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        while (running) {
            try {
                readOnce();
            } catch (Throwable e) { // an Error, or a bug: logged, and reading goes on from the same entries
                log.error("cluster: reading the room streams failed; reading goes on", e);
                sleep(1_000);
            }
        }
    }

    private void readOnce() {
        String first = namespaces.keySet().iterator().next();
        try {
            Map<String, StreamMessageId> others = new HashMap<>(last);
            others.remove(first);
            Map<String, Map<StreamMessageId, Map<String, String>>> read = stream(first)
                    .read(StreamMultiReadArgs.greaterThan(last.get(first), others).count(COUNT).timeout(BLOCK));
            if (read != null) {
                read.forEach((key, entries) -> {
                    TreeMap<StreamMessageId, Map<String, String>> inOrder = new TreeMap<>(ORDER);
                    inOrder.putAll(entries);
                    inOrder.forEach((id, fields) -> {
                        last.put(key, id);
                        deliver(key, id, fields);
                    });
                });
            }
            // when idle, and every CHECK_EVERY reads however busy: a busy namespace must not hide another's reset
            if (read == null || read.isEmpty() || ++readsSinceCheck >= CHECK_EVERY) {
                readsSinceCheck = 0;
                rewindIfReset();
                forgetGoneNodes();
            }
            if (failing) {
                failing = false;
                log.warn("cluster: reading the room streams again");
            }
        } catch (RuntimeException e) { // Redisson's, whatever their class: the connection, a timeout, a restart
            if (!running) {
                return;
            }
            if (!failing) {
                failing = true;
                log.warn("cluster: cannot read the room streams ({}); trying again", Outbox.brief(e));
            }
            sleep(500);
        }
    }

    private void deliver(String key, StreamMessageId id, Map<String, String> fields) {
        String namespace = namespaces.get(key);
        RoomEntry entry;
        try {
            entry = RoomEntry.of(namespace, fields);
        } catch (IllegalArgumentException e) {
            log.warn("cluster: skipped entry {} of {}: {}", id, namespace, e.getMessage());
            return;
        }
        if (entry.origin().equals(node)) {
            return; // its members had it when it was sent
        }
        String sender = entry.origin() + " " + namespace;
        Long before = delivered.get(sender);
        StreamMessageId resetAfter = readBeforeReset.get(key);
        if (before == null && resetAfter != null && ORDER.compare(id, resetAfter) <= 0) {
            return; // a sender not heard from since this node started: the entry is older than that
        }
        if (before != null && entry.seq() <= before) {
            log.debug("cluster: entry {} of {} is a repeat of {}'s #{}", id, namespace, entry.origin(), entry.seq());
            return;
        }
        if (before != null && entry.seq() > before + 1) {
            log.warn("cluster: {} room emit(s) of node {} on {} never arrived (trimmed from the stream before this node"
                    + " read them, or lost with a Redis that restarted)", entry.seq() - before - 1, entry.origin(),
                    namespace);
        }
        delivered.put(sender, entry.seq());
        try {
            local.accept(entry.emit());
        } catch (RuntimeException e) {
            log.error("cluster: delivering entry {} of {} failed", id, namespace, e);
        }
    }

    /**
     * Forgets the numbers delivered of nodes no longer among {@code cloudscope:rooms:nodes} at two checks in a row
     * (a node that stopped, or was found dead): one name per process run, so that map would only grow.
     */
    private void forgetGoneNodes() {
        Set<String> nodes = Set.copyOf(redis.<String>getScoredSortedSet(RoomKeys.NODES, StringCodec.INSTANCE)
                .readAll());
        Set<String> gone = new HashSet<>();
        for (String sender : delivered.keySet()) {
            String origin = sender.substring(0, sender.indexOf(' '));
            if (!nodes.contains(origin)) {
                gone.add(origin);
            }
        }
        Set<String> forget = new HashSet<>(gone);
        forget.retainAll(goneAtLastCheck);
        if (!forget.isEmpty()) {
            delivered.keySet().removeIf(sender -> forget.contains(sender.substring(0, sender.indexOf(' '))));
            log.debug("cluster: forgot the numbers of gone node(s) {}", forget);
        }
        gone.removeAll(forget);
        goneAtLastCheck = gone;
    }

    /** The senders (origin and namespace) whose last number this tail keeps: for tests. */
    Set<String> senders() {
        return Set.copyOf(delivered.keySet());
    }

    /**
     * A stream whose end is now below the last entry read came back from a restarted Redis (empty, or from an older
     * save): its new entries may have lower ids than those read, so it is read again from its start, and what was
     * delivered already is told apart by its sender's numbers.
     */
    private void rewindIfReset() {
        for (String key : namespaces.keySet()) {
            StreamMessageId end = end(key);
            if (ORDER.compare(end, last.get(key)) < 0) {
                log.warn("cluster: the stream of {} ends at {}, below {} already read: Redis restarted; reading it"
                        + " again from its start", namespaces.get(key), end, last.get(key));
                readBeforeReset.put(key, last.get(key));
                last.put(key, START);
            }
        }
    }

    /** The id of the stream's last entry, or 0-0 if it has none (or does not exist). */
    private StreamMessageId end(String key) {
        Map<StreamMessageId, Map<String, String>> lastEntry = stream(key).rangeReversed(1, StreamMessageId.MAX,
                StreamMessageId.MIN);
        return lastEntry.isEmpty() ? START : lastEntry.keySet().iterator().next();
    }

    private RStream<String, String> stream(String key) {
        return redis.getStream(key, StringCodec.INSTANCE);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
