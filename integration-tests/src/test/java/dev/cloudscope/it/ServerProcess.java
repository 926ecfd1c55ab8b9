package dev.cloudscope.it;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The real server jar, started with {@code java -jar}, stdout appended to a {@link Trace}. */
final class ServerProcess implements AutoCloseable {

    static final Pattern READY = Pattern.compile("listening on http://([^:\\s]+):(\\d+) \\(pid (\\d+)\\)");
    private static final Pattern CONNECTIONS = Pattern.compile("\"connections\"\\s*:\\s*(\\d+)");
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();

    private final Process process;
    private final Trace trace;
    private final Path stderr;
    private final int port;
    private Integer exitCode;

    private ServerProcess(Process process, Trace trace, Path stderr, int port) {
        this.process = process;
        this.trace = trace;
        this.stderr = stderr;
        this.port = port;
    }

    /** Starts the server on {@code port} and returns once it printed its ready line. */
    static ServerProcess start(Path dir, Trace trace, int port, String... extraArgs) {
        return start(dir, trace, port, List.of(), extraArgs);
    }

    /**
     * Starts the server on {@code port} with JVM options before {@code -jar} (e.g. {@code -Dio.debugEndpoint=true})
     * and returns once it printed its ready line.
     */
    static ServerProcess start(Path dir, Trace trace, int port, List<String> jvmOptions, String... extraArgs) {
        List<String> args = new ArrayList<>(List.of("--port", String.valueOf(port)));
        args.addAll(List.of(extraArgs));
        ServerProcess server = launch(dir, trace, port, jvmOptions, args.toArray(String[]::new));
        await().atMost(Duration.ofSeconds(30)).until(() -> server.readyLine() != null || !server.process.isAlive());
        if (server.readyLine() == null) {
            String err = server.stderr();
            server.close();
            throw new AssertionError("server did not start; stderr:\n" + err);
        }
        return server;
    }

    /**
     * Starts the server with exactly {@code args} and does not wait for it (for start-up failures); {@code port} is
     * where the test expects it, for {@link #url}.
     */
    static ServerProcess launch(Path dir, Trace trace, int port, String... args) {
        return launch(dir, trace, port, List.of(), args);
    }

    /** As {@link #launch(Path, Trace, int, String...)}, with JVM options before {@code -jar}. */
    static ServerProcess launch(Path dir, Trace trace, int port, List<String> jvmOptions, String... args) {
        List<String> command = new ArrayList<>(List.of(Jars.java()));
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", Jars.server().toString()));
        command.addAll(List.of(args));
        Path stderr = dir.resolve("server-" + port + "-" + System.nanoTime() + ".err");
        try {
            Process process = new ProcessBuilder(command)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(trace.file().toFile()))
                    .redirectError(stderr.toFile())
                    .redirectInput(ProcessBuilder.Redirect.PIPE)
                    .start();
            return new ServerProcess(process, trace, stderr, port);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int port() {
        return port;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    String url(String namespace) {
        return "http://127.0.0.1:" + port + (namespace.equals("/") ? "" : namespace);
    }

    /** The ready line, if printed. */
    String readyLine() {
        return trace.lines().stream().filter(line -> READY.matcher(line).find()).findFirst().orElse(null);
    }

    long pidFromReadyLine() {
        Matcher matcher = READY.matcher(readyLine());
        if (!matcher.find()) {
            throw new AssertionError("no ready line");
        }
        return Long.parseLong(matcher.group(3));
    }

    String stderr() {
        return Processes.read(stderr);
    }

    /** Waits for the process to exit on its own (start-up failures) and returns its exit code. */
    int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("server still running after " + timeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        exitCode = process.exitValue();
        return exitCode;
    }

    /** Sends SIGTERM to the server's pid and waits for it to exit; returns the exit code. */
    int terminate() {
        return terminate(Duration.ofSeconds(20));
    }

    /**
     * Sends SIGTERM to the server's pid and waits up to {@code bound} for it to exit; returns the exit code. If it
     * is still running then, it is killed and this fails.
     */
    int terminate(Duration bound) {
        if (process.isAlive()) {
            process.destroy(); // SIGTERM on Unix
        }
        try {
            if (!process.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError("server " + pid() + " still running " + bound.toMillis()
                        + " ms after SIGTERM; killed");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        exitCode = process.exitValue();
        return exitCode;
    }

    /** Sends {@code signal} (e.g. {@code STOP}, {@code CONT}, {@code KILL}) to the server's pid with kill(1). */
    void signal(String signal) {
        Signals.send(pid(), signal);
    }

    /** {@code GET /debug/connections} (the server must run with {@code -Dio.debugEndpoint=true}): the count. */
    int debugConnections() {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port + "/debug/connections"))
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
            Matcher matcher = CONNECTIONS.matcher(response.body());
            if (response.statusCode() != 200 || !matcher.find()) {
                throw new AssertionError("GET /debug/connections: " + response.statusCode() + " " + response.body());
            }
            return Integer.parseInt(matcher.group(1));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() {
        Processes.kill(process);
    }
}
