package dev.cloudscope.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;

/**
 * The lines of one CLI run and the server's lines for it, as they interleaved in the trace. Client lines are told
 * from server lines by what the lesson's client prints; anything else counts as a server line, so a stray line on
 * either side breaks the server's expected list.
 */
record LessonRun(List<String> lines) {

    static boolean isClientLine(String line) {
        return line.equals("connect!") || line.startsWith("res from server: ") || line.startsWith("ack: ");
    }

    /**
     * Waits until the server printed {@code disconnects} disconnect! lines after line {@code from} of the trace
     * (the last thing it prints for a client), then returns everything from there.
     */
    static LessonRun awaitDisconnects(Trace trace, int from, int disconnects) {
        await().atMost(Duration.ofSeconds(10)).until(() ->
                trace.linesFrom(from).stream().filter(Golden.DISCONNECT::equals).count() >= disconnects);
        return new LessonRun(List.copyOf(trace.linesFrom(from)));
    }

    List<String> clientLines() {
        return lines.stream().filter(LessonRun::isClientLine).toList();
    }

    List<String> serverLines() {
        return lines.stream().filter(line -> !isClientLine(line)).toList();
    }

    int indexOf(String line) {
        int index = lines.indexOf(line);
        assertThat(index).as("'%s' in %s", line, lines).isNotNegative();
        return index;
    }

    /** Asserts that {@code earlier} was written before {@code later}, as causality demands. */
    void assertBefore(String earlier, String later) {
        assertThat(indexOf(earlier)).as("'%s' must come before '%s' in %s", earlier, later, lines)
                .isLessThan(indexOf(later));
    }
}
