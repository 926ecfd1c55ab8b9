package dev.cloudscope.server.io.internal.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cloudscope.server.io.internal.core.Rooms.RoomEmit;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.redisson.Redisson;
import org.redisson.api.RStream;
import org.redisson.api.RedissonClient;
import org.redisson.api.StreamMessageId;
import org.redisson.api.stream.StreamAddArgs;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;

/**
 * {@link StreamTail} against a real redis-server (Debian's, as .ci/run installs it; on a free port, stopped by pid):
 * which entries of a namespace's stream reach this node's members, written into the stream the way a node, a
 * repeated batch or a restarted Redis would leave them.
 */
class StreamTailTest {

    private static final String STREAM = RoomKeys.stream("/chat");

    @TempDir
    Path dir;

    private Process redisServer;
    private RedissonClient redis;
    private StreamTail tail;
    private final List<String> delivered = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startRedis() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        redisServer = new ProcessBuilder("redis-server", "--port", String.valueOf(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", dir.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
        Config config = new Config();
        config.useSingleServer().setAddress("redis://127.0.0.1:" + port).setRetryAttempts(20).setRetryInterval(100);
        redis = Redisson.create(config);
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (tail != null) {
            tail.close();
        }
        redis.shutdown();
        redisServer.destroyForcibly();
        assertThat(redisServer.waitFor(10, TimeUnit.SECONDS)).as("redis-server stopped").isTrue();
    }

    @Test
    void otherNodesEntriesArriveOnceEachInOrderAndThisNodesOwnNever() {
        add(null, "before", 1, "sent before this node started");
        startTail();

        add(null, "node-a", 1, "a1");
        add(null, "here", 1, "mine");
        add(null, "node-b", 1, "b1");
        add(null, "node-a", 2, "a2");
        add(null, "node-a", 2, "a2"); // the same batch sent again: Redis took it twice
        add(null, "node-a", 3, "a3");

        await().atMost(Duration.ofSeconds(10)).until(() -> delivered.contains("a3"));
        assertThat(delivered).containsExactly("a1", "b1", "a2", "a3");
    }

    @Test
    void aStreamThatRestartsBelowWhatWasReadIsReadAgainFromItsStart() {
        redis.getScoredSortedSet(RoomKeys.NODES, StringCodec.INSTANCE).add(System.currentTimeMillis(), "node-a");
        startTail();
        add(null, "node-a", 1, "a1");
        add(null, "node-a", 2, "a2");
        await().atMost(Duration.ofSeconds(10)).until(() -> delivered.contains("a2"));

        // Redis came back without the stream, and its new ids are below those read (its clock went back)
        redis.getKeys().delete(STREAM);
        add(new StreamMessageId(1, 0), "node-c", 1, "old: c was never heard before the restart");
        add(new StreamMessageId(1, 1), "node-a", 2, "a2"); // a's outbox sent its last batch again
        add(new StreamMessageId(1, 2), "node-a", 3, "a3");

        await().atMost(Duration.ofSeconds(10)).until(() -> delivered.contains("a3"));
        // a sender first heard after the restart is delivered from then on (ids from the clock: above those read)
        add(null, "node-c", 2, "c2");
        await().atMost(Duration.ofSeconds(10)).until(() -> delivered.contains("c2"));
        assertThat(delivered).containsExactly("a1", "a2", "a3", "c2");
    }

    @Test
    void aResetIsFoundThoughAnotherNamespaceIsNeverIdle() throws Exception {
        tail = new StreamTail(redis, "here", Set.of("/chat", "/busy"), emit -> {
            if (emit.namespace().equals("/chat")) {
                delivered.add((String) emit.args()[0]);
            }
        });
        // the senders are live nodes: their numbers are kept
        redis.getScoredSortedSet(RoomKeys.NODES, StringCodec.INSTANCE).add(System.currentTimeMillis(), "node-a");
        redis.getScoredSortedSet(RoomKeys.NODES, StringCodec.INSTANCE).add(System.currentTimeMillis(), "node-b");
        tail.start();
        add(null, "node-a", 1, "a1");
        await().atMost(Duration.ofSeconds(10)).until(() -> delivered.contains("a1"));
        AtomicBoolean busy = new AtomicBoolean(true);
        Thread chatter = new Thread(() -> { // an entry on /busy every few ms: no read of the tail comes back empty
            for (long seq = 1; busy.get(); seq++) {
                String json = RoomEntry.json(new RoomEmit("/busy", Set.of("room:x"), Set.of(), "said",
                        new Object[] {"busy"}));
                redis.<String, String>getStream(RoomKeys.stream("/busy"), StringCodec.INSTANCE)
                        .add(StreamAddArgs.entries(RoomEntry.fields("node-b", seq, json)));
                sleep(5);
            }
        });
        chatter.start();
        try {
            Thread.sleep(500);
            redis.getKeys().delete(STREAM);
            add(new StreamMessageId(1, 0), "node-a", 2, "a2");
            await().atMost(Duration.ofSeconds(15)).until(() -> delivered.contains("a2"));
        } finally {
            busy.set(false);
            chatter.join();
        }
        assertThat(delivered).containsExactly("a1", "a2");
    }

    @Test
    void theNumbersOfNodesGoneFromTheNodesAreForgotten() {
        redis.getScoredSortedSet(RoomKeys.NODES, StringCodec.INSTANCE).add(System.currentTimeMillis(), "node-live");
        startTail();
        add(null, "node-gone", 1, "g1");
        add(null, "node-live", 1, "l1");
        await().atMost(Duration.ofSeconds(10)).until(() -> delivered.contains("l1"));

        // two idle reads (2 s each) at most: the gone node is forgotten at its second check
        await().atMost(Duration.ofSeconds(15)).until(() -> tail.senders().equals(Set.of("node-live /chat")));
    }

    @Test
    void anErrorWhileDeliveringDoesNotStopTheTail() {
        tail = new StreamTail(redis, "here", Set.of("/chat"), emit -> {
            if ("boom".equals(emit.args()[0])) {
                throw new StackOverflowError("an Error, not an exception");
            }
            delivered.add((String) emit.args()[0]);
        });
        tail.start();
        add(null, "node-a", 1, "boom");
        add(null, "node-a", 2, "a2");
        await().atMost(Duration.ofSeconds(10)).until(() -> delivered.contains("a2"));
        assertThat(delivered).containsExactly("a2");
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void startTail() {
        tail = new StreamTail(redis, "here", Set.of("/chat"), emit -> delivered.add((String) emit.args()[0]));
        tail.start();
    }

    /** An entry as a node's outbox writes it, at {@code id} or (null) the next id Redis gives. */
    private void add(StreamMessageId id, String origin, long seq, String text) {
        String json = RoomEntry.json(new RoomEmit("/chat", Set.of("room:lobby"), Set.of(), "said", new Object[] {text}));
        StreamAddArgs<String, String> entry = StreamAddArgs.entries(RoomEntry.fields(origin, seq, json));
        RStream<String, String> stream = redis.getStream(STREAM, StringCodec.INSTANCE);
        if (id == null) {
            stream.add(entry);
        } else {
            stream.add(id, entry);
        }
    }
}
