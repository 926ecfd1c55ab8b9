package dev.cloudscope.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real CLI jar started in the background ({@link ClientRun} runs it to its end), for tests that act while it
 * runs. Stdout is appended to a {@link Trace} (or kept apart if it is null); stopped by pid in {@link #close}.
 */
final class CliProcess implements AutoCloseable {

    private final Process process;
    private final Trace trace;
    private final Path out;
    private final Path err;

    private CliProcess(Process process, Trace trace, Path out, Path err) {
        this.process = process;
        this.trace = trace;
        this.out = out;
        this.err = err;
    }

    /** Starts {@code cloudscope ARGS}. */
    static CliProcess start(Path dir, Trace trace, String... args) {
        List<String> command = new ArrayList<>(List.of(Jars.java(), "-jar", Jars.cli().toString()));
        command.addAll(List.of(args));
        String name = "cli-" + System.nanoTime();
        Path out = trace == null ? dir.resolve(name + ".out") : trace.file();
        Path err = dir.resolve(name + ".err");
        try {
            Process process = new ProcessBuilder(command)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()))
                    .redirectError(err.toFile())
                    .start();
            return new CliProcess(process, trace, out, err);
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

    /** Waits up to {@code bound} for the CLI to end by itself; fails (and kills it) if it does not. */
    ClientRun awaitExit(Duration bound) {
        try {
            if (!process.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS)) {
                String err = stderr();
                close();
                throw new AssertionError("CLI still running after " + bound.toSeconds() + " s; killed. stderr: " + err);
            }
            List<String> stdout = trace == null
                    ? Files.readString(out, StandardCharsets.UTF_8).lines().toList() : List.of();
            return new ClientRun(process.exitValue(), stdout, stderr().lines().toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Complete stdout lines so far (a CLI started without a trace). */
    List<String> stdoutLines() {
        return completeLines(Processes.read(out));
    }

    /** Complete stderr lines so far. */
    List<String> stderrLines() {
        return completeLines(stderr());
    }

    private static List<String> completeLines(String text) {
        int end = text.lastIndexOf('\n');
        return end < 0 ? List.of() : text.substring(0, end).lines().toList();
    }

    String stderr() {
        return Processes.read(err);
    }

    @Override
    public void close() {
        Processes.kill(process);
    }
}
