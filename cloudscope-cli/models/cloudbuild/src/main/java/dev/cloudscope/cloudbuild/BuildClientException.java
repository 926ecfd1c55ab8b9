package dev.cloudscope.cloudbuild;

/** Why a {@link BuildClient} call did not get its answer; the message is one line for the user. */
public final class BuildClientException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What went wrong. */
    public enum Kind {
        /** The namespace could not be joined: the server is not there, or refused us (a token, cloud build off). */
        CONNECT,
        /** The server answered the request with {@code {error}}: the message is the server's. */
        REFUSED,
        /** The server did not answer in time. */
        NO_ANSWER,
        /** The connection was lost and could not be made again in time (or was needed unbroken). */
        LOST,
        /** The server's answer is not what the contract says. */
        PROTOCOL,
        /** {@link BuildClient#stop()} was called while the call waited. */
        STOPPED
    }

    private final Kind kind;

    public BuildClientException(Kind kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
