package dev.cloudscope.cli;

/**
 * A failure the user is told about in one line on stderr, {@code cloudscope: MESSAGE}; exit code 1, or the one
 * given (2 for a usage error found after parsing, such as no git repository to take a default from).
 */
class CliFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int exitCode;

    CliFailure(String message) {
        this(message, FailureHandler.FAILURE);
    }

    CliFailure(String message, int exitCode) {
        super(message, null, false, false);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }
}
