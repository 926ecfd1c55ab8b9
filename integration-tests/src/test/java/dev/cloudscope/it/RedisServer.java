package dev.cloudscope.it;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real redis-server (Debian's, installed by .ci/run) on a free port, nothing saved to disk unless asked, stopped
 * by its pid. {@link #restart} stops it and starts it again on the same port, for the tests of a Redis that goes
 * away: with {@code persistent}, its append-only file in {@code dir} keeps what it held (as a production Redis
 * would), without, it comes back empty.
 */
final class RedisServer implements AutoCloseable {

    private final Path dir;
    private final int port;
    private final boolean persistent;
    private Process process;

    private RedisServer(Path dir, int port, boolean persistent) {
        this.dir = dir;
        this.port = port;
        this.persistent = persistent;
    }

    static RedisServer start(Path dir, boolean persistent) {
        RedisServer redis = new RedisServer(dir, FreePort.next(), persistent);
        redis.launch();
        return redis;
    }

    static RedisServer start(Path dir) {
        return start(dir, false);
    }

    /** {@code redis://127.0.0.1:PORT}, for {@code cluster.redis}. */
    String url() {
        return "redis://127.0.0.1:" + port;
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    /** SIGKILL, then the same port again once the old one is gone. */
    void restart() {
        stop();
        launch();
    }

    /** SIGKILL; the port refuses connections until {@link #restart}. */
    void stop() {
        if (!Processes.kill(process)) {
            throw new AssertionError("redis-server (pid " + process.pid() + ") did not stop");
        }
    }

    /**
     * Sends one command as RESP and returns its reply: a status, error or integer as its line ({@code +OK},
     * {@code :3}), a bulk string as its text; other replies as their first line only.
     */
    String command(String... words) {
        StringBuilder resp = new StringBuilder("*" + words.length + "\r\n");
        for (String word : words) {
            resp.append('$').append(word.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(word).append("\r\n");
        }
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            out.write(resp.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder line = new StringBuilder();
            for (int c = in.read(); c != -1 && c != '\r'; c = in.read()) {
                line.append((char) c);
            }
            if (line.charAt(0) == '$' && !line.toString().equals("$-1")) {
                in.read(); // the '\n' after the length
                return new String(in.readNBytes(Integer.parseInt(line.substring(1))), StandardCharsets.UTF_8);
            }
            return line.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void launch() {
        List<String> command = List.of("redis-server", "--port", String.valueOf(port), "--bind", "127.0.0.1",
                "--dir", dir.toString(), "--save", "", "--appendonly", persistent ? "yes" : "no",
                "--appendfilename", "redis-" + port + ".aof", "--protected-mode", "no", "--daemonize", "no");
        try {
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis-" + port + ".log").toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("redis-server could not start (is it installed? .ci/run installs it)", e);
        }
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> command("PING").equals("+PONG"));
    }

    @Override
    public void close() {
        Processes.kill(process);
    }
}
