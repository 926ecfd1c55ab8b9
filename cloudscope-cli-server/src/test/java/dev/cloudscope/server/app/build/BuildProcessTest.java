package dev.cloudscope.server.app.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.cloudscope.server.app.build.BuildProcess.Ending;
import dev.cloudscope.server.app.build.BuildProcess.Outcome;
import dev.cloudscope.server.app.build.BuildProcess.Stream;
import dev.cloudscope.server.app.build.ProcessTesting.Lines;
import dev.cloudscope.server.app.build.ProcessTesting.Processes;
import dev.cloudscope.server.testing.LogCapture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The runner on its own: no sandbox (so it runs anywhere node does), real processes. */
class BuildProcessTest {

    @TempDir
    Path workDir;

    private final Sandbox sandbox = new NoSandbox();
    private final Processes processes = new Processes();

    @BeforeAll
    static void needsNode() {
        Processes.assumeNode();
    }

    @AfterEach
    void killLeftovers() {
        processes.killMarked();
    }

    @Test
    void eachStreamsLinesArriveInOrderTaggedAndInterleavedAsRead() throws Exception {
        Lines lines = new Lines();
        Outcome outcome = run(lines, Duration.ofSeconds(30), """
                const fs = require('fs');
                for (let i = 0; i < 5000; i++) { fs.writeSync(1, 'o' + i + '\\n'); fs.writeSync(2, 'e' + i + '\\n'); }
                const sleep = ms => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
                sleep(300); // both readers catch up
                fs.writeSync(1, 'first\\n'); sleep(300);
                fs.writeSync(2, 'second\\n'); sleep(300);
                fs.writeSync(1, 'third\\r\\nlast without newline');
                """);

        assertThat(outcome.ending()).isEqualTo(Ending.EXITED);
        assertThat(outcome.exitCode()).isZero();
        assertThat(lines.of(Stream.OUT)).startsWith(IntStream.range(0, 5000).mapToObj(i -> "o" + i).toArray(String[]::new))
                .endsWith("first", "third", "last without newline").hasSize(5003);
        assertThat(lines.of(Stream.ERR)).startsWith(IntStream.range(0, 5000).mapToObj(i -> "e" + i).toArray(String[]::new))
                .endsWith("second").hasSize(5001);
        // lines written far apart in time arrive in that order across the two streams
        assertThat(lines.all()).endsWith("out:first", "err:second", "out:third", "out:last without newline");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 3, 255})
    void exitCodesAreReported(int code) throws Exception {
        Outcome outcome = run(new Lines(), Duration.ofSeconds(30), "process.exit(" + code + ")");

        assertThat(outcome.ending()).isEqualTo(Ending.EXITED);
        assertThat(outcome.exitCode()).isEqualTo(code);
        assertThat(outcome.succeeded()).isEqualTo(code == 0);
    }

    @Test
    void aCommandKilledBySignalReports128PlusTheSignal() throws Exception {
        Outcome outcome = run(new Lines(), Duration.ofSeconds(30), "process.kill(process.pid, 'SIGKILL')");

        assertThat(outcome.ending()).isEqualTo(Ending.EXITED);
        assertThat(outcome.exitCode()).isEqualTo(137);
        assertThat(outcome.succeeded()).isFalse();
    }

    @Test
    void aTimeoutKillsTheWholeTreeADetachedGrandchildToo() throws Exception {
        Lines lines = new Lines();
        String marker = processes.marker();

        Outcome outcome = run(lines, Duration.ofSeconds(3), Processes.detachGrandchild(marker, "grandchild.pid")
                + "console.log('waiting'); setInterval(() => {}, 1000);");

        assertThat(outcome.ending()).isEqualTo(Ending.TIMED_OUT);
        assertThat(outcome.exitCode()).isEqualTo(137);
        assertThat(outcome.took()).isBetween(Duration.ofSeconds(3), Duration.ofSeconds(10));
        assertThat(lines.all()).contains("out:waiting");
        long grandchild = Long.parseLong(Files.readString(workDir.resolve("grandchild.pid")).strip());
        assertThat(ProcessHandle.of(grandchild).filter(BuildProcess::running)).isEmpty();
        // the kernel kills what was left in the build's pid namespace when its first process ends: soon, not at once
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(processes.marked()).isEmpty());
    }

    @Test
    void cancelKillsTheTreeAndReportsCancelled() throws Exception {
        Lines lines = new Lines();
        String marker = processes.marker();
        BuildProcess process = process(lines, Duration.ofMinutes(1),
                Processes.detachGrandchild(marker, "grandchild.pid") + "console.log('ready'); setInterval(() => {}, 1000);");

        CompletableFuture<Outcome> outcome = runAsync(process);
        await().atMost(Duration.ofSeconds(20)).until(() -> lines.all().contains("out:ready"));
        process.cancel();
        process.cancel(); // twice: no harm

        assertThat(outcome.get(20, TimeUnit.SECONDS).ending()).isEqualTo(Ending.CANCELLED);
        // the kernel kills what was left in the build's pid namespace when its first process ends: soon, not at once
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(processes.marked()).isEmpty());
    }

    @Test
    void cancelledBeforeItRunsNothingStarts() throws Exception {
        BuildProcess process = process(new Lines(), Duration.ofMinutes(1), "require('fs').writeFileSync('ran', '')");

        process.cancel();

        assertThat(process.run()).isEqualTo(new Outcome(Ending.CANCELLED, -1, Duration.ZERO));
        assertThat(workDir.resolve("ran")).doesNotExist();
    }

    @Test
    void aLongLineIsSplitBetweenCharactersNothingLost() throws Exception {
        Lines lines = new Lines();
        // 3-byte characters against a 10-byte cap: each piece must end on a character boundary
        String text = "é€".repeat(7) + "x".repeat(25);
        BuildProcess process = new BuildProcess(sandbox.wrap(List.of("node", "-e",
                "process.stdout.write(" + jsString(text) + " + '\\n' + 'y'.repeat(10) + '\\nshort\\n')"), workDir, Map.of(),
                Sandbox.Limits.DEFAULTS), Duration.ofSeconds(30), lines, 10);

        assertThat(process.run().exitCode()).isZero();

        List<String> out = lines.of(Stream.OUT);
        // a line of exactly the cap is one line
        assertThat(out).endsWith("yyyyyyyyyy", "short");
        List<String> pieces = out.subList(0, out.size() - 2);
        assertThat(pieces).hasSizeGreaterThan(1)
                .allSatisfy(piece -> assertThat(piece.getBytes(StandardCharsets.UTF_8).length).isBetween(1, 10));
        assertThat(String.join("", pieces)).isEqualTo(text);
    }

    @Test
    void malformedUtf8BecomesReplacementCharacters() throws Exception {
        Lines lines = new Lines();

        run(lines, Duration.ofSeconds(30), "process.stdout.write(Buffer.from([0x61, 0xff, 0x62, 0x0a]))");

        assertThat(lines.of(Stream.OUT)).containsExactly("a\uFFFDb");
    }

    @Test
    void characterBoundaryCutsBeforeAnIncompleteCharacterOnly() {
        byte[] euro = "ab€".getBytes(StandardCharsets.UTF_8); // a b E2 82 AC

        assertThat(BuildProcess.characterBoundary(euro, 5)).isEqualTo(5);
        assertThat(BuildProcess.characterBoundary(euro, 4)).isEqualTo(2);
        assertThat(BuildProcess.characterBoundary(euro, 3)).isEqualTo(2);
        assertThat(BuildProcess.characterBoundary(euro, 2)).isEqualTo(2);
        assertThat(BuildProcess.characterBoundary(new byte[] {(byte) 0x82, (byte) 0x82}, 2)).isEqualTo(2);
    }

    @Test
    void aFailingSinkEndsTheCommandAndIsThrown() {
        String marker = processes.marker();
        BuildProcess process = process((stream, line) -> {
            throw new IllegalStateException("log store full");
        }, Duration.ofMinutes(1), "console.log('one'); setInterval(() => {}, 1000); // " + marker);

        try (LogCapture log = LogCapture.of(BuildProcess.class)) {
            assertThatThrownBy(process::run).isInstanceOf(IllegalStateException.class).hasMessage("log store full");
            assertThat(log.warnings()).singleElement().asString().contains("the line sink failed");
        }
        // the kernel kills what was left in the build's pid namespace when its first process ends: soon, not at once
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(processes.marked()).isEmpty());
    }

    @Test
    void aProgramThatCannotStartIsAnIOException() {
        BuildProcess process = new BuildProcess(sandbox.wrap(List.of("no-such-program-" + processes.marker()),
                workDir, Map.of(), Sandbox.Limits.DEFAULTS), Duration.ofSeconds(5), new Lines());

        assertThatThrownBy(process::run).isInstanceOf(IOException.class);
    }

    @Test
    void itRunsOnce() throws Exception {
        BuildProcess process = process(new Lines(), Duration.ofSeconds(30), "");
        process.run();

        assertThatThrownBy(process::run).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void noThreadIsLeftBehind() throws Exception {
        Lines lines = new Lines();
        run(lines, Duration.ofSeconds(30), "console.log('x'); console.error('y')");
        run(lines, Duration.ofSeconds(1), "setInterval(() => {}, 1000)");

        assertThat(Thread.getAllStackTraces().keySet()).map(Thread::getName)
                .noneMatch(name -> name.startsWith("build-process-"));
    }

    @Test
    void theEnvironmentIsCleanButForWhatTheCallerPasses() throws Exception {
        Lines lines = new Lines();
        BuildProcess process = new BuildProcess(sandbox.wrap(List.of("node", "-e",
                "console.log(Object.keys(process.env).sort().join(','))"), workDir, Map.of("CI", "true"),
                Sandbox.Limits.DEFAULTS), Duration.ofSeconds(30), lines);

        process.run();

        assertThat(lines.of(Stream.OUT)).containsExactly("CI,HOME,LANG,PATH");
    }

    private Outcome run(Lines lines, Duration timeout, String script) throws Exception {
        return process(lines, timeout, script).run();
    }

    private BuildProcess process(BuildProcess.LineSink sink, Duration timeout, String script) {
        return new BuildProcess(sandbox.wrap(List.of("node", "-e", script), workDir, Map.of(), Sandbox.Limits.DEFAULTS),
                timeout, sink);
    }

    static CompletableFuture<Outcome> runAsync(BuildProcess process) {
        CompletableFuture<Outcome> outcome = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                outcome.complete(process.run());
            } catch (Throwable e) {
                outcome.completeExceptionally(e);
            }
        }, "test-build-worker");
        thread.start();
        return outcome;
    }

    private static String jsString(String text) {
        return text.chars().mapToObj(c -> String.format("\\u%04x", c)).collect(Collectors.joining("", "'", "'"));
    }
}
