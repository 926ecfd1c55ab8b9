package dev.cloudscope.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cluster.redis} at start-up, against a real redis-server: a node joins it, or says in one line why not. */
class ClusterStartIT {

    @TempDir
    Path dir;

    @Test
    void aNodeWithClusterRedisConnectsUnderItsNameAndStillServesTheLesson() {
        Trace trace = new Trace(dir);
        try (RedisServer redis = RedisServer.start(dir);
             ServerProcess server = ServerProcess.start(dir, trace, FreePort.next(),
                     List.of("-Dcluster.redis=" + redis.url(), "-Dcluster.nodeId=node-a"))) {
            assertThat(redis.command("CLIENT", "LIST")).contains("name=cloudscope:node-a ");

            ClientRun run = ClientRun.cli(dir, null, "chat", server.url("/"));
            assertThat(run.exitCode()).isZero();
            assertThat(run.stdout()).startsWith("connect!");
        }
    }

    @Test
    void anUnreachableRedisStopsStartUpWithOneLine() {
        Trace trace = new Trace(dir);
        int redisPort = FreePort.next(); // nothing listens there
        int port = FreePort.next();
        try (ServerProcess server = ServerProcess.launch(dir, trace, port,
                List.of("-Dcluster.redis=redis://:hidden@127.0.0.1:" + redisPort), "--port", String.valueOf(port))) {
            assertThat(server.awaitExit(Duration.ofSeconds(60))).isEqualTo(2);
            List<String> err = server.stderr().lines().toList();
            assertThat(err).hasSize(1);
            assertThat(err.get(0)).startsWith("cloudscope-server: config: cluster.redis: cannot reach Redis at redis://127.0.0.1:"
                    + redisPort).doesNotContain("hidden");
            assertThat(trace.lines()).isEmpty();
        }
    }
}
