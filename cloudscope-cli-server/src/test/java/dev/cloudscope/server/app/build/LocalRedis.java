package dev.cloudscope.server.app.build;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

/**
 * A real redis-server (Debian's; .ci/run installs it) on a free loopback port for the cluster's component tests,
 * nothing saved to disk, stopped by its pid; and a Redisson client on it. Also what those tests make in it.
 */
final class LocalRedis implements AutoCloseable {

    private final Process process;
    private final int port;
    private final RedissonClient client;

    private LocalRedis(Process process, int port, RedissonClient client) {
        this.process = process;
        this.port = port;
        this.client = client;
    }

    static LocalRedis start(Path dir) throws IOException, InterruptedException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Process process = new ProcessBuilder("redis-server", "--port", String.valueOf(port), "--bind", "127.0.0.1",
                "--dir", dir.toString(), "--save", "", "--appendonly", "no", "--daemonize", "no")
                .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress("127.0.0.1", port), 200);
                break;
            } catch (IOException e) {
                if (System.nanoTime() > deadline || !process.isAlive()) {
                    process.destroyForcibly();
                    throw new IOException("redis-server did not start on port " + port, e);
                }
                Thread.sleep(20);
            }
        }
        Config config = new Config();
        config.useSingleServer().setAddress("redis://127.0.0.1:" + port);
        return new LocalRedis(process, port, Redisson.create(config));
    }

    /** A new build's record, QUEUED, and its queue entry, as a node that accepted it would write them. */
    static BuildId queued(BuildRecords records) {
        BuildId id = BuildId.next();
        assertThat(records.createUnlessFull(id, new BuildRequest(URI.create("https://example.com/a.git"), "main",
                "npm run build", List.of("npm", "run", "build")), Instant.now(), Integer.MAX_VALUE)).as("created").isEmpty();
        return id;
    }

    RedissonClient client() {
        return client;
    }

    int port() {
        return port;
    }

    @Override
    public void close() throws InterruptedException {
        client.shutdown();
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }
}
