package dev.cloudscope.server.app.build;

import java.util.List;

/**
 * What {@link LogStore#read} found after a sequence number: the next entries in order, the sequence number to read
 * after next time, and whether the log is finished and this page reaches its end (the follower is done).
 */
public record LogPage(List<LogEntry> entries, long lastSeq, boolean finished) {

    public LogPage {
        entries = List.copyOf(entries);
    }
}
