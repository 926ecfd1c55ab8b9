package dev.cloudscope.server.testing;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * What the app prints on stdout (its lines: {@code chat : ...}, {@code packet response!}, {@code disconnect!}),
 * captured from when it starts until it is closed, when System.out is put back.
 */
public final class StdoutCapture implements AutoCloseable {

    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    private final PrintStream original;

    private StdoutCapture() {
        original = System.out;
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
    }

    public static StdoutCapture start() {
        return new StdoutCapture();
    }

    /** The lines printed so far, in order. */
    public List<String> lines() {
        return printed.toString(StandardCharsets.UTF_8).lines().toList(); // toString is synchronized
    }

    /** How many printed lines are exactly {@code line}. */
    public long count(String line) {
        return lines().stream().filter(line::equals).count();
    }

    /** Prints {@code line} on the stdout that was there before the capture (the test's own output). */
    public void printOriginal(String line) {
        original.println(line);
    }

    public void clear() {
        printed.reset();
    }

    @Override
    public void close() {
        System.setOut(original);
    }
}
