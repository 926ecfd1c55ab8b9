package dev.cloudscope.server.io.internal.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cloudscope.server.io.internal.core.LocalRooms;
import dev.cloudscope.server.io.internal.core.LocalSockets;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;

/**
 * {@link Outbox} against a real redis-server (as in {@link StreamTailTest}; on a free port, stopped by pid): what
 * stays of a node's membership in Redis after a leave the outbox could not queue, after Redis comes back from an
 * older save, after another node's death; how long a close takes when Redis is silent; the bound on queued emits.
 */
class OutboxTest {

    private static final String NS = "/chat";
    private static final String ROOM = "room:x";
    private static final String NODE = "here~00000001";

    @TempDir
    Path dir;

    private int port;
    private Process redisServer;
    private RedissonClient redis;
    private final LocalRooms local = new LocalRooms(new LocalSockets());
    private Outbox outbox;

    @BeforeEach
    void startRedis() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        startRedisServer();
        Config config = new Config();
        // as ClusterModule's: Redisson's default timeouts, 4 retries
        config.useSingleServer().setAddress("redis://127.0.0.1:" + port).setRetryAttempts(4)
                .setPingConnectionInterval(5_000);
        redis = Redisson.create(config);
    }

    private void startRedisServer() throws IOException {
        redisServer = new ProcessBuilder("redis-server", "--port", String.valueOf(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", dir.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis.log")
                        .toFile())).start();
        await().atMost(Duration.ofSeconds(10)).until(() -> cli("PING").equals("PONG"));
    }

    @AfterEach
    void stop() throws Exception {
        cont();
        if (outbox != null) {
            outbox.close();
        }
        redis.shutdown();
        stopRedisServer();
    }

    private void stopRedisServer() throws InterruptedException {
        redisServer.destroyForcibly();
        assertThat(redisServer.waitFor(10, TimeUnit.SECONDS)).as("redis-server stopped").isTrue();
    }

    @Test
    void aLeaveTheFullOutboxCouldNotQueueLeavesNoGhostMember() throws Exception {
        startOutbox(4);
        join("a", ROOM);
        join("b", ROOM);
        awaitMembers(ROOM, "a", "b");

        cli("CLIENT", "PAUSE", "3000", "ALL"); // the outbox's next batch waits: the queue fills up
        for (int i = 0; i < 20; i++) {
            outbox.publish(NS, "{\"n\":" + i + "}");
        }
        assertThat(outbox.dropped()).as("emits dropped: the outbox is full").isPositive();
        leave("b", ROOM); // not queued either: the membership is written afresh instead

        awaitMembers(ROOM, "a");
    }

    @Test
    void aRedisBackFromAnOlderSaveGetsTheLeavesSinceAndKeepsNoGhostMember() throws Exception {
        startOutbox(Outbox.CAPACITY);
        join("a", ROOM);
        join("b", ROOM);
        awaitMembers(ROOM, "a", "b");
        assertThat(cli("SAVE")).isEqualTo("OK"); // b is a member in the save
        leave("b", ROOM);
        awaitMembers(ROOM, "a");

        stopRedisServer(); // killed: it comes back from the save, with b and this node's registration in it
        startRedisServer();
        assertThat(members(ROOM)).as("the save, loaded").containsExactlyInAnyOrder("a", "b");

        awaitMembers(ROOM, "a");
    }

    @Test
    void aDeadNodesKeysGoAndALiveNodesStay() {
        // the dead: its heartbeat long ago, its membership sets in its registry
        String dead = "dead~00000002";
        String live = "live~00000003";
        for (String node : Set.of(dead, live)) {
            redis.getSet(RoomKeys.room(node, NS, ROOM), StringCodec.INSTANCE).add("s-" + node);
            redis.getSet(RoomKeys.sockets(node, NS), StringCodec.INSTANCE).add("s-" + node);
            redis.getSet(RoomKeys.registry(node), StringCodec.INSTANCE)
                    .addAll(Set.of(RoomKeys.room(node, NS, ROOM), RoomKeys.sockets(node, NS)));
            redis.getMap(RoomKeys.MARKS, StringCodec.INSTANCE).put(node, "7");
        }
        redis.getScoredSortedSet(RoomKeys.NODES, StringCodec.INSTANCE).add(1, dead);
        redis.getScoredSortedSet(RoomKeys.NODES, StringCodec.INSTANCE).add(System.currentTimeMillis(), live);

        startOutbox(Outbox.CAPACITY);

        await().atMost(Duration.ofSeconds(10)).until(() -> redis.getKeys().countExists(RoomKeys.registry(dead)) == 0);
        assertThat(redis.getKeys().countExists(RoomKeys.room(dead, NS, ROOM), RoomKeys.sockets(dead, NS))).isZero();
        assertThat(redis.getScoredSortedSet(RoomKeys.NODES, StringCodec.INSTANCE).contains(dead)).isFalse();
        assertThat(redis.getMap(RoomKeys.MARKS, StringCodec.INSTANCE).containsKey(dead)).isFalse();
        assertThat(redis.getKeys().countExists(RoomKeys.room(live, NS, ROOM), RoomKeys.sockets(live, NS),
                RoomKeys.registry(live))).as("the live node's keys").isEqualTo(3);
    }

    @Test
    void aCloseAgainstASilentRedisEndsWithinSecondsAndLeavesTheKeysToTheOthers() throws Exception {
        startOutbox(Outbox.CAPACITY);
        join("a", ROOM);
        awaitMembers(ROOM, "a");

        signal("STOP"); // Redis takes the connection's bytes and never answers
        join("b", ROOM);
        outbox.publish(NS, "{\"n\":1}");
        Thread.sleep(500); // the batch is on its way
        long start = System.nanoTime();
        outbox.close();
        outbox = null;
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(took).as("ms the close took").isLessThan(Outbox.CLOSE_MS + 5_000);

        cont();
        assertThat(members(ROOM)).as("keys left for the other nodes' sweep").contains("a");
    }

    @Test
    void queuedEmitsAreBoundedByTheirSizeAsWellAsTheirCount() {
        outbox = null; // never started: everything stays queued
        Outbox bounded = new Outbox(redis, NODE, Set.of(NS), local, 1_000, 100);
        bounded.publish(NS, "x".repeat(60));
        assertThat(bounded.dropped()).isZero();
        bounded.publish(NS, "y".repeat(60));
        assertThat(bounded.dropped()).as("past 100 characters queued").isEqualTo(1);
        bounded.publish(NS, "z".repeat(40));
        assertThat(bounded.dropped()).as("within them").isEqualTo(1);
    }

    private void startOutbox(int capacity) {
        outbox = new Outbox(redis, NODE, Set.of(NS), local, capacity, Outbox.MAX_QUEUED_CHARS);
        outbox.start();
    }

    /** As {@link ClusterRooms} does it. */
    private void join(String socketId, String room) {
        local.join(NS, socketId, socketId);
        local.join(NS, socketId, room);
        outbox.mirror(NS, socketId, socketId);
        outbox.mirror(NS, socketId, room);
    }

    private void leave(String socketId, String room) {
        local.leave(NS, socketId, room);
        outbox.mirror(NS, socketId, room);
    }

    private Set<String> members(String room) {
        return redis.<String>getSet(RoomKeys.room(NODE, NS, room), StringCodec.INSTANCE).readAll();
    }

    private void awaitMembers(String room, String... ids) {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> assertThat(members(room)).containsExactlyInAnyOrder(ids));
    }

    private String cli(String... args) throws IOException, InterruptedException {
        String[] command = new String[args.length + 3];
        command[0] = "redis-cli";
        command[1] = "-p";
        command[2] = String.valueOf(port);
        System.arraycopy(args, 0, command, 3, args.length);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes()).trim();
        process.waitFor(10, TimeUnit.SECONDS);
        return out;
    }

    private void signal(String name) throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-" + name, String.valueOf(redisServer.pid())).inheritIO().start()
                .waitFor(10, TimeUnit.SECONDS);
    }

    private void cont() throws IOException, InterruptedException {
        if (redisServer.isAlive()) {
            signal("CONT");
        }
    }
}
