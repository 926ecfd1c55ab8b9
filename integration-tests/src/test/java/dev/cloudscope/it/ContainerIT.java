package dev.cloudscope.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.ImageFromDockerfile;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/** The server jar in a container (cloudscope-cli-server/Dockerfile), the CLI against it. Skipped without Docker. */
@Testcontainers(disabledWithoutDocker = true)
class ContainerIT {

    private static final int PORT = 7001;

    @Container
    private static final GenericContainer<?> SERVER = new GenericContainer<>(
            new ImageFromDockerfile("cloudscope-cli-server-it", true)
                    .withDockerfile(serverDir().resolve("Dockerfile"))
                    .withFileFromPath("target/cloudscope-cli-server.jar", Jars.server()))
            .withExposedPorts(PORT)
            .waitingFor(Wait.forLogMessage(".*listening on http://.*", 1).withStartupTimeout(Duration.ofSeconds(60)));

    @TempDir
    Path dir;

    @Test
    void theCliTalksToTheServerInAContainer() {
        String url = "http://" + SERVER.getHost() + ":" + SERVER.getMappedPort(PORT);

        ClientRun run = ClientRun.cli(dir, null, "chat", url);

        assertThat(run.exitCode()).isZero();
        assertThat(run.stdout()).containsExactly(
                "connect!",
                "res from server: auth!Hello Man!!!",
                "res from server: packet!Hello Man!!!",
                "res from server: Hello Man!!!");
    }

    private static Path serverDir() {
        String configured = System.getProperty("cloudscope.server.dir");
        return (configured != null ? Paths.get(configured) : Paths.get("../cloudscope-cli-server")).toAbsolutePath().normalize();
    }
}
