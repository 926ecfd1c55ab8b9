package dev.cloudscope.cloudbuild;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cloudscope.protocol.Namespaces;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A {@code main} that uses the client ends by itself: no thread of the client keeps the JVM alive. */
class JvmExitTest {
    /** OkHttp's idle threads would keep a JVM alive for a minute; a few seconds means they are gone. */
    private static final long EXIT_WITHIN_SECONDS = 8;

    private static TestServer server;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startServer() {
        server = new TestServer();
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void exitsAfterCloseOnTheAck() throws Exception {
        List<String> out = run(server.url(Namespaces.CHAT), "close");
        assertThat(out).contains("res [x: hello world!]", "res [y]", "ack [done]", "main returns");
    }

    @Test
    void exitsAfterARefusedConnectionEvenWithoutClose() throws Exception {
        List<String> out = run("http://127.0.0.1:" + TestServer.freePort() + "/chat", "noclose");
        assertThat(out).contains("connect_error connection refused", "main returns");
    }

    private List<String> run(String url, String mode) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path output = tmp.resolve("out.txt");
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                ChatOnceMain.class.getName(), url, mode)
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        try {
            boolean ended = p.waitFor(EXIT_WITHIN_SECONDS, TimeUnit.SECONDS);
            assertThat(ended).as("JVM ended by itself; output: %s", Files.readString(output)).isTrue();
            assertThat(p.exitValue()).isZero();
            return Files.readAllLines(output, StandardCharsets.UTF_8);
        } finally {
            p.destroyForcibly().waitFor();
        }
    }
}
