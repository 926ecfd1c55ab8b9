package dev.cloudscope.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The command line, up to (never including) serving: Main blocks until SIGTERM once the server is up, so every case
 * here ends before that.
 */
class MainTest {

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return new CommandLine(new Main())
                .setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true))
                .execute(args);
    }

    private String[] errLines() {
        return err.toString().lines().toArray(String[]::new);
    }

    @Test
    void helpExitsZeroAndDescribesTheFlags() {
        int code = run("--help");

        assertThat(code).isZero();
        assertThat(out.toString()).contains("--port", "--host", "--config", "--verbose", "Exit codes");
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void versionPrintsTheProjectVersion() {
        int code = run("--version");

        assertThat(code).isZero();
        assertThat(out.toString().strip()).matches("cloudscope-server \\d+\\.\\d+\\.\\d+\\S*");
    }

    @Test
    void aPortOutOfRangeIsABadConfigInOneLine() {
        int code = run("--port", "70000");

        assertThat(code).isEqualTo(2);
        assertThat(errLines()).singleElement().asString()
                .startsWith("cloudscope-server: config: ")
                .contains("server.port");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void aMissingConfigFileIsABadConfigInOneLine() {
        int code = run("--config", "/nonexistent.conf");

        assertThat(code).isEqualTo(2);
        assertThat(errLines()).singleElement().asString()
                .contains("--config /nonexistent.conf", "no such file");
    }

    @Test
    void anUnknownKeyIsABadConfigInOneLineNamingTheNearestKey() throws IOException {
        Path config = Files.writeString(dir.resolve("typo.conf"), "io.pingIntervall = 1s\n");

        int code = run("--config", config.toString());

        assertThat(code).isEqualTo(2);
        assertThat(errLines()).containsExactly(
                "cloudscope-server: config: io.pingIntervall: unknown key (did you mean io.pingInterval?)");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void aPortThatIsNotANumberIsABadCommandLine() {
        int code = run("--port", "seven");

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("--port").contains("seven");
    }

    @Test
    void anUnknownFlagIsABadCommandLine() {
        int code = run("--prot", "7001");

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("--prot");
    }
}
