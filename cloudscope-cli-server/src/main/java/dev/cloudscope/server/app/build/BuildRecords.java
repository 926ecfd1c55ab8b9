package dev.cloudscope.server.app.build;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.redisson.api.RMap;
import org.redisson.api.RScript;
import org.redisson.api.RScoredSortedSet;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * Builds' records in Redis, one hash each ({@link BuildKeys#record}): the request (repo, branch, command), status,
 * stage, name, version, times, the node running it, the log's last seq, a cancel flag; and the index of kept builds.
 * Every change of status is a script, so that two nodes never both move one build (QUEUED to WORKING to an end).
 */
public final class BuildRecords {

    /**
     * KEYS: record, lease. ARGV: node, startedAt, lease ms, the queue entry it was taken from. QUEUED becomes WORKING
     * on this node, its lease taken in the same step (no moment where it runs without one). Returns 1, or 0 if it was
     * not QUEUED (cancelled meanwhile). Idempotent: the same call again (sent twice, its first answer lost) finds the
     * build WORKING on this node from this entry and returns 1 too; from another entry (a duplicate left by a
     * hand-back race) it returns 0, so that a build never runs twice.
     */
    private static final String START = """
            local st = redis.call('HGET', KEYS[1], 'status')
            if st == 'WORKING' and redis.call('HGET', KEYS[1], 'node') == ARGV[1]
                and redis.call('HGET', KEYS[1], 'entry') == ARGV[4] then
              redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[3])
              return 1
            end
            if st ~= 'QUEUED' then return 0 end
            redis.call('HSET', KEYS[1], 'status', 'WORKING', 'node', ARGV[1], 'startedAt', ARGV[2], 'entry', ARGV[4])
            redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[3])
            return 1
            """;

    /**
     * KEYS: record, log. ARGV: the statuses it may end from (",QUEUED,WORKING,"), status, message, endedAt, channel,
     * build id. Ends a build that no node will end (cancelled while queued, its node dead): the status entry at the
     * next seq, the record's status. Returns its seq, or 0 if the build was not in one of those statuses.
     */
    private static final String END_IF = """
            local st = redis.call('HGET', KEYS[1], 'status')
            if not st or not string.find(ARGV[1], ',' .. st .. ',', 1, true) then return 0 end
            local seq = tonumber(redis.call('HGET', KEYS[1], 'seq') or '0') + 1
            local entry = cjson.encode({seq = seq, type = 'status', status = ARGV[2], message = ARGV[3]})
            redis.call('XADD', KEYS[2], seq .. '-0', 'e', entry)
            redis.call('HSET', KEYS[1], 'seq', seq, 'status', ARGV[2], 'message', ARGV[3], 'endedAt', ARGV[4])
            redis.call('PUBLISH', ARGV[5], ARGV[6] .. ' ' .. seq)
            return seq
            """;

    /**
     * KEYS: record, index, queue. ARGV: id, repo, branch, command, createdAt, createdAt in ms, the queue's group,
     * the queue limit. Waiting: the queue's entries less those a node has taken (none taken while the group is not
     * there yet). Returns how many wait if that is the limit or more, writing nothing; else creates and returns -1.
     */
    private static final String CREATE = """
            local taken = 0
            local pending = redis.pcall('XPENDING', KEYS[3], ARGV[7])
            if type(pending) == 'table' and not pending.err then taken = tonumber(pending[1]) or 0 end
            local waiting = math.max(0, redis.call('XLEN', KEYS[3]) - taken)
            if waiting >= tonumber(ARGV[8]) then return waiting end
            redis.call('HSET', KEYS[1], 'repo', ARGV[2], 'branch', ARGV[3], 'command', ARGV[4], 'status', 'QUEUED',
                'createdAt', ARGV[5], 'seq', '0')
            redis.call('ZADD', KEYS[2], ARGV[6], ARGV[1])
            redis.call('XADD', KEYS[3], '*', 'id', ARGV[1])
            return -1
            """;

