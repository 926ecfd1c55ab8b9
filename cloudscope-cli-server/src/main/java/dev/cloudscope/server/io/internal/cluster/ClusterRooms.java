package dev.cloudscope.server.io.internal.cluster;

import dev.cloudscope.server.io.internal.core.LocalRooms;
import dev.cloudscope.server.io.internal.core.Rooms;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Rooms} shared by every node on one Redis (socket.io's Redis Streams adapter, in spirit). Who is in which
 * room is known here first ({@link LocalRooms}); an emit reaches this node's members at once and goes, through
 * the {@link Outbox}, onto its namespace's Redis stream, which every other node's {@link StreamTail} reads and
 * delivers to its own members. Membership is mirrored into Redis, per node, for {@link #socketIds} across nodes.
 * Nothing here runs Redis I/O on the caller's thread: an emit or a join only queues. docs/scaling.md.
 */
public final class ClusterRooms implements Rooms, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ClusterRooms.class);
    /** How long a member count waits for Redis before it answers with this node's members alone. */
    static final Duration QUERY_WAIT = Duration.ofSeconds(3);

    private final LocalRooms local;
    private final Outbox outbox;
    private final StreamTail tail;
    /** Where a member count's answer continues (the app's code after it): the worker pool, never the outbox. */
    private final Executor answers;

    ClusterRooms(LocalRooms local, Outbox outbox, StreamTail tail, Executor answers) {
        this.local = local;
        this.outbox = outbox;
        this.tail = tail;
        this.answers = answers;
    }

    void start() {
        outbox.start();
        tail.start();
    }

    @Override
    public void join(String namespace, String socketId, String room) {
        local.join(namespace, socketId, room);
        outbox.mirror(namespace, socketId, room);
    }

    @Override
    public void leave(String namespace, String socketId, String room) {
        local.leave(namespace, socketId, room);
        outbox.mirror(namespace, socketId, room);
    }

    @Override
    public void leaveAll(String namespace, String socketId) {
        Set<String> rooms = local.roomsOf(namespace, socketId);
        local.leaveAll(namespace, socketId);
        for (String room : rooms) {
            outbox.mirror(namespace, socketId, room); // its keys go with it (netty-socketio #1026 kept them)
        }
    }

    @Override
    public Set<String> roomsOf(String namespace, String socketId) {
        return local.roomsOf(namespace, socketId);
    }

    @Override
    public Set<String> members(String namespace, Set<String> rooms) {
        return local.members(namespace, rooms);
    }

    @Override
    public CompletionStage<Set<String>> socketIds(String namespace, Set<String> rooms, Set<String> except) {
        CompletableFuture<Set<String>> everywhere = outbox.socketIds(namespace, rooms, except);
        return everywhere.completeOnTimeout(null, QUERY_WAIT.toMillis(), TimeUnit.MILLISECONDS)
                .thenApplyAsync(ids -> {
                    Set<String> here = local.socketIds(namespace, rooms, except).toCompletableFuture().join();
                    if (ids == null) {
                        // Redis is away (the outbox has said so, once) or slow: not a line per count
                        log.debug("cluster: no answer from Redis within {} s; counting the sockets of {} on this node"
                                + " only", QUERY_WAIT.toSeconds(), namespace);
                        return here;
                    }
                    // this node's own members count even if Redis lost them (restarted empty, not yet mirrored)
                    Set<String> all = new HashSet<>(ids);
                    all.addAll(here);
                    return Set.copyOf(all);
                }, answers);
    }

    @Override
    public void emit(RoomEmit emit) {
        String json = RoomEntry.json(emit); // first: arguments other nodes cannot get fail the emit, here and there
        local.emit(emit);
        outbox.publish(emit.namespace(), json);
    }

    /** Sends what is queued (a few seconds at most), then takes this node's keys out of Redis. */
    @Override
    public void close() {
        tail.stop(); // its blocking read ends meanwhile
        outbox.close();
        tail.close();
    }
}
