package dev.cloudscope.server.app.build;

import java.io.IOException;

/**
 * The writing end of one build's log. Safe to call from several threads (a process's stdout and stderr readers):
 * entries are numbered in the order the calls take the log's lock. Never waits for a follower.
 *
 * <p>Each method returns the entry's sequence number, or 0 when nothing was appended: a line past
 * {@code build.maxLogBytes}, or anything after {@link #finish}, which is ignored rather than thrown so that a
 * process's readers still draining after a cancel or a timeout do not fail.
 */
public interface BuildLog {

    BuildId id();

    /** A line of output, without its line break. */
    long line(LogEntry.Stream stream, String line) throws IOException;

    default long out(String line) throws IOException {
        return line(LogEntry.Stream.OUT, line);
    }

    default long err(String line) throws IOException {
        return line(LogEntry.Stream.ERR, line);
    }

    long stageStart(String stage) throws IOException;

    long stageEnd(String stage, int exitCode, long durationMs) throws IOException;

    /**
     * The final entry; the log is made durable and closed. {@code stage}, {@code exitCode}, {@code message} and
     * {@code siteUrl} may be null.
     */
    long finish(String status, String stage, Integer exitCode, String message, String siteUrl) throws IOException;

    default long finish(String status, String message) throws IOException {
        return finish(status, null, null, message, null);
    }

    boolean finished();

    /** The last sequence number appended so far (0: none). */
    long lastSeq();
}
