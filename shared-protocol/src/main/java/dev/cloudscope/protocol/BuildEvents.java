package dev.cloudscope.protocol;

import java.util.List;
import java.util.Set;

/**
 * Cloud build on {@link Namespaces#BUILD}: the event names, the stages and the status words, the same on both sides
 * of the socket. Every request is emitted with an acknowledgement callback; a request the server refuses is acked
 * {@code {error}}. Entries of a build's log carry a sequence number {@code seq}, from 1 without gaps; its
 * {@link #STATUS} entry is always the last.
 */
public final class BuildEvents {
    /** Client to server: {@code {repo, branch, command?}}; ack {@code {id}}; the asking socket owns the build. */
    public static final String BUILD = "build";
    /** Client to server: {@code {id}}; ack {@code {id}}: the build no longer ends when its owner disconnects. */
    public static final String DETACH = "detach";
    /** Client to server: {@code {id, after}}; the entries after it as events, ack {@code {id, lastSeq, finished}}. */
    public static final String FOLLOW = "follow";
    /** Client to server: {@code {id}}; ack {@code {id, status}}. */
    public static final String CANCEL = "cancel";
    /** Client to server: {@code {id}}, ack the build's status object; server to client: the log's last entry. */
    public static final String STATUS = "status";
    /** Client to server: {@code {}}; ack {@code {builds: [status objects, newest first]}}. */
    public static final String LIST = "list";
    /** Server to client: {@code {id, seq, stage, state: start|end, exitCode?, durationMs?}}. */
    public static final String STAGE = "stage";
    /** Server to client: {@code {id, seq, stream: out|err, line}}, one line the build printed. */
    public static final String LOG = "log";
    /**
     * Server to client, for a {@code follow} that asked {@code batch: true}: one page of entries,
     * {@code {id, entries: [{id, seq, type, ...}, ...]}}, in place of one event each.
     */
    public static final String ENTRIES = "entries";

    /** {@link #STAGE}'s {@code state} when a stage begins. */
    public static final String STATE_START = "start";
    /** {@link #STAGE}'s {@code state} when a stage ends (with its {@code exitCode} and {@code durationMs}). */
    public static final String STATE_END = "end";
    /** {@link #LOG}'s {@code stream} for a line of the build's stdout. */
    public static final String STREAM_OUT = "out";
    /** {@link #LOG}'s {@code stream} for a line of the build's stderr. */
    public static final String STREAM_ERR = "err";

    /** Stage 1: the build's work dir is made. */
    public static final String STAGE_PREPARE = "prepare";
    /** Stage 2: the branch is cloned (shallow). */
    public static final String STAGE_DOWNLOAD = "download";
    /** Stage 3: the dependencies are installed. */
    public static final String STAGE_INSTALL = "install";
    /** Stage 4: the build command runs. */
    public static final String STAGE_BUILD = "build";
    /** Stage 5: the built site is published. */
    public static final String STAGE_PUBLISH = "publish";
    /** The stages, in the order a build runs them. */
    public static final List<String> STAGES =
            List.of(STAGE_PREPARE, STAGE_DOWNLOAD, STAGE_INSTALL, STAGE_BUILD, STAGE_PUBLISH);

    /** Accepted, waiting for a free build slot. */
    public static final String QUEUED = "QUEUED";
    /** Running its stages. */
    public static final String WORKING = "WORKING";
    /** Every stage succeeded; the site is published. */
    public static final String SUCCESS = "SUCCESS";
    /** A stage failed (its name and exit code in the status). */
    public static final String FAILURE = "FAILURE";
    /** The build ran longer than the server allows and was killed. */
    public static final String TIMEOUT = "TIMEOUT";
    /** Cancelled by {@link #CANCEL} or by its owner disconnecting without {@link #DETACH}. */
    public static final String CANCELLED = "CANCELLED";
    /** The server failed, not the build. */
    public static final String INTERNAL_ERROR = "INTERNAL_ERROR";
    /** The statuses a build ends with; nothing follows them. */
    public static final Set<String> FINAL_STATUSES = Set.of(SUCCESS, FAILURE, TIMEOUT, CANCELLED, INTERNAL_ERROR);

    private BuildEvents() {
    }
}
