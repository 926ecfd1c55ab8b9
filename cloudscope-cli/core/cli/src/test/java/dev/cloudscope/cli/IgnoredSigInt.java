package dev.cloudscope.cli;

import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A process started with SIGINT ignored (every child of a background job of a non-interactive shell is) keeps it
 * ignored, and its JVM cannot handle Ctrl-C at all: a test of Ctrl-C is skipped there, saying so, not failed.
 */
final class IgnoredSigInt {

    private IgnoredSigInt() {
    }

    static void assumeHandled(long pid) {
        assumeFalse(ignored(pid), "process " + pid + " started with SIGINT ignored (a background job of a"
                + " non-interactive shell?): it cannot see Ctrl-C");
    }

    private static boolean ignored(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
                if (line.startsWith("SigIgn:")) {
                    return (Long.parseUnsignedLong(line.substring("SigIgn:".length()).trim(), 16) & 0b10) != 0;
                }
            }
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
