package dev.cloudscope.server.io.internal.cluster;

import dev.cloudscope.server.io.internal.core.LocalRooms;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.redisson.api.RBatch;
import org.redisson.api.RFuture;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.api.stream.StreamAddArgs;
import org.redisson.client.codec.StringCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's writes to Redis, in the order they were asked for, on one thread of their own: emits onto the
 * namespaces' streams (numbered per namespace, so that other nodes can drop a repeat and see a gap), membership
 * mirrored into this node's sets, member counts across nodes, and a heartbeat. What is queued goes in one pipelined
 * batch; a batch Redis did not take is sent again, the same, until Redis is back (a repeat of an entry Redis did
 * take is dropped by its readers). One order for everything is what keeps a sender's emits in order, and a member
 * count after its own join.
 */
final class Outbox {

    private static final Logger log = LoggerFactory.getLogger(Outbox.class);

    /** About this many entries stay in a stream (XADD MAXLEN ~): minutes of a busy room, for a reader that lags. */
    static final int STREAM_LENGTH = 10_000;
    /** Queued operations at most; past it, emits are dropped (and counted) rather than the node's heap exhausted. */
    static final int CAPACITY = 100_000;
    private static final int BATCH = 500;
    static final long HEARTBEAT_MS = 3_000;
    /** A node whose heartbeat is older is not counted; one older than {@link #DEAD_MS} has its keys deleted. */
    static final long LIVE_MS = 15_000;
    static final long DEAD_MS = 60_000;
    private static final long CLOSE_MS = 5_000;

    private interface Op {
    }

    private record Publish(String namespace, String json) implements Op {
    }

    /** Make Redis say what {@link LocalRooms} says of this socket and room, whichever the change was. */
    private record Mirror(String namespace, String socketId, String room) implements Op {
    }

    private record Query(String namespace, Set<String> rooms, Set<String> except,
                         CompletableFuture<Set<String>> answer) implements Op {
    }

    private record Close() implements Op {
    }

