package dev.cloudscope.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * The one place where a failure becomes output and an exit code: one line {@code cloudscope: MESSAGE} on stderr,
 * exit code {@value #FAILURE}. (Usage errors never get here: picocli reports them, exit code 2.)
 */
final class FailureHandler implements IExecutionExceptionHandler {
    static final int FAILURE = 1;

    @Override
    public int handleExecutionException(Exception e, CommandLine commandLine, ParseResult parseResult) {
        return report(e, commandLine.getErr());
    }

    /** Tells the user about {@code e} on {@code err}; returns the exit code. Also used by {@link QuickRun}. */
    static int report(Exception e, PrintWriter err) {
        String message = e instanceof CliFailure ? e.getMessage() : describeUnexpected(e);
        err.println("cloudscope: " + message);
        err.flush();
        return FAILURE;
    }

    private static String describeUnexpected(Exception e) {
        String text = e.getMessage();
        return text == null || text.isBlank() ? e.getClass().getName() : text;
    }
}
