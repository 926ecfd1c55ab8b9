package dev.cloudscope.server.app.build;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * {@code build.queueLimit} across the cluster, against a real redis-server: a burst of submits from many threads at
 * once (as from several nodes) creates exactly as many builds as the limit, and a refused one writes nothing: no
 * record, no index entry, no queue entry. Builds a node has taken do not count as waiting.
 */
class QueueLimitTest {

    private static final BuildRequest REQUEST = new BuildRequest(URI.create("https://example.com/a.git"), "main",
            "npm run build", List.of("npm", "run", "build"));

    @TempDir
    Path dir;

    private LocalRedis redis;
    private BuildRecords records;

    @BeforeEach
    void start() throws Exception {
        redis = LocalRedis.start(dir);
        records = new BuildRecords(redis.client(), 50);
    }

    @AfterEach
    void stop() throws Exception {
        redis.close();
    }

    @Test
    void aBurstOfSubmitsCreatesExactlyTheLimitAndTheRefusedWriteNothing() throws Exception {
        int limit = 5;
        int submits = 40;
        ExecutorService threads = Executors.newFixedThreadPool(submits);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<OptionalLong>> answers = new ArrayList<>();
        List<BuildId> ids = new ArrayList<>();
        try {
            for (int i = 0; i < submits; i++) {
                BuildId id = BuildId.next();
                ids.add(id);
                answers.add(threads.submit(() -> {
                    go.await();
                    return records.createUnlessFull(id, REQUEST, Instant.now(), limit);
                }));
            }
            go.countDown();
            List<BuildId> created = new ArrayList<>();
            List<Long> refusedWith = new ArrayList<>();
            for (int i = 0; i < submits; i++) {
                OptionalLong full = answers.get(i).get(30, TimeUnit.SECONDS);
                if (full.isEmpty()) {
                    created.add(ids.get(i));
                } else {
                    refusedWith.add(full.getAsLong());
                }
            }

            assertThat(created).as("builds created by %d submits at once against a limit of %d", submits, limit)
                    .hasSize(limit);
            assertThat(refusedWith).as("each refusal says how many wait").hasSize(submits - limit)
                    .allMatch(waiting -> waiting == limit);
            RedissonClient client = redis.client();
            assertThat(client.getScoredSortedSet(BuildKeys.INDEX, StringCodec.INSTANCE).readAll())
                    .as("the index").containsExactlyInAnyOrderElementsOf(created.stream().map(BuildId::value).toList());
            assertThat(client.getStream(BuildKeys.QUEUE, StringCodec.INSTANCE).size()).as("queue entries").isEqualTo(limit);
            for (BuildId id : ids) {
                assertThat(records.exists(id)).as("a record for %s", id.value()).isEqualTo(created.contains(id));
            }
            created.forEach(id -> assertThat(BuildRecords.status(records.get(id).orElseThrow()))
                    .isEqualTo(BuildStatus.QUEUED));
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void aBuildANodeHasTakenNoLongerCountsAsWaiting() {
        BuildQueue node = new BuildQueue(redis.client(), "node-1");
        node.ensureGroup();
        assertThat(records.createUnlessFull(BuildId.next(), REQUEST, Instant.now(), 1)).isEmpty();
        assertThat(records.createUnlessFull(BuildId.next(), REQUEST, Instant.now(), 1)).as("full").hasValue(1);

        assertThat(node.take(Duration.ofSeconds(1))).isPresent();

        assertThat(records.createUnlessFull(BuildId.next(), REQUEST, Instant.now(), 1)).as("room again").isEmpty();
        assertThat(node.waiting()).isEqualTo(1);
    }

    @Test
    void beforeAnyNodeMadeTheGroupEveryEntryWaits() {
        assertThat(records.createUnlessFull(BuildId.next(), REQUEST, Instant.now(), 2)).isEmpty();
        assertThat(records.createUnlessFull(BuildId.next(), REQUEST, Instant.now(), 2)).isEmpty();
        assertThat(records.createUnlessFull(BuildId.next(), REQUEST, Instant.now(), 2)).hasValue(2);
    }
}
