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
