package dev.cloudscope.server.app.build;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * The server's builds as {@code /build} sees them: accepted (validated first, nothing made on bad input), queued,
 * run, cancelled, looked up. {@link LocalBuilds} on one node; {@link ClusterBuilds} with {@code cluster.redis}, where
 * any node answers for any build. A build whose owner (the socket that asked for it) leaves without having detached
 * is cancelled, as {@code gcloud builds submit} cancels on Ctrl-C.
 */
public interface Builds extends AutoCloseable {

    /** A request the server will not take now: the queue is full. */
    final class Busy extends Exception {
        Busy(String message) {
            super(message, null, false, false);
        }
    }

    /** How long {@code cancel} waits for a running build to end before it answers with its status then. */
    Duration CANCEL_WAIT = Duration.ofSeconds(2); // under the CLI's 3 s for Ctrl-C

    /** Validates and queues a build for {@code owner}. @return its id */
    BuildId submit(Object payload, String owner) throws InvalidInputException, Busy, IOException;

    /** The build no longer ends with its owner's connection. @return false for an unknown build */
    boolean detach(BuildId id) throws IOException;

    /**
     * Whether a socket owns a build that has not ended and that it has not detached: its leaving would cancel it.
     * Called on the event loop: answers from memory.
     */
    boolean ownsUnfinished(String socketId);

    /** A socket left: the builds it owns and did not detach are cancelled. */
    void ownerLeft(String socketId);

    /**
     * Cancels a build: a queued one ends at once, a running one once its processes are killed (the answer waits
     * {@link #CANCEL_WAIT} at most for that end). @return its status after the request, empty for an unknown id
     */
    CompletionStage<Optional<BuildStatus>> cancel(BuildId id) throws IOException;

    /** What {@code status} answers, or empty for an unknown id. */
    Optional<Map<String, Object>> status(BuildId id) throws IOException;

    /** The kept builds, newest first: each one's {@link #status}. */
    default List<Map<String, Object>> list() throws IOException {
        List<Map<String, Object>> list = new ArrayList<>();
        for (BuildId id : logs().list()) {
            status(id).ifPresent(list::add); // one removed meanwhile is left out
        }
        return list;
    }

    LogStore logs();

    /**
     * The server begins to stop (before its sockets are disconnected). One node: nothing changes (its sockets'
     * builds are cancelled as they leave, and the rest at {@link #close}). Across nodes: the sockets' leaving no longer
     * cancels their builds, which belong to the cluster (queued ones run on another node); those this node runs are
     * cancelled at {@link #close}.
     */
    default void nodeStopping() {
    }

    /** At server stop: running builds are cancelled (their processes killed) and end as CANCELLED. */
    @Override
    void close();
}
