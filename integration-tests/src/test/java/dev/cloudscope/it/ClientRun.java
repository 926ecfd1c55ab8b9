package dev.cloudscope.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One run of a client process to its end (the real CLI jar, or the Node fixture): exit code, stdout, stderr. With a
 * {@link Trace}, stdout goes to the trace (read it there, interleaved with the server's) and {@code stdout} here is
 * empty.
 */
record ClientRun(int exitCode, List<String> stdout, List<String> stderr) {

    private static final long TIMEOUT_SECONDS = 60;

    /** Runs {@code cloudscope ARGS}; stdout is appended to {@code trace}, or kept apart if it is null. */
    static ClientRun cli(Path dir, Trace trace, String... args) {
        List<String> command = new ArrayList<>(List.of(Jars.java(), "-jar", Jars.cli().toString()));
        command.addAll(List.of(args));
        return run(dir, trace, command);
    }

    /** Runs {@code cloudscope ARGS} in the working directory {@code cwd}; stdout kept apart. */
    static ClientRun cliIn(Path dir, Path cwd, String... args) {
        List<String> command = new ArrayList<>(List.of(Jars.java(), "-jar", Jars.cli().toString()));
        command.addAll(List.of(args));
        return run(dir, null, command, cwd);
    }

    /** Runs {@code command}; stdout is appended to {@code trace}, or kept apart if it is null. */
    static ClientRun run(Path dir, Trace trace, List<String> command) {
        return run(dir, trace, command, null);
    }

    /** As {@link #run(Path, Trace, List)}, in the working directory {@code cwd} (null: this process's). */
    static ClientRun run(Path dir, Trace trace, List<String> command, Path cwd) {
        Path out = trace == null ? dir.resolve("client-" + System.nanoTime() + ".out") : trace.file();
        Path err = dir.resolve("client-" + System.nanoTime() + ".err");
        try {
            Process process = new ProcessBuilder(command)
                    .directory(cwd == null ? null : cwd.toFile())
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()))
                    .redirectError(err.toFile())
                    .start();
            try {
                if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    throw new AssertionError(String.join(" ", command) + " still running after "
                            + TIMEOUT_SECONDS + " s");
                }
            } finally {
                process.destroyForcibly();
            }
            List<String> stdout = trace == null ? read(out) : List.of();
            return new ClientRun(process.exitValue(), stdout, read(err));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static List<String> read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8).lines().toList();
    }
}
