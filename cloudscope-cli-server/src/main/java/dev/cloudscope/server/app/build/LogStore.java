package dev.cloudscope.server.app.build;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Builds' logs: one writer per build, any number of followers, each reading at its own pace from where it is
 * ({@link #read}) and told when there is more ({@link #awaitAfter}) instead of polling. A follower holds only its
 * sequence number, so a slow one neither slows the writer nor grows the server's memory.
 */
public interface LogStore extends AutoCloseable {

    /** A new, empty log, open for writing. Also applies the store's retention ({@code build.keep}). */
    BuildLog create(BuildId id) throws IOException;

    /**
     * Up to {@code maxEntries} entries after {@code afterSeq} (0: from the start), in order; fewer when there are
     * no more yet or a page's byte budget is reached (always at least one when there is one).
     *
     * @throws UnknownBuildException no such log
     */
    LogPage read(BuildId id, long afterSeq, int maxEntries) throws IOException;

    /**
     * Completes once the log has an entry after {@code seq} or is finished: at once if it already has. Completes
     * on the store's own thread, never on the writer's; a follower should hand heavy work elsewhere. Completes
     * exceptionally with {@link UnknownBuildException} for no such log.
     */
    CompletionStage<Void> awaitAfter(BuildId id, long seq);

    boolean exists(BuildId id);

    /** The final status of a finished log; empty while it runs. */
    Optional<LogEntry.Status> status(BuildId id) throws IOException;

    /** The builds whose logs are kept, newest first. */
    List<BuildId> list() throws IOException;

    /** Flushes and closes open logs (they stay unfinished; see the implementation for what a restart does). */
    @Override
    void close();
}
