package dev.cloudscope.server.app.build;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cloudscope.server.app.build.BuildProcess.Stream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/** What the sandbox and runner tests share: a sink that keeps the lines, and the processes a test made. */
final class ProcessTesting {

    private ProcessTesting() {}

    /** The lines a command printed, as {@code out:LINE} / {@code err:LINE}, in the order handed on. */
    static final class Lines implements BuildProcess.LineSink {
        private final List<String> lines = new ArrayList<>();

        @Override
        public synchronized void line(Stream stream, String line) {
            lines.add(stream.tag() + ":" + line);
        }

        synchronized List<String> all() {
            return List.copyOf(lines);
        }

        synchronized List<String> of(Stream stream) {
            String prefix = stream.tag() + ":";
            return lines.stream().filter(line -> line.startsWith(prefix)).map(line -> line.substring(prefix.length()))
                    .toList();
        }

        synchronized String text() {
            return String.join("\n", lines);
        }
    }

    /**
     * Processes found by a marker: a test puts {@link #marker()} into the argv of what it starts, then asks for the
     * live ones (by pid, on the host, whatever their namespace or user) and kills those left by pid.
     */
    static final class Processes {
        private final List<String> markers = new ArrayList<>();

        static void assumeNode() {
            assumeTrue(Bubblewrap.onPath("node").isPresent(), "node is not installed: the build tests run node");
        }

        /** A new marker, unique to this test run. */
        String marker() {
            String marker = "cloudscope-test-" + UUID.randomUUID();
            markers.add(marker);
            return marker;
        }

        /** Marks with a string of the test's own, such as a number a command needs as its argument. */
        void mark(String marker) {
            markers.add(marker);
        }

        /** Live processes with one of this test's markers in their argv, as "PID ARGS". */
        List<String> marked() {
            return ProcessHandle.allProcesses()
                    .filter(ProcessHandle::isAlive)
                    .filter(this::isMarked)
                    .map(process -> process.pid() + " " + process.info().commandLine().orElse("?"))
                    .toList();
        }

        private boolean isMarked(ProcessHandle process) {
            String args = process.info().arguments().map(a -> String.join(" ", Arrays.asList(a)))
                    .or(() -> process.info().commandLine()).orElse("");
            return markers.stream().anyMatch(args::contains);
        }

        /** Kills, by pid, what is left of this test's processes; a test fails on them itself, this only tidies. */
        void killMarked() {
            List<ProcessHandle> left = ProcessHandle.allProcesses().filter(this::isMarked).toList();
            left.forEach(ProcessHandle::destroyForcibly);
            for (ProcessHandle process : left) {
                try {
                    process.onExit().get(5, TimeUnit.SECONDS);
                } catch (Exception e) {
                    // tidying only
                }
            }
        }

        /**
         * Node code that starts a detached grandchild (its own session, as {@code setsid nohup ... &}, unref'd)
         * carrying {@code marker}, which writes its pid to {@code pidFile} in the work dir, and waits for that file.
         * A second one keeps the command's stdout open, as a careless daemon would.
         */
        static String detachGrandchild(String marker, String pidFile) {
            return """
                    {
                      const cp = require('child_process'), fs = require('fs');
                      const forever = "require('fs').writeFileSync(process.argv[1], String(process.pid));"
                          + " setInterval(() => {}, 1000)";
                      cp.spawn(process.execPath, ['-e', forever, '%1$s', '%2$s'],
                          {detached: true, stdio: 'ignore'}).unref();
                      cp.spawn(process.execPath, ['-e', forever, '%1$s.stdout', '%2$s'],
                          {detached: true, stdio: ['ignore', 'inherit', 'inherit']}).unref();
                      const sleep = ms => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
                      for (let i = 0; i < 200 && !(fs.existsSync('%1$s') && fs.existsSync('%1$s.stdout')); i++) sleep(50);
                    }
                    """.formatted(pidFile, marker);
        }
    }
}
