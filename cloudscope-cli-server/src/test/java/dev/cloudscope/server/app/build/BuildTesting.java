package dev.cloudscope.server.app.build;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cloudscope.server.app.build.BuildSocket.Entry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import java.util.stream.Stream;

/** What the cloud build's component tests share: reading a followed log, the disk, the machine. */
final class BuildTesting {

    private BuildTesting() {
    }

    /**
     * The config of a server that builds, over the defaults: the build on, file:// repositories allowed (the tests'
     * own), {@code node build.js} allowed besides {@code npm run build}, the work dir given; then {@code more}.
     */
    static String config(Path workDir, String more) {
        return """
                build {
                  enabled = true
                  repoSchemes = [https, file]
                  workDir = "%s"
                  timeout = 20s
                  commands = ["npm run build", "node build.js"]
                }
                """.formatted(workDir) + more;
    }

    static Map<String, Object> request(String repo, String branch, String command) {
        Map<String, Object> request = new LinkedHashMap<>();
        if (repo != null) {
            request.put("repo", repo);
        }
        request.put("branch", branch);
        if (command != null) {
            request.put("command", command);
        }
        return request;
    }

    static Predicate<Entry> isLine(String brief) {
        return entry -> entry.isLog() && entry.brief().equals(brief);
    }

    static Entry last(List<Entry> entries) {
        assertThat(entries).isNotEmpty();
        return entries.get(entries.size() - 1);
    }

    /** Sequence numbers 1, 2, 3... with no gap and none twice; the status last and only there. */
    static void assertNumberedFromOne(List<Entry> entries) {
        assertThat(entries).extracting(Entry::seq)
                .isEqualTo(LongStream.rangeClosed(1, entries.size()).boxed().toList());
        assertThat(entries).filteredOn(Entry::isStatus).singleElement().isSameAs(last(entries));
    }

    /** The stage events, as {@code STAGE:start} and {@code STAGE:end}. */
    static List<String> stageEvents(List<Entry> entries) {
        return entries.stream().filter(Entry::isStage).map(Entry::brief).toList();
    }

    /** The log lines between a stage's start and its end, as {@code out:LINE} / {@code err:LINE}. */
    static List<String> linesOf(List<Entry> entries, String stage) {
        int start = indexOf(entries, e -> e.isStage() && e.brief().equals(stage + ":start"));
        int end = indexOf(entries, e -> e.isStage() && e.brief().equals(stage + ":end"));
        assertThat(start).as("stage %s started", stage).isNotNegative();
        assertThat(end).as("stage %s ended", stage).isGreaterThan(start);
        return entries.subList(start + 1, end).stream().filter(Entry::isLog).map(Entry::brief).toList();
    }

    static int indexOf(List<Entry> entries, Predicate<Entry> wanted) {
        for (int i = 0; i < entries.size(); i++) {
            if (wanted.test(entries.get(i))) {
                return i;
            }
        }
        return -1;
    }

    /** Every path under {@code root}, relative to it. */
    static Set<Path> tree(Path root) {
        if (!Files.exists(root)) {
            return Set.of();
        }
        try (Stream<Path> all = Files.walk(root)) {
            return all.map(root::relativize).collect(Collectors.toCollection(TreeSet::new));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Path> newPaths(Set<Path> before, Set<Path> after) {
        return after.stream().filter(path -> !before.contains(path)).toList();
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    /** The build user's uid, which the build sees as its own inside the sandbox (the server runs as root here). */
    static String buildUid() throws IOException, InterruptedException {
        if (!new Bubblewrap().dropsPrivileges()) {
            return String.valueOf(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        }
        Process id = new ProcessBuilder("id", "-u", Bubblewrap.DEFAULT_USER).start();
        String uid = new String(id.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
        id.waitFor();
        return uid;
    }

    /** @TempDir is 0700: the build user must pass through to the work dir (as through build.workDir's parents). */
    static Path buildUserMayEnter(Path dir) throws IOException {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
        return dir;
    }

    /** The registry answers within 3 s. */
    static boolean registryReachable() {
        try {
            java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(3)).build();
            java.net.http.HttpResponse<Void> reply = http.send(java.net.http.HttpRequest
                    .newBuilder(URI.create("https://registry.npmjs.org/is-number")).timeout(Duration.ofSeconds(3))
                    .method("HEAD", java.net.http.HttpRequest.BodyPublishers.noBody()).build(),
                    java.net.http.HttpResponse.BodyHandlers.discarding());
            return reply.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

}
