package dev.cloudscope.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What a user sees when something is wrong: one clear line on stderr and a non-zero exit code. */
class FailuresIT {

    @TempDir
    Path dir;

    @Test
    void theCliWithNoServerToTalkToSaysSoInOneLineAndFails() {
        String url = "http://127.0.0.1:" + FreePort.next();

        ClientRun run = ClientRun.cli(dir, null, "chat", url, "--timeout", "2s");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.stdout()).isEmpty();
        assertThat(run.stderr()).hasSize(1);
        assertThat(run.stderr().get(0)).contains(url);
    }

    @Test
    void aSecondServerOnAPortInUseSaysSoInOneLineAndTheFirstKeepsServing() {
        Trace trace = new Trace(dir);
        try (ServerProcess first = ServerProcess.start(dir, trace, FreePort.next())) {
            try (ServerProcess second = ServerProcess.launch(dir, trace, first.port(), "--port", String.valueOf(first.port()))) {
                assertThat(second.awaitExit(Duration.ofSeconds(30))).isEqualTo(1);
                List<String> err = second.stderr().lines().toList();
                assertThat(err).hasSize(1);
                assertThat(err.get(0)).contains("address already in use").contains(String.valueOf(first.port()));
            }
            ClientRun run = ClientRun.cli(dir, null, "chat", first.url("/"));
            assertThat(run.exitCode()).isZero();
            assertThat(run.stdout()).startsWith("connect!");
        }
    }

    @Test
    void aPortOutOfRangeOnTheCommandLineIsRefusedInOneLine() {
        Trace trace = new Trace(dir);
        try (ServerProcess server = ServerProcess.launch(dir, trace, 70000, "--port", "70000")) {
            assertThat(server.awaitExit(Duration.ofSeconds(30))).isEqualTo(2);
            assertThat(server.stderr().lines().toList())
                    .containsExactly("cloudscope-server: config: server.port: 70000 is out of range (1-65535)");
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            unknown middleware    | io.namespace { "/chat" { connectionMiddleware = [autth] } } | io.namespace."/chat".connectionMiddleware: unknown middleware 'autth' in namespace /chat
            no leading slash      | io.namespace { chat { connectionMiddleware = [auth] } }    | io.namespace."chat": a namespace must start with '/'
            port out of range     | server.port = 70000                                        | server.port: 70000 is out of range
            empty host            | server.host = ""                                           | server.host: must not be empty
            malformed file        | io.namespace { "/" { packetMiddleware = [filter }          | bad.conf
            not a list            | io.namespace { "/" { packetMiddleware = filter } }         | io.namespace."/".packetMiddleware: expected a list
            """)
    void aBadConfigStopsStartUpWithOneLineNamingTheKey(String problem, String hocon, String expected) throws IOException {
        Path config = dir.resolve("bad.conf");
        Files.writeString(config, hocon);
        Trace trace = new Trace(dir);
        int port = FreePort.next();
        List<String> args = new ArrayList<>(List.of("--config", config.toString()));
        if (!hocon.contains("server.port")) {
            args.addAll(List.of("--port", String.valueOf(port))); // a free port, so that only the config can fail
        }

        try (ServerProcess server = ServerProcess.launch(dir, trace, port, args.toArray(String[]::new))) {
            assertThat(server.awaitExit(Duration.ofSeconds(30))).as(problem).isEqualTo(2);
            List<String> err = server.stderr().lines().toList();
            assertThat(err).as(problem).hasSize(1);
            assertThat(err.get(0)).as(problem).startsWith("cloudscope-server: config: ").contains(expected);
            assertThat(trace.lines()).as("nothing on stdout: the server never started").isEmpty();
        }
    }
}
