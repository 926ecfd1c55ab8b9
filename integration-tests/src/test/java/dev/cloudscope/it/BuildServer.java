package dev.cloudscope.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The real server jar with its cloud build on: a config file ({@code build { enabled = true, repoSchemes = [https,
 * file], workDir = ..., commands = ["node build.js", "npm run build"], timeout = 60s }} and the test's settings
 * after them), owner-only (0600) as a server's config should be, a work dir of its own, and the real bubblewrap
 * sandbox (as {@code build.user} when the tests run as root). Also the real CLI against it, and what is on disk.
 */
final class BuildServer implements AutoCloseable {

    static final Pattern BUILD_LINE = Pattern.compile("^build (\\d{14}-[0-9a-f]{6}): ");
    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();

    private final Path dir;
    private final Path workDir;
    private final Path config;
    private final ServerProcess process;

    private BuildServer(Path dir, Path workDir, Path config, ServerProcess process) {
        this.dir = dir;
        this.workDir = workDir;
        this.config = config;
        this.process = process;
    }

    /**
     * Starts a server under {@code parent} (made reachable, not readable, by the build user: each parent of the
     * work dir needs o+x) with {@code settings} added to its {@code build} block, e.g. {@code "timeout = 3s"}.
     */
    static BuildServer start(Path parent, String... settings) {
        return start(parent, List.of(), settings);
    }

    /** As {@link #start(Path, String...)}, with JVM options before {@code -jar} (e.g. {@code -Dcluster.redis=...}). */
    static BuildServer start(Path parent, List<String> jvmOptions, String... settings) {
        try {
            Files.setPosixFilePermissions(parent, PosixFilePermissions.fromString("rwx--x--x"));
            Path dir = Files.createDirectories(parent.resolve("server-" + System.nanoTime()));
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
            Path workDir = Files.createDirectories(dir.resolve("work"));
            Files.setPosixFilePermissions(workDir, PosixFilePermissions.fromString("rwx--x--x"));
            Path config = dir.resolve("build.conf");
            Files.createFile(config,
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            StringBuilder text = new StringBuilder("build {\n")
                    .append("  enabled = true\n")
                    .append("  repoSchemes = [https, file]\n")
                    .append("  workDir = \"").append(workDir).append("\"\n")
                    .append("  commands = [\"node build.js\", \"npm run build\"]\n")
                    .append("  timeout = 60s\n");
            for (String setting : settings) {
                text.append("  ").append(setting).append('\n');
            }
            text.append("}\n");
            Files.writeString(config, text, StandardCharsets.UTF_8);
            ServerProcess process = ServerProcess.start(dir, new Trace(dir), FreePort.next(), jvmOptions, "--config",
                    config.toString());
            return new BuildServer(dir, workDir, config, process);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String url() {
        return process.url("/");
    }

    Path workDir() {
        return workDir;
    }

    Path config() {
        return config;
    }

    /** Where output files of the processes the tests start go. */
    Path dir() {
        return dir;
    }

    ServerProcess process() {
        return process;
    }

    /** {@code cloudscope ARGS --server URL}, to its end. */
    ClientRun cli(String... args) {
        return ClientRun.cli(dir, null, withServer(args));
    }

    /** {@code cloudscope ARGS --server URL} with {@code cwd} as its working directory, to its end. */
    ClientRun cliIn(Path cwd, String... args) {
        return ClientRun.cliIn(dir, cwd, withServer(args));
    }

    /** {@code cloudscope ARGS --server URL}, started in the background. */
    CliProcess startCli(String... args) {
        return CliProcess.start(dir, null, withServer(args));
    }

    private String[] withServer(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--server", url()));
        return all.toArray(String[]::new);
    }

    /** {@code cloudscope build status ID --json}: the server's status object. */
    JsonNode status(String id) {
        ClientRun run = cli("build", "status", id, "--json");
        if (run.exitCode() != 0 || run.stdout().size() != 1) {
            throw new AssertionError("build status " + id + ": exit code " + run.exitCode() + ", stdout "
                    + run.stdout() + ", stderr " + run.stderr());
        }
        return json(run.stdout().get(0));
    }

    /** The build id in {@code build ID: ...}, the CLI's first line on stdout. */
    static String buildId(List<String> stdout) {
        if (stdout.isEmpty()) {
            throw new AssertionError("no stdout: no build id");
        }
        Matcher matcher = BUILD_LINE.matcher(stdout.get(0));
        if (!matcher.find()) {
            throw new AssertionError("not a build line: " + stdout.get(0));
        }
        return matcher.group(1);
    }

    static JsonNode json(String line) {
        try {
            return JSON.readTree(line);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + line, e);
        }
    }

    /** {@code workDir/sites/NAME/VERSION.manifest.json}, the store's record of a published site. */
    JsonNode manifest(String name) {
        Path file = workDir.resolve("sites").resolve(name).resolve(BuildFixtures.VERSION + ".manifest.json");
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new AssertionError("cannot read the manifest " + file, e);
        }
    }

    /** {@code GET url}: the status code and body. */
    static HttpResponse<byte[]> get(String url) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The builds' directories under {@code workDir/builds}, by name. */
    List<String> buildDirs() {
        Path builds = workDir.resolve("builds");
        if (!Files.isDirectory(builds)) {
            return List.of();
        }
        try (Stream<Path> list = Files.list(builds)) {
            return list.map(path -> path.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every path under the work dir, relative to it, sorted. */
    List<String> workTree() {
        try (Stream<Path> walk = Files.walk(workDir)) {
            return walk.map(path -> workDir.relativize(path).toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** SIGTERM and wait; the exit code. */
    int terminate() {
        return process.terminate();
    }

    String stderr() {
        return process.stderr();
    }

    @Override
    public void close() {
        process.close();
    }
}