    private final RedissonClient redis;
    private final int keep;

    public BuildRecords(RedissonClient redis, int keep) {
        this.redis = redis;
        this.keep = keep;
    }

    /**
     * A new build's record (QUEUED), its place in the index and in the queue, in one step, unless the queue is full:
     * at least {@code queueLimit} of its entries that no node has taken yet. The check and the add are one script, so
     * that a burst on several nodes at once cannot pass the limit.
     * @return empty if it was created; else how many builds wait (and nothing was written)
     */
    OptionalLong createUnlessFull(BuildId id, BuildRequest request, Instant createdAt, int queueLimit) {
        Long waiting = redis.getScript(StringCodec.INSTANCE).eval(RScript.Mode.READ_WRITE, CREATE,
                RScript.ReturnType.INTEGER, List.of(BuildKeys.record(id), BuildKeys.INDEX, BuildKeys.QUEUE),
                id.value(), request.repo().toString() /* checked: no user or password in it */, request.branch(),
                request.command(), createdAt.toString(), Long.toString(createdAt.toEpochMilli()), BuildKeys.GROUP,
                Integer.toString(queueLimit));
        return waiting == null || waiting < 0 ? OptionalLong.empty() : OptionalLong.of(waiting);
    }

    Optional<Map<String, String>> get(BuildId id) {
        Map<String, String> fields = map(id).readAllMap();
        return fields.isEmpty() ? Optional.empty() : Optional.of(fields);
    }

    boolean exists(BuildId id) {
        return map(id).isExists();
    }

    /**
     * QUEUED to WORKING on {@code node}, with its lease, taken from queue entry {@code entry}.
     * @return false if it was not QUEUED (nor already WORKING on this node from this entry)
     */
    boolean start(BuildId id, String node, String entry, Duration leaseTtl) {
        Long started = redis.getScript(StringCodec.INSTANCE).eval(RScript.Mode.READ_WRITE, START,
                RScript.ReturnType.INTEGER, List.of(BuildKeys.record(id), BuildKeys.lease(id)), node,
                Instant.now().toString(), Long.toString(leaseTtl.toMillis()), entry);
        return started != null && started == 1;
    }

    /** Ends the build as {@code status} if it is in one of {@code from}. @return false if it was not */
    boolean endIf(BuildId id, Collection<BuildStatus> from, BuildStatus status, String message) {
        StringBuilder allowed = new StringBuilder(",");
        from.forEach(s -> allowed.append(s.name()).append(','));
        Long seq = redis.getScript(StringCodec.INSTANCE).eval(RScript.Mode.READ_WRITE, END_IF,
                RScript.ReturnType.INTEGER, List.of(BuildKeys.record(id), BuildKeys.log(id)), allowed.toString(),
                status.name(), message, Instant.now().toString(), BuildKeys.APPENDED, id.value());
        return seq != null && seq > 0;
    }

    void put(BuildId id, Map<String, String> fields) {
        map(id).putAll(fields);
    }

    /** Asks the node running the build to cancel it: the flag its lease renewal reads, and a message now. */
    void requestCancel(BuildId id) {
        map(id).fastPut("cancel", "1");
        redis.getTopic(BuildKeys.CANCEL, StringCodec.INSTANCE).publish(id.value());
    }

    /**
     * Renews the lease of a build this node runs. @return the record's status and cancel flag then (the node
     * cancels a build cancelled elsewhere, or ended by another node that took it for dead)
     */
    Map<String, String> renew(BuildId id, String node, Duration ttl) {
        redis.<String>getBucket(BuildKeys.lease(id), StringCodec.INSTANCE).set(node, ttl);
        return map(id).getAll(java.util.Set.of("status", "cancel"));
    }

    /** Whether some node holds the build's lease (it runs it and is alive). */
    boolean leased(BuildId id) {
        return redis.getBucket(BuildKeys.lease(id), StringCodec.INSTANCE).isExists();
    }

