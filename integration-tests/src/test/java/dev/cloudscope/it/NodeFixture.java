package dev.cloudscope.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * integration-tests/node-client: the lesson's client under socket.io-client 2.x and 4.x. Its packages are installed
 * by {@code npm ci} from the committed package-lock.json, once per test run.
 */
final class NodeFixture {

    private static boolean installed;

    private NodeFixture() {
    }

    static Path dir() {
        String configured = System.getProperty("cloudscope.node.dir");
        return (configured != null ? Paths.get(configured) : Paths.get("node-client")).toAbsolutePath().normalize();
    }

    /** {@code node client.js v2|v4 URL MODE}, after {@code npm ci} has run once. */
    static List<String> command(String generation, String url, String mode) {
        ensureInstalled();
        return List.of("node", dir().resolve("client.js").toString(), generation, url, mode);
    }

    /**
     * {@code node load.js --url URL --clients N --seconds D --gen v2|v4}: N concurrent lesson clients for D seconds,
     * one JSON line of totals at the end (see load.js).
     */
    static List<String> loadCommand(String url, int clients, int seconds, String generation) {
        ensureInstalled();
        return List.of("node", dir().resolve("load.js").toString(), "--url", url, "--clients", String.valueOf(clients),
                "--seconds", String.valueOf(seconds), "--gen", generation);
    }

    /**
     * {@code node rooms-load.js --urls URLS --clients N --room-size S --seconds D}: N clients in rooms that span the
     * servers, each saying numbered lines, one JSON line of totals at the end (see rooms-load.js).
     */
    static List<String> roomsLoadCommand(List<String> urls, int clients, int roomSize, int seconds) {
        ensureInstalled();
        return List.of("node", dir().resolve("rooms-load.js").toString(), "--urls", String.join(",", urls),
                "--clients", String.valueOf(clients), "--room-size", String.valueOf(roomSize),
                "--seconds", String.valueOf(seconds));
    }

    /**
     * {@code node build-client.js SERVER REPO BRANCH}: a cloud build client on socket.io-client 4.x that asks for a
     * build and follows it without ever detaching (see build-client.js).
     */
    static List<String> buildClientCommand(String server, String repo, String branch) {
        ensureInstalled();
        return List.of("node", dir().resolve("build-client.js").toString(), server, repo, branch);
    }

    private static synchronized void ensureInstalled() {
        if (installed) {
            return;
        }
        try {
            Path log = Files.createTempFile("npm-ci", ".log");
            Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund")
                    .directory(dir().toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            if (!npm.waitFor(5, TimeUnit.MINUTES)) {
                npm.destroyForcibly();
                throw new AssertionError("npm ci in " + dir() + " took over 5 minutes");
            }
            if (npm.exitValue() != 0) {
                throw new AssertionError("npm ci in " + dir() + " failed:\n" + Files.readString(log, StandardCharsets.UTF_8));
            }
            installed = true;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run npm (is Node.js installed?)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