    /**
     * The ids in any of the rooms (every socket of the namespace if none) and in none of the except rooms, over the
     * sockets of every node whose heartbeat is recent (Redis's clock). KEYS[1]: the nodes; ARGV: the key prefix of
     * nodes, the namespace, the live window in ms, how many rooms, the rooms, the except rooms.
     */
    private static final String SOCKET_IDS = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local nodes = redis.call('ZRANGEBYSCORE', KEYS[1], now - tonumber(ARGV[3]), '+inf')
            local nodePrefix, ns, roomCount = ARGV[1], ARGV[2], tonumber(ARGV[4])
            local function collect(from, to, ids)
              for _, node in ipairs(nodes) do
                local prefix = nodePrefix .. node .. ':' .. ns .. ':'
                if from > to then
                  for _, id in ipairs(redis.call('SMEMBERS', prefix .. 'sockets')) do ids[id] = true end
                end
                for i = from, to do
                  for _, id in ipairs(redis.call('SMEMBERS', prefix .. 'in:' .. ARGV[i])) do ids[id] = true end
                  if redis.call('SISMEMBER', prefix .. 'sockets', ARGV[i]) == 1 then ids[ARGV[i]] = true end
                end
              end
              return ids
            end
            local included = collect(5, 4 + roomCount, {})
            local excluded = {}
            if #ARGV > 4 + roomCount then excluded = collect(5 + roomCount, #ARGV, {}) end
            local answer = {}
            for id in pairs(included) do
              if not excluded[id] then answer[#answer + 1] = id end
            end
            return answer
            """;

    /**
     * This node's heartbeat (Redis's clock, so that nodes' clocks need not agree): answers whether it was missing
     * (Redis restarted empty, or this node was taken for dead), then the nodes dead for {@code DEAD_MS}.
     */
    private static final String HEARTBEAT = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local added = redis.call('ZADD', KEYS[1], now, ARGV[1])
            local answer = {tostring(added)}
            for _, node in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))) do
              answer[#answer + 1] = node
            end
            return answer
            """;

    private final RedissonClient redis;
    private final String node;
    private final LocalRooms local;
    private final BlockingQueue<Op> queue = new LinkedBlockingQueue<>(CAPACITY);
    private final Thread thread;
    /** Set when Redis may lack some of this node's membership: every membership is written again. */
    private final AtomicBoolean remirror = new AtomicBoolean(true);
    private final AtomicLong dropped = new AtomicLong();
    /** The last number given to an emit, per namespace; the outbox thread's own. */
    private final Map<String, Long> seq = new HashMap<>();
    private final Set<String> namespaces;
    private volatile boolean closing;
    private volatile long closeDeadline;
    /** Whether Redis refused the last batch; the outbox thread's, read by {@link #close} once it has ended. */
    private volatile boolean failing;
    private long nextHeartbeat;

    Outbox(RedissonClient redis, String node, Set<String> namespaces, LocalRooms local) {
        this.redis = redis;
        this.node = node;
        this.namespaces = Set.copyOf(namespaces);
        this.local = local;
        this.thread = new Thread(this::run, "cluster-rooms-outbox");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    void publish(String namespace, String json) {
        if (closing || !queue.offer(new Publish(namespace, json))) {
            long count = dropped.incrementAndGet();
            if (Long.bitCount(count) == 1) { // 1, 2, 4, 8...: a log line per doubling, not per emit
                log.warn("cluster: {} room emit(s) dropped so far: {} operations already wait for Redis", count,
                        CAPACITY);
            }
        }
    }

    void mirror(String namespace, String socketId, String room) {
        if (!queue.offer(new Mirror(namespace, socketId, room))) {
            remirror.set(true);
        }
    }

    /** The answer, or null if it cannot be had from Redis (the caller then counts its own members). */
    CompletableFuture<Set<String>> socketIds(String namespace, Set<String> rooms, Set<String> except) {
        CompletableFuture<Set<String>> answer = new CompletableFuture<>();
        if (closing || !queue.offer(new Query(namespace, rooms, except, answer))) {
            answer.complete(null);
        }
        return answer;
    }

    /** Sends what is queued, for {@code CLOSE_MS} at most, then deletes this node's keys and heartbeat. */
    void close() {
        closeDeadline = System.currentTimeMillis() + CLOSE_MS;
        closing = true;
        queue.offer(new Close());
        try {
            thread.join(CLOSE_MS + 2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (failing) {
            log.warn("cluster: Redis is away: node {}'s keys stay until another node deletes them ({} s)", node,
                    DEAD_MS / 1000);
            return;
        }
        try {
            redis.getKeys().deleteByPattern(RoomKeys.ofNode(node));
            redis.getScoredSortedSet(RoomKeys.NODES, StringCodec.INSTANCE).remove(node);
        } catch (RuntimeException e) {
            log.warn("cluster: could not delete node {}'s keys ({}); other nodes delete them after {} s",
                    node, brief(e), DEAD_MS / 1000);
        }
    }

    private void run() {
        List<Op> ops = new ArrayList<>(BATCH);
        while (true) {
            try {
                Op first = queue.poll(Math.max(0, nextHeartbeat - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
                if (first != null) {
                    ops.add(first);
                    queue.drainTo(ops, BATCH - 1);
                }
            } catch (InterruptedException e) {
                return;
            }
            boolean stop = ops.removeIf(op -> op instanceof Close);
            boolean heartbeat = System.currentTimeMillis() >= nextHeartbeat;
            if (!ops.isEmpty() || heartbeat || remirror.get()) {
                send(ops, heartbeat);
            }
            ops.clear();
            if (stop || (closing && queue.isEmpty())) {
                return;
            }
            if (closing && System.currentTimeMillis() > closeDeadline) {
                log.warn("cluster: stopping with {} operation(s) queued that Redis never took", queue.size());
                queue.forEach(Outbox::giveUp);
                return;
            }
        }
    }

    /** One batch, sent until Redis takes it (or, when closing, until the deadline). */
    private void send(List<Op> ops, boolean heartbeat) {
        List<Consumer<RBatch>> writes = new ArrayList<>(ops.size());
        for (Op op : ops) {
            if (op instanceof Publish publish) {
                // numbered once: a batch sent again carries the same numbers, so a reader drops what it already has
                long number = seq.merge(publish.namespace(), 1L, Long::sum);
                Map<String, String> fields = RoomEntry.fields(node, number, publish.json());
                String stream = RoomKeys.stream(publish.namespace());
                writes.add(batch -> batch.<String, String>getStream(stream, StringCodec.INSTANCE)
                        .addAsync(StreamAddArgs.entries(fields).trimNonStrict().maxLen(STREAM_LENGTH).noLimit()));
            }
        }
        for (long backoff = 100; ; backoff = Math.min(backoff * 2, 2_000)) {
            try {
                execute(ops, writes, heartbeat);
                if (failing) {
                    failing = false;
                    log.warn("cluster: Redis takes this node's writes again");
                }
                return;
            } catch (RuntimeException e) { // Redisson's, whatever their class: the connection, a timeout, a restart
                if (!failing) {
                    failing = true;
                    log.warn("cluster: cannot write to Redis ({}); room emits and membership wait for it", brief(e));
                }
                ops.forEach(Outbox::giveUp); // member counts fall back to this node's own now, not after the outage
                if (closing && System.currentTimeMillis() > closeDeadline) {
                    log.warn("cluster: stopping with {} operation(s) Redis never took", ops.size() + queue.size());
                    queue.forEach(Outbox::giveUp);
                    queue.clear();
                    return;
                }
                ops.removeIf(op -> op instanceof Query);
                sleep(backoff);
            }
        }
    }

    private void execute(List<Op> ops, List<Consumer<RBatch>> writes, boolean heartbeat) {
        RBatch batch = redis.createBatch();
        if (remirror.getAndSet(false)) {
            writeAllMembership(batch);
        }
        Map<Query, RFuture<List<Object>>> queries = new HashMap<>();
        int write = 0;
        for (Op op : ops) {
            if (op instanceof Publish) {
                writes.get(write++).accept(batch);
            } else if (op instanceof Mirror mirror) {
                writeMembership(batch, mirror.namespace(), mirror.socketId(), mirror.room(),
                        local.roomsOf(mirror.namespace(), mirror.socketId()).contains(mirror.room()));
            } else if (op instanceof Query query) {
                queries.put(query, batch.getScript(StringCodec.INSTANCE).evalAsync(RScript.Mode.READ_ONLY, SOCKET_IDS,
                        RScript.ReturnType.MULTI, List.of(RoomKeys.NODES), socketIdsArgs(query)));
            }
        }
        RFuture<List<Object>> beat = null;
        if (heartbeat) {
            beat = batch.getScript(StringCodec.INSTANCE).evalAsync(RScript.Mode.READ_WRITE, HEARTBEAT,
                    RScript.ReturnType.MULTI, List.of(RoomKeys.NODES), node, String.valueOf(DEAD_MS));
        }
        try {
            batch.execute();
        } catch (RuntimeException e) {
            remirror.set(true); // part of it may be lost with the Redis that failed: all of it again, later
            throw e;
        }
        queries.forEach((query, ids) -> {
            Set<String> answer = new HashSet<>();
            ids.toCompletableFuture().join().forEach(id -> answer.add(String.valueOf(id)));
            query.answer().complete(Set.copyOf(answer));
        });
        if (beat != null) {
            afterHeartbeat(beat.toCompletableFuture().join());
        }
    }

    private void afterHeartbeat(List<Object> answer) {
        nextHeartbeat = System.currentTimeMillis() + HEARTBEAT_MS;
        if ("1".equals(String.valueOf(answer.get(0)))) {
            remirror.set(true);
        }
        for (Object dead : answer.subList(1, answer.size())) {
            if (!node.equals(dead)) {
                long keys = redis.getKeys().deleteByPattern(RoomKeys.ofNode(String.valueOf(dead)));
                redis.getScoredSortedSet(RoomKeys.NODES, StringCodec.INSTANCE).remove(dead);
                log.info("cluster: node {} sent no heartbeat for {} s: its {} room key(s) deleted", dead,
                        DEAD_MS / 1000, keys);
            }
        }
    }

    private Object[] socketIdsArgs(Query query) {
        List<Object> args = new ArrayList<>();
        args.add(RoomKeys.PREFIX + "node:");
        args.add(query.namespace());
        args.add(String.valueOf(LIVE_MS));
        args.add(String.valueOf(query.rooms().size()));
        args.addAll(query.rooms());
        args.addAll(query.except());
        return args.toArray();
    }

    private void writeAllMembership(RBatch batch) {
        for (String namespace : namespaces) {
            local.roomsBySocket(namespace).forEach((socketId, rooms) -> {
                for (String room : rooms) {
                    writeMembership(batch, namespace, socketId, room, true);
                }
            });
        }
    }

    private void writeMembership(RBatch batch, String namespace, String socketId, String room, boolean in) {
        String key = room.equals(socketId) ? RoomKeys.sockets(node, namespace) : RoomKeys.room(node, namespace, room);
        if (in) {
            batch.getSet(key, StringCodec.INSTANCE).addAsync(socketId);
        } else {
            batch.getSet(key, StringCodec.INSTANCE).removeAsync(socketId);
        }
    }

    /** Redisson's message up to its first sentence's end: its messages go on with pool statistics. */
    static String brief(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int end = message.length();
        for (String stop : List.of("!", ". ", ",", "\n")) {
            int at = message.indexOf(stop);
            if (at > 0 && at < end) {
                end = at;
            }
        }
        return message.substring(0, Math.min(end, 160));
    }

    private static void giveUp(Op op) {
        if (op instanceof Query query) {
            query.answer().complete(null);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
