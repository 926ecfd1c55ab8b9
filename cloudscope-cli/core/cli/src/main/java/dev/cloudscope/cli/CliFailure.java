package dev.cloudscope.cli;

/** A failure the user is told about in one line on stderr, {@code cloudscope: MESSAGE}; exit code 1. */
class CliFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    CliFailure(String message) {
        super(message, null, false, false);
    }
}
