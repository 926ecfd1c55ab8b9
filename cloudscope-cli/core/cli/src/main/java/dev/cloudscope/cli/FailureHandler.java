package dev.cloudscope.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * The one place where a failure becomes output and an exit code: one line {@code cloudscope: MESSAGE} on stderr,
 * exit code {@value #FAILURE} (or a {@link CliFailure}'s own, e.g. {@value #USAGE} for {@code build} in a directory
 * without a git repository). Usage errors picocli finds never get here: picocli reports them, exit code 2.
 */
final class FailureHandler implements IExecutionExceptionHandler {
    static final int FAILURE = 1;
    static final int USAGE = 2;

    @Override
    public int handleExecutionException(Exception e, CommandLine commandLine, ParseResult parseResult) {
        return report(e, commandLine.getErr());
    }

    /** Tells the user about {@code e} on {@code err}; returns the exit code. Also used by {@link QuickRun}. */
    static int report(Exception e, PrintWriter err) {
        String message = e instanceof CliFailure ? e.getMessage() : describeUnexpected(e);
        err.println("cloudscope: " + message);
        err.flush();
        return e instanceof CliFailure failure ? failure.exitCode() : FAILURE;
    }

    private static String describeUnexpected(Exception e) {
        String text = e.getMessage();
        return text == null || text.isBlank() ? e.getClass().getName() : text;
    }
}
