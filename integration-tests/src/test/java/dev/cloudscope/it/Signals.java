package dev.cloudscope.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/** Unix signals to a pid (kill(1)), and what the kernel says about TCP connections (/proc/net/tcp*). */
final class Signals {

    private Signals() {
    }

    /** {@code kill -SIGNAL pid}, e.g. {@code STOP}, {@code CONT}, {@code KILL}, {@code TERM}. */
    static void send(long pid, String signal) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(pid))
                    .redirectErrorStream(true)
                    .start();
            String output = new String(kill.getInputStream().readAllBytes());
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new AssertionError("kill -" + signal + " " + pid + " failed: " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /**
     * Whether process {@code pid} ignores signal number {@code signal} (its SigIgn mask in /proc/PID/status): a
     * process started with SIGINT ignored, as a background job of a non-interactive shell is, keeps it ignored, and
     * a JVM then cannot handle Ctrl-C at all.
     */
    static boolean ignores(long pid, int signal) {
        try {
            for (String line : Files.readAllLines(Paths.get("/proc", String.valueOf(pid), "status"))) {
                if (line.startsWith("SigIgn:")) {
                    long mask = Long.parseUnsignedLong(line.substring("SigIgn:".length()).trim(), 16);
                    return (mask & (1L << (signal - 1))) != 0;
                }
            }
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * How many TCP connections to local port {@code port} are established (state 01) as far as the kernel is
     * concerned, whether or not the listening process accepted them yet (a stopped server's backlog counts).
     */
    static long establishedTo(int port) {
        String localPort = ":" + String.format(Locale.ROOT, "%04X", port);
        long count = 0;
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path file = Paths.get(table);
            if (!Files.isReadable(file)) {
                continue;
            }
            try {
                for (String line : Files.readAllLines(file)) {
                    String[] fields = line.trim().split("\\s+");
                    // sl local_address rem_address st ...
                    if (fields.length > 3 && fields[1].endsWith(localPort) && fields[3].equals("01")) {
                        count++;
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return count;
    }
}
