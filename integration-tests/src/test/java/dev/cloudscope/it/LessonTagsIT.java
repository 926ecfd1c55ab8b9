package dev.cloudscope.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/lesson-tags.sh, which creates the course's lesson tags from scripts/lesson-tags.tsv in a clone, checked by
 * its own test, scripts/test-lesson-tags.sh, on throwaway git repos: annotated tags with their descriptions, an
 * idempotent re-run, {@code --check}, a missing commit or a shallow clone refused with nothing created, malformed
 * manifests refused. Needs bash and git; takes a few seconds.
 */
class LessonTagsIT {

    private static final long TIMEOUT_SECONDS = 120;

    @TempDir
    Path dir;

    @Test
    void theLessonTagsScriptPassesItsTests() throws IOException, InterruptedException {
        Path test = root().resolve("scripts/test-lesson-tags.sh");
        Path log = dir.resolve("test-lesson-tags.log");

        Process process = new ProcessBuilder("bash", test.toString())
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        boolean finished = process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        Processes.kill(process);
        String output = Processes.read(log);

        assertThat(finished).as("%s still running after %d s; its output:%n%s", test, TIMEOUT_SECONDS, output).isTrue();
        assertThat(process.exitValue()).as("%s exit code; its output:%n%s", test, output).isZero();
        assertThat(output).doesNotContain("not ok").containsPattern("(?m)^all \\d+ checks passed$");
    }

    /** The repository's root, where scripts/ is. */
    private static Path root() {
        String configured = System.getProperty("cloudscope.root.dir");
        return (configured != null ? Paths.get(configured) : Paths.get("..")).toAbsolutePath().normalize();
    }
}