    void release(BuildId id) {
        redis.getBucket(BuildKeys.lease(id), StringCodec.INSTANCE).delete();
    }

    /** Every build in the index, oldest first (the kept ones and those not ended yet): the reaper's safety net. */
    List<BuildId> indexed() {
        List<BuildId> ids = new ArrayList<>();
        for (String value : index().valueRange(0, -1)) {
            if (BuildId.valid(value)) {
                ids.add(new BuildId(value));
            }
        }
        return ids;
    }

    /** The build's status and node, read in one call (empty map if its record is gone). */
    Map<String, String> statusAndNode(BuildId id) {
        return map(id).getAll(java.util.Set.of("status", "node"));
    }

    /** The kept builds, newest first. */
    List<BuildId> list() {
        List<BuildId> ids = new ArrayList<>();
        for (String value : index().valueRangeReversed(0, keep - 1)) {
            if (BuildId.valid(value)) {
                ids.add(new BuildId(value));
            }
        }
        return ids;
    }

    /** Removes the builds beyond the newest {@code build.keep} that have ended: record, log, index entry. */
    void prune() {
        RScoredSortedSet<String> index = index();
        int size = index.size();
        if (size <= keep) {
            return;
        }
        for (String value : index.valueRange(0, size - keep - 1)) {
            if (!BuildId.valid(value)) {
                index.remove(value);
                continue;
            }
            BuildId id = new BuildId(value);
            Optional<Map<String, String>> record = get(id);
            if (record.isPresent() && !status(record.get()).finished()) {
                continue; // queued or running: kept until it ends
            }
            redis.getKeys().delete(BuildKeys.record(id), BuildKeys.log(id), BuildKeys.lease(id));
            index.remove(value);
        }
    }

    /** What {@code status} answers for a record, in the order one node answers it. */
    static Map<String, Object> toMap(BuildId id, Map<String, String> record) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("id", id.value());
        map.put("status", status(record).name());
        putIfSet(map, "stage", record.get("stage"));
        map.put("repo", displayRepo(record.getOrDefault("repo", "")));
        map.put("branch", record.get("branch"));
        map.put("command", record.get("command"));
        putIfSet(map, "name", record.get("name"));
        putIfSet(map, "version", record.get("version"));
        putIfSet(map, "createdAt", record.get("createdAt"));
        putIfSet(map, "startedAt", record.get("startedAt"));
        putIfSet(map, "endedAt", record.get("endedAt"));
        if (record.get("exitCode") != null && !record.get("exitCode").isEmpty()) {
            map.put("exitCode", Integer.valueOf(record.get("exitCode")));
        }
        putIfSet(map, "message", record.get("message"));
        putIfSet(map, "siteUrl", record.get("siteUrl"));
        putIfSet(map, "node", record.get("node"));
        return map;
    }

    private static String displayRepo(String repo) {
        try {
            return BuildRequest.withoutUserInfo(java.net.URI.create(repo));
        } catch (IllegalArgumentException e) {
            return "";
        }
    }

    static BuildStatus status(Map<String, String> record) {
        try {
            return BuildStatus.valueOf(record.getOrDefault("status", "INTERNAL_ERROR"));
        } catch (IllegalArgumentException e) {
            return BuildStatus.INTERNAL_ERROR;
        }
    }

    static long seq(Map<String, String> record) {
        try {
            return Long.parseLong(record.getOrDefault("seq", "0"));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static void putIfSet(Map<String, Object> map, String key, String value) {
        if (value != null && !value.isEmpty()) {
            map.put(key, value);
        }
    }

    private RMap<String, String> map(BuildId id) {
        return redis.getMap(BuildKeys.record(id), StringCodec.INSTANCE);
    }

    private RScoredSortedSet<String> index() {
        return redis.getScoredSortedSet(BuildKeys.INDEX, StringCodec.INSTANCE);
    }
}
