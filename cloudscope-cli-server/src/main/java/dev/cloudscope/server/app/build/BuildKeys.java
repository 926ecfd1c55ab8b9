package dev.cloudscope.server.app.build;

/**
 * Where the cluster keeps builds in Redis (docs/scaling.md, "Builds across nodes"). Every key a build owns begins
 * with its record's key, so that retention removes them together.
 */
final class BuildKeys {

    /** The builds kept, scored by when they were made (ms): {@code list} and retention. */
    static final String INDEX = "cloudscope:builds";
    /** The queue: a stream of {@code {id}} entries read by the consumer group {@link #GROUP}. */
    static final String QUEUE = "cloudscope:builds:queue";
    static final String GROUP = "builders";
    /** Pub/sub: {@code "ID SEQ"} once a build's log has entries up to SEQ (a nudge; followers read the stream). */
    static final String APPENDED = "cloudscope:builds:appended";
    /** Pub/sub: {@code "ID"}, a build to cancel, for the node running it. */
    static final String CANCEL = "cloudscope:builds:cancel";

    private BuildKeys() {
    }

    /** The build's record: a hash of its request, status, stage, times, node, last seq. */
    static String record(BuildId id) {
        return "cloudscope:build:" + id.value();
    }

    /** The build's log: a stream whose entry ids are {@code SEQ-0}, so a log's seq is its Redis id. */
    static String log(BuildId id) {
        return record(id) + ":log";
    }

    /** The running node's lease: its name, with a TTL it renews; gone, the node is taken for dead. */
    static String lease(BuildId id) {
        return record(id) + ":lease";
    }
}
