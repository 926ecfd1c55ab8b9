package dev.cloudscope.it;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** One member's process: lines written to its stdin, its stdout and stderr in files of their own. */
final class RoomMember implements AutoCloseable {

    /** The lesson's auth middleware's reply, which a member on / (the 2.x client) also prints. */
    static final String AUTH_REPLY = "res from server: auth!Hello Man!!!";

    private final String name;
    private final Process process;
    private final OutputStream stdin;
    private final Path out;
    private final Path err;

    private RoomMember(String name, Process process, Path out, Path err) {
        this.name = name;
        this.process = process;
        this.stdin = process.getOutputStream();
        this.out = out;
        this.err = err;
    }

    static RoomMember start(Path dir, String name, List<String> command) {
        Path out = dir.resolve(name + ".out");
        Path err = dir.resolve(name + ".err");
        try {
            Process process = new ProcessBuilder(command)
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.PIPE)
                    .start();
            return new RoomMember(name, process, out, err);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String name() {
        return name;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** The line saying it joined the room, once printed. */
    String joinedLine() {
        return stderr().lines().filter(line -> line.startsWith("joined ")).findFirst().orElse(null);
    }

    void write(String line) {
        try {
            stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            stdin.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(name + ": cannot write to stdin (stderr: " + stderr() + ")", e);
        }
    }

    void closeStdin() {
        try {
            stdin.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Complete lines on stdout so far. */
    List<String> stdout() {
        String text = Processes.read(out);
        int end = text.lastIndexOf('\n');
        return end < 0 ? List.of() : text.substring(0, end).lines().toList();
    }

    /** What the room said to it ({@code FROM: TEXT}), in the order it printed them. */
    List<String> saidLines() {
        return stdout().stream().filter(line -> !line.equals(AUTH_REPLY)).toList();
    }

    /** The texts {@code sender} said to the room, as this member printed them ({@code FROM: TEXT}), in order. */
    List<String> heardFrom(RoomMember sender) {
        String prefix = sender.name() + ": ";
        return saidLines().stream().filter(line -> line.startsWith(prefix)).map(line -> line.substring(prefix.length()))
                .toList();
    }

    String stderr() {
        return Processes.read(err);
    }

    int awaitExit(Duration bound) {
        try {
            if (!process.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError(this + " still running " + bound.toSeconds() + " s after its stdin ended; "
                        + "stderr: " + stderr());
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() {
        Processes.kill(process);
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ")";
    }
}
