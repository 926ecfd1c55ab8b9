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
    /**
     * Characters of queued emits at most (a char of a Java string is one or two bytes): a long outage with large
     * emits must not hold hundreds of MB; past it, emits are dropped (and counted) as past {@link #CAPACITY}.
     */
    static final long MAX_QUEUED_CHARS = 32L * 1024 * 1024;
    private static final int BATCH = 500;
    static final long HEARTBEAT_MS = 3_000;
    /** A node whose heartbeat is older is not counted; one older than {@link #DEAD_MS} has its keys deleted. */
    static final long LIVE_MS = 15_000;
    static final long DEAD_MS = 60_000;
    static final long CLOSE_MS = 5_000;
    /** How long a close waits for Redis to delete this node's keys, after the last batch. */
    private static final long DELETE_MS = 2_000;

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

    /**
     * This node's membership, written afresh: every key the registry (KEYS[1]) lists is deleted, with the registry,
     * then each pair of ARGV (a set's key, a socket id) is added, its key to the registry. One script, so that no
     * reader sees the sets half rebuilt, and no member left while Redis was away or the outbox full stays.
     */
    private static final String REBUILD = """
            for _, key in ipairs(redis.call('SMEMBERS', KEYS[1])) do redis.call('DEL', key) end
            redis.call('DEL', KEYS[1])
            for i = 1, #ARGV, 2 do
              redis.call('SADD', ARGV[i], ARGV[i + 1])
              redis.call('SADD', KEYS[1], ARGV[i])
            end
            return #ARGV / 2
            """;

    /**
     * The number of this node's (ARGV[1]) last batch set to ARGV[2] in KEYS[1]; answers the number it held: one other
     * than the node's last means Redis lost writes of this node's (restarted empty, or from an older save).
     */
    private static final String MARK = """
            local before = redis.call('HGET', KEYS[1], ARGV[1])
            redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
            if before then return before end
            return ''
            """;

    /**
     * A node's keys deleted (those its registry lists, the registry), the node taken out of the nodes (KEYS[1]) and
     * the marks (KEYS[2]), unless its heartbeat is younger than ARGV[2] ms ("-1": whatever its age, a node's own close): one
     * script, so that a node that beats again meanwhile keeps its keys. ARGV[1]: the node; ARGV[3]: its keys' prefix.
     * Answers the keys deleted, or -1 if the node is alive.
     */
    static final String FORGET = """
            local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
            local window = tonumber(ARGV[2])
            if score and window >= 0 then
              local t = redis.call('TIME')
              local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
              if tonumber(score) > now - window then return -1 end
            end
            local registry = ARGV[3] .. 'keys'
            local deleted = 0
            for _, key in ipairs(redis.call('SMEMBERS', registry)) do deleted = deleted + redis.call('DEL', key) end
            redis.call('DEL', registry)
            redis.call('ZREM', KEYS[1], ARGV[1])
            redis.call('HDEL', KEYS[2], ARGV[1])
            return deleted
            """;

    /** KEYS[1] leaves the set without ARGV[1]; an emptied set (gone from Redis) leaves the registry, KEYS[2]. */
    private static final String LEAVE = """
            redis.call('SREM', KEYS[1], ARGV[1])
            if redis.call('EXISTS', KEYS[1]) == 0 then redis.call('SREM', KEYS[2], KEYS[1]) end
            return 0
            """;

    private final RedissonClient redis;
    private final String node;
    private final LocalRooms local;
    private final BlockingQueue<Op> queue;
    /** Characters of the emits queued: taken by {@link #publish}, given back as the outbox thread takes them. */
    private final AtomicLong queuedChars = new AtomicLong();
    private final long maxQueuedChars;
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
    /** The number of the last batch Redis took (0: none yet), as the mark of this node's keys in Redis says it. */
    private long marked;

    Outbox(RedissonClient redis, String node, Set<String> namespaces, LocalRooms local) {
        this(redis, node, namespaces, local, CAPACITY, MAX_QUEUED_CHARS);
    }

    /** With smaller bounds, for tests. */
    Outbox(RedissonClient redis, String node, Set<String> namespaces, LocalRooms local, int capacity,
           long maxQueuedChars) {
        this.queue = new LinkedBlockingQueue<>(capacity);
        this.maxQueuedChars = maxQueuedChars;
        this.redis = redis;
        this.node = node;
        this.namespaces = Set.copyOf(namespaces);
        this.local = local;
        this.thread = new Thread(this::run, "cluster-rooms-outbox");
        this.thread.setDaemon(true);
        this.thread.setUncaughtExceptionHandler((t, e) -> log.error("cluster: the room outbox stopped", e));
    }

    void start() {
        thread.start();
    }

    void publish(String namespace, String json) {
        if (closing) {
            drop("the node is stopping");
            return;
        }
        if (queuedChars.addAndGet(json.length()) > maxQueuedChars) {
            queuedChars.addAndGet(-json.length());
            drop(maxQueuedChars + " characters of emits already wait for Redis");
            return;
        }
        if (!queue.offer(new Publish(namespace, json))) {
            queuedChars.addAndGet(-json.length());
            drop(queue.size() + " operations already wait for Redis");
        }
    }

    private void drop(String why) {
        long count = dropped.incrementAndGet();
        if (Long.bitCount(count) == 1) { // 1, 2, 4, 8...: a log line per doubling, not per emit
            log.warn("cluster: {} room emit(s) dropped so far: {}", count, why);
        }
    }

    /** Room emits dropped so far (the outbox full, or the node stopping). */
    long dropped() {
        return dropped.get();
    }

    void mirror(String namespace, String socketId, String room) {
        if (!queue.offer(new Mirror(namespace, socketId, room))) {
            remirror.set(true); // the whole membership is written afresh, leaves included
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
            thread.join(CLOSE_MS + 1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive() || failing) {
            // the outbox thread may yet write: deleting now could leave keys behind it; the others' sweep will
            log.warn("cluster: Redis is away: node {}'s keys stay until another node deletes them ({} s)", node,
                    DEAD_MS / 1000);
            return;
        }
        try {
            forget(node, -1).toCompletableFuture().get(DELETE_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.warn("cluster: could not delete node {}'s keys ({}); other nodes delete them after {} s",
                    node, brief(e), DEAD_MS / 1000);
        }
    }

    /** {@link #FORGET} of {@code who}'s keys, unless its heartbeat is younger than {@code window} ms (-1: anyway). */
    private RFuture<Long> forget(String who, long window) {
        return redis.getScript(StringCodec.INSTANCE).evalAsync(RScript.Mode.READ_WRITE, FORGET,
                RScript.ReturnType.INTEGER, List.of(RoomKeys.NODES, RoomKeys.MARKS), who, String.valueOf(window),
                RoomKeys.nodePrefix(who));
    }

    private void run() {
        List<Op> ops = new ArrayList<>(BATCH);
        while (true) {
            try {
                if (!turn(ops)) {
                    return;
                }
            } catch (InterruptedException e) {
                return;
            } catch (Throwable e) { // an Error, or a bug: logged, and the outbox goes on (Redis gets it all again)
                log.error("cluster: the room outbox failed; it goes on, and writes this node's membership afresh", e);
                ops.forEach(Outbox::giveUp);
                remirror.set(true);
                if (closing && System.currentTimeMillis() > closeDeadline) {
                    queue.forEach(Outbox::giveUp);
                    return;
                }
                sleep(1_000);
            } finally {
                ops.clear();
            }
        }
    }

    /** One batch taken from the queue and sent; false once the outbox is to stop. */
    private boolean turn(List<Op> ops) throws InterruptedException {
        Op first = queue.poll(Math.max(0, nextHeartbeat - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
        if (first != null) {
            ops.add(first);
            queue.drainTo(ops, BATCH - 1);
        }
        for (Op op : ops) {
            if (op instanceof Publish publish) {
                queuedChars.addAndGet(-publish.json().length());
            }
        }
        boolean stop = ops.removeIf(op -> op instanceof Close);
        boolean heartbeat = System.currentTimeMillis() >= nextHeartbeat;
        if (!ops.isEmpty() || heartbeat || remirror.get()) {
            send(ops, heartbeat);
        }
        if (stop || (closing && queue.isEmpty())) {
            return false;
        }
        if (closing && System.currentTimeMillis() > closeDeadline) {
            log.warn("cluster: stopping with {} operation(s) queued that Redis never took", queue.size());
            queue.forEach(Outbox::giveUp);
            queue.clear();
            return false;
        }
        return true;
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
                if (closing) {
                    backoff = 100; // within the close's few seconds: try again soon
                }
                ops.removeIf(op -> op instanceof Query);
                sleep(backoff);
            }
        }
    }

    private void execute(List<Op> ops, List<Consumer<RBatch>> writes, boolean heartbeat) {
        RBatch batch = redis.createBatch();
        boolean rebuilt = remirror.getAndSet(false);
        if (rebuilt) {
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
        long mark = marked + 1;
        RFuture<String> before = batch.getScript(StringCodec.INSTANCE).evalAsync(RScript.Mode.READ_WRITE, MARK,
                RScript.ReturnType.VALUE, List.of(RoomKeys.MARKS), node, String.valueOf(mark));
        try {
            await(batch.executeAsync());
        } catch (RuntimeException e) {
            remirror.set(true); // part of it may be lost with the Redis that failed: all of it again, later
            throw e;
        }
        String expected = marked == 0 ? "" : String.valueOf(marked);
        if (!rebuilt && !expected.equals(before.toCompletableFuture().join())) {
            // Redis does not hold this node's last batch: it restarted empty, or from an older save, whose sets may
            // hold members that left since; they are written afresh in the next batch
            log.warn("cluster: Redis lost writes of this node's; its room membership is written afresh");
            remirror.set(true);
        }
        marked = mark;
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
            String other = String.valueOf(dead);
            if (!node.equals(other)) {
                // not waited for: the outbox goes on while Redis deletes them (one script, the liveness checked in it)
                forget(other, DEAD_MS).whenComplete((keys, e) -> {
                    if (e != null) {
                        log.warn("cluster: could not delete the keys of dead node {} ({}); trying again later", other,
                                brief(e));
                    } else if (keys != null && keys >= 0) {
                        log.info("cluster: node {} sent no heartbeat for {} s: its {} room key(s) deleted", other,
                                DEAD_MS / 1000, keys);
                    }
                });
            }
        }
    }

    /**
     * A batch's result, waited for in slices: when the node is stopping, no longer than the close's deadline (a silent
     * Redis and Redisson's retries could otherwise hold it for tens of seconds).
     */
    private void await(RFuture<?> result) {
        CompletableFuture<?> future = result.toCompletableFuture();
        while (true) {
            try {
                future.get(100, TimeUnit.MILLISECONDS);
                return;
            } catch (java.util.concurrent.TimeoutException e) {
                if (closing && System.currentTimeMillis() > closeDeadline) {
                    throw new IllegalStateException("no answer from Redis before the close's deadline");
                }
            } catch (java.util.concurrent.ExecutionException e) {
                throw e.getCause() instanceof RuntimeException runtime ? runtime
                        : new IllegalStateException(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for Redis");
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

    /** This node's sets rebuilt from {@link LocalRooms}: what Redis held of them (leaves lost included) goes. */
    private void writeAllMembership(RBatch batch) {
        List<Object> pairs = new ArrayList<>();
        for (String namespace : namespaces) {
            local.roomsBySocket(namespace).forEach((socketId, rooms) -> {
                for (String room : rooms) {
                    pairs.add(key(namespace, socketId, room));
                    pairs.add(socketId);
                }
            });
        }
        batch.getScript(StringCodec.INSTANCE).evalAsync(RScript.Mode.READ_WRITE, REBUILD, RScript.ReturnType.INTEGER,
                List.of(RoomKeys.registry(node)), pairs.toArray());
    }

    private void writeMembership(RBatch batch, String namespace, String socketId, String room, boolean in) {
        String key = key(namespace, socketId, room);
        if (in) {
            batch.getSet(key, StringCodec.INSTANCE).addAsync(socketId);
            batch.getSet(RoomKeys.registry(node), StringCodec.INSTANCE).addAsync(key); // so that it can be deleted
        } else {
            batch.getScript(StringCodec.INSTANCE).evalAsync(RScript.Mode.READ_WRITE, LEAVE,
                    RScript.ReturnType.INTEGER, List.of(key, RoomKeys.registry(node)), socketId);
        }
    }

    private String key(String namespace, String socketId, String room) {
        return room.equals(socketId) ? RoomKeys.sockets(node, namespace) : RoomKeys.room(node, namespace, room);
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
