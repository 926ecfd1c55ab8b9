package dev.cloudscope.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** What every process a test starts needs: its output files read, and itself stopped for sure. */
final class Processes {

    private Processes() {
    }

    /** A process's captured output (stdout or stderr file). */
    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** SIGKILL if it still runs, and wait (10 s at most) for it to be gone; true if it is gone. */
    static boolean kill(Process process) {
        if (!process.isAlive()) {
            return true;
        }
        process.destroyForcibly();
        try {
            return process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
