package dev.cloudscope.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One run of {@code node-client/load.js}: N concurrent lesson clients for D seconds against the server, started in
 * the background; {@link #awaitResult} waits for its one JSON line of totals. Stopped by pid in {@link #close}.
 */
final class NodeLoad implements AutoCloseable {

    /** The totals load.js prints; numbers by name (nested ones such as ackMs.p50 by their own name, p50). */
    record Result(String json, Map<String, Long> numbers) {

        private static final Pattern NUMBER = Pattern.compile("\"(\\w+)\":(-?\\d+)");

        static Result parse(String json) {
            Map<String, Long> numbers = new LinkedHashMap<>();
            Matcher matcher = NUMBER.matcher(json);
            while (matcher.find()) {
                numbers.putIfAbsent(matcher.group(1), Long.parseLong(matcher.group(2)));
            }
            return new Result(json, numbers);
        }

        long get(String name) {
            Long value = numbers.get(name);
            if (value == null) {
                throw new AssertionError("no '" + name + "' in load.js's totals: " + json);
            }
            return value;
        }
    }

    private final Process process;
    private final Path out;
    private final Path err;
    private final int clients;
    private final int seconds;

    private NodeLoad(Process process, Path out, Path err, int clients, int seconds) {
        this.process = process;
        this.out = out;
        this.err = err;
        this.clients = clients;
        this.seconds = seconds;
    }

    /** Starts {@code clients} v4 clients (WebSocket only) looping the lesson's chat for {@code seconds} at {@code url}. */
    static NodeLoad start(Path dir, String url, int clients, int seconds) {
        return start(dir, url, clients, seconds, "v4");
    }

    static NodeLoad start(Path dir, String url, int clients, int seconds, String generation) {
        return launch(dir, NodeFixture.loadCommand(url, clients, seconds, generation), clients, seconds);
    }

    /**
     * Starts {@code rooms-load.js}: {@code clients} v4 clients spread over {@code urls} in rooms of {@code roomSize}
     * that span them, each saying a numbered line to its room every second for {@code seconds} (see rooms-load.js).
     */
    static NodeLoad startRooms(Path dir, List<String> urls, int clients, int roomSize, int seconds) {
        return launch(dir, NodeFixture.roomsLoadCommand(urls, clients, roomSize, seconds), clients, seconds);
    }

    private static NodeLoad launch(Path dir, List<String> command, int clients, int seconds) {
        String name = "load-" + System.nanoTime();
        Path out = dir.resolve(name + ".out");
        Path err = dir.resolve(name + ".err");
        try {
            Process process = new ProcessBuilder(command)
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .start();
            return new NodeLoad(process, out, err, clients, seconds);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Waits for load.js to end by itself (it does within D + its grace period + 15 s) and returns its totals; fails
     * if it did not end, exited non-zero or printed no totals.
     */
    Result awaitResult() {
        return awaitResult(Duration.ofSeconds(seconds + 40L));
    }

    /** As {@link #awaitResult()}, waiting at most {@code bound}. */
    Result awaitResult(Duration bound) {
        try {
            if (!process.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS)) {
                close();
                throw new AssertionError("the load (" + clients + " clients, " + seconds + " s) still running after "
                        + bound.toSeconds() + " s; killed. stderr:\n" + stderr());
            }
            List<String> lines = Files.readString(out, StandardCharsets.UTF_8).lines().toList();
            if (process.exitValue() != 0 || lines.isEmpty()) {
                throw new AssertionError("load.js exited " + process.exitValue() + ", stdout " + lines + ", stderr:\n"
                        + stderr());
            }
            return Result.parse(lines.get(lines.size() - 1));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** SIGKILL, and wait for it to be gone. */
    void kill() {
        if (!Processes.kill(process)) {
            throw new AssertionError("load.js " + pid() + " survived SIGKILL for 10 s");
        }
    }

    String stderr() {
        return Processes.read(err);
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
    }
}
