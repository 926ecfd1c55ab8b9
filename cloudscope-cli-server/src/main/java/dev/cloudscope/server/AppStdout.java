package dev.cloudscope.server;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.Charset;

/**
 * The server process's stdout, where the app prints its lines ({@code console.log} in the lesson): buffered, not
 * flushed at each line as the JDK's is. The network pipeline flushes it before every write to a client
 * ({@code io.internal.netty.StdoutBeforeReplies}), so a line printed before an emit is out before the client can see the
 * reply; a daemon thread flushes it at least every {@value #FLUSH_MILLIS} ms for lines that no write follows.
 * A round trip's three lines then cost one {@code write} (under load, many round trips share one) instead of three.
 */
final class AppStdout {

    static final long FLUSH_MILLIS = 50;

    private AppStdout() {
    }

    static void install() {
        String encoding = System.getProperty("sun.stdout.encoding");
        Charset charset = encoding != null && Charset.isSupported(encoding) ? Charset.forName(encoding) : Charset.defaultCharset();
        PrintStream out = new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16),
                false, charset);
        System.setOut(out);
        Thread flusher = new Thread(() -> {
            try {
                while (true) {
                    Thread.sleep(FLUSH_MILLIS);
                    out.flush();
                }
            } catch (InterruptedException e) {
                out.flush();
            }
        }, "stdout-flusher");
        flusher.setDaemon(true);
        flusher.start();
        Runtime.getRuntime().addShutdownHook(new Thread(out::flush, "stdout-flush-at-exit"));
    }
}
