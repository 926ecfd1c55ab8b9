package dev.cloudscope.server.app.build;

/**
 * {@code build.maxLogBytes} for one log, as every log store applies it: lines are kept while their bytes (UTF-8 and
 * the line break) fit, then one line says the limit was reached, then later lines are dropped. Not thread-safe: the
 * log's writer calls it under its own lock.
 */
final class LogBudget {

    /** What to do with a line. */
    enum Verdict { KEEP, CAP, DROP }

    private final long maxBytes;
    private long used;
    private boolean capped;

    LogBudget(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /**
     * For a line of {@code size} bytes ({@link LogFormat#outputBytes}, reckoned outside the writer's lock): KEEP
     * (counted), CAP (the first line past the limit: write {@link #capLine} instead), or DROP.
     */
    Verdict take(long size) {
        if (capped) {
            return Verdict.DROP;
        }
        if (used + size > maxBytes) {
            capped = true;
            return Verdict.CAP;
        }
        used += size;
        return Verdict.KEEP;
    }

    /** The line written, on stderr, where the log reached its limit. */
    String capLine() {
        return "[cloudscope] log limit of " + LogFormat.size(maxBytes) + " reached: later output is dropped";
    }
}
