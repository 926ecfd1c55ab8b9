package dev.cloudscope.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * One file that the server's and the CLI's stdout are both appended to (O_APPEND): each line lands whole, in the
 * order the processes wrote it, so the file shows the cross-process order, not the order two readers woke up in.
 */
final class Trace {

    private final Path file;

    Trace(Path dir) {
        this.file = dir.resolve("trace.log");
        try {
            Files.createFile(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path file() {
        return file;
    }

    /** Complete lines so far. */
    List<String> lines() {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            int end = text.lastIndexOf('\n');
            return end < 0 ? List.of() : text.substring(0, end).lines().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Complete lines from index {@code from} on. */
    List<String> linesFrom(int from) {
        List<String> all = lines();
        return all.subList(Math.min(from, all.size()), all.size());
    }
}
