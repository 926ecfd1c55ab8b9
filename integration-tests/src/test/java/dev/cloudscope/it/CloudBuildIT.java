package dev.cloudscope.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cloud build end to end (issue 10), with the real server jar (build on, {@code file} repositories allowed, the
 * real bubblewrap sandbox), the real CLI jar, and git repositories the tests make: a build's stages, lines, status
 * and site (fetched, its SHA-256 against the manifest); {@code --json}; the defaults from the current directory's
 * repository; a failing build and a failing install; refused input that leaves nothing on disk; the sandbox seen from
 * outside. One server for the class; every process is stopped by pid, the temp dir deleted.
 */
class CloudBuildIT {

    private static final List<String> STAGES = List.of("prepare", "download", "install", "build", "publish");

    @TempDir
    static Path dir;

    private static BuildServer server;

    @BeforeAll
    static void startServer() {
        server = BuildServer.start(dir);
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            int exitCode = server.terminate();
            server.close();
            assertThat(exitCode).as("server exit code after SIGTERM (stderr: %s)", server.stderr()).isZero();
        }
    }

    /**
     * {@code cloudscope build file:///REPO --branch main}: on stdout the accepted line, each stage's {@code ==>} line
     * in order, the build's own stdout lines (in the build stage, in order) and the commit built, then
     * {@code build ID: SUCCESS} and {@code site: URL}; the build's stderr line on stderr, nothing else; exit code 0.
     * The site is served at that URL: each file's bytes are what build.js wrote, and their SHA-256 and size are the
     * manifest's ({@code workDir/sites/NAME/VERSION.manifest.json}).
     */
    @Test
    void aBuildShowsItsStagesAndLinesThenSuccessAndItsSiteWhoseFilesMatchTheManifest() {
        String name = "it-site";
        Path repo = BuildFixtures.project(name).build("""
                console.log('building it-site');
                console.error('a warning on stderr');
                %s
                console.log('wrote dist/index.html and dist/app.js');
                """.formatted(BuildFixtures.siteCall(name))).commit(dir);
        String url = BuildFixtures.fileUrl(repo);

        ClientRun run = server.cli("build", url, "--branch", "main");

        assertThat(run.exitCode()).as("exit code (stdout %s, stderr %s)", run.stdout(), run.stderr()).isZero();
        String id = BuildServer.buildId(run.stdout());
        String site = server.url() + "/sites/" + name + "/" + BuildFixtures.VERSION + "/";
        List<String> out = run.stdout();
        assertThat(out.get(0)).isEqualTo("build " + id + ": " + url + ", branch main");
        assertThat(out.get(1)).as("the build's page").isEqualTo("page: " + server.url() + "/builds/" + id);
        assertThat(out.stream().filter(line -> line.startsWith("==> ")).toList()).as("stage lines")
                .isEqualTo(STAGES.stream().map(stage -> "==> " + stage).toList());
        assertThat(out).as("the build's lines, in the build stage")
                .containsSubsequence("==> build", "building it-site", "wrote dist/index.html and dist/app.js",
                        "==> publish");
        assertThat(out).as("the commit built").contains(
                "[cloudscope] at " + BuildFixtures.head(repo).substring(0, 12) + " fixture: " + name);
        assertThat(out.subList(out.size() - 2, out.size())).as("the last two lines").satisfiesExactly(
                line -> assertThat(line).startsWith("build " + id + ": SUCCESS"),
                line -> assertThat(line).isEqualTo("site: " + site));
        assertThat(run.stderr()).as("stderr: the build's stderr line only").containsExactly("a warning on stderr");

        JsonNode manifest = server.manifest(name);
        assertThat(manifest.path("name").asText()).isEqualTo(name);
        assertThat(manifest.path("version").asText()).isEqualTo(BuildFixtures.VERSION);
        Map<String, JsonNode> files = new TreeMap<>();
        manifest.path("files").forEach(file -> files.put(file.path("path").asText(), file));
        assertThat(files).as("the manifest's files").containsOnlyKeys("index.html", "app.js");
        String html = BuildFixtures.html(name);
        Map<String, String> written = Map.of("index.html", html,
                "app.js", "console.log(" + html.length() + ");\n");
        for (Map.Entry<String, JsonNode> file : files.entrySet()) {
            HttpResponse<byte[]> response = BuildServer.get(site + file.getKey());
            assertThat(response.statusCode()).as("GET %s", site + file.getKey()).isEqualTo(200);
            byte[] body = response.body();
            assertThat(new String(body, StandardCharsets.UTF_8)).as("%s as build.js wrote it", file.getKey())
                    .isEqualTo(written.get(file.getKey()));
            assertThat(sha256(body)).as("SHA-256 of %s against the manifest", file.getKey())
                    .isEqualTo(file.getValue().path("sha256").asText());
            assertThat((long) body.length).as("size of %s against the manifest", file.getKey())
                    .isEqualTo(file.getValue().path("size").asLong());
        }
        assertThat(BuildServer.get(site).statusCode()).as("GET the site's root: its index.html").isEqualTo(200);

        JsonNode status = server.status(id);
        assertThat(status.path("status").asText()).isEqualTo("SUCCESS");
        assertThat(status.path("siteUrl").asText()).isEqualTo(site);
    }

    /**
     * {@code --json}: stdout is JSON lines only, every one of them parses: first {@code {"type":"build","id":ID}},
     * then the entries with consecutive sequence numbers from 1, all of build ID (the stages started in order, the
     * build's lines with their streams), and last {@code {"type":"status","status":"SUCCESS","siteUrl":...}}.
     */
    @Test
    void jsonPrintsOneObjectPerLineFromTheBuildToItsStatus() {
        String name = "it-json";
        Path repo = BuildFixtures.project(name).build("""
                console.log('json out line');
                console.error('json err line');
                %s
                """.formatted(BuildFixtures.siteCall(name))).commit(dir);

        ClientRun run = server.cli("build", BuildFixtures.fileUrl(repo), "--branch", "main", "--json");

        assertThat(run.exitCode()).as("exit code (stdout %s, stderr %s)", run.stdout(), run.stderr()).isZero();
        assertThat(run.stderr()).as("stderr").isEmpty();
        List<JsonNode> lines = run.stdout().stream().map(BuildServer::json).toList();
        assertThat(lines).as("stdout lines").hasSizeGreaterThan(3);
        JsonNode first = lines.get(0);
        assertThat(first.path("type").asText()).isEqualTo("build");
        String id = first.path("id").asText();
        assertThat(id).matches("\\d{14}-[0-9a-f]{6}");
        assertThat(first.path("page").asText()).as("the build's page").isEqualTo(server.url() + "/builds/" + id);
        List<JsonNode> entries = lines.subList(1, lines.size());
        for (int i = 0; i < entries.size(); i++) {
            JsonNode entry = entries.get(i);
            assertThat(entry.path("id").asText()).as("entry %s: its build", entry).isEqualTo(id);
            assertThat(entry.path("seq").asLong()).as("entry %s: its sequence number", entry).isEqualTo(i + 1);
            assertThat(entry.path("type").asText()).as("entry %s: its type", entry).isIn("stage", "log", "status");
        }
        assertThat(entries.stream().filter(e -> e.path("type").asText().equals("stage")
                && e.path("state").asText().equals("start")).map(e -> e.path("stage").asText()).toList())
                .as("stages started").isEqualTo(STAGES);
        assertThat(entries.stream().filter(e -> e.path("type").asText().equals("log")
                && !e.path("line").asText().startsWith("[cloudscope]"))
                .map(e -> e.path("stream").asText() + " " + e.path("line").asText()).toList())
                // one line on each stream: their order between the two pipes is the reader's, not the build's
                .as("the build's own lines").containsExactlyInAnyOrder("out json out line", "err json err line");
        JsonNode last = lines.get(lines.size() - 1);
        assertThat(last.path("type").asText()).isEqualTo("status");
        assertThat(last.path("status").asText()).isEqualTo("SUCCESS");
        assertThat(last.path("siteUrl").asText()).isEqualTo(server.url() + "/sites/" + name + "/1.0.0/");
        assertThat(lines.stream().filter(line -> line.path("type").asText().equals("status"))).as("status entries")
                .hasSize(1);
    }

    /**
     * No REPO, no --branch: the CLI, run in a clone of the fixture, builds the clone's {@code origin} and current
     * branch ({@code main}); a commit made in the clone and not pushed is warned of on stderr, and the site built is
     * origin's, without it.
     */
    @Test
    void withoutRepoAndBranchTheCurrentDirectorysOriginAndBranchAreBuilt() throws IOException {
        String name = "it-cwd";
        Path origin = BuildFixtures.project(name).build(BuildFixtures.siteCall(name)).commit(dir);
        Path clone = dir.resolve("clone-" + System.nanoTime());
        BuildFixtures.git(dir, "clone", "-q", BuildFixtures.fileUrl(origin), clone.toString());
        Files.writeString(clone.resolve("build.js"), "// a local change\n" + Files.readString(clone.resolve("build.js"))
                .replace(BuildFixtures.siteCall(name), "site('not pushed');"));
        BuildFixtures.git(clone, "commit", "-q", "-a", "-m", "not pushed");

        ClientRun run = server.cliIn(clone, "build");

        assertThat(run.exitCode()).as("exit code (stdout %s, stderr %s)", run.stdout(), run.stderr()).isZero();
        String id = BuildServer.buildId(run.stdout());
        assertThat(run.stdout().get(0)).isEqualTo("build " + id + ": " + BuildFixtures.fileUrl(origin)
                + ", branch main");
        assertThat(run.stderr()).as("stderr").containsExactly("cloudscope: warning: 1 commit on main not pushed to "
                + "origin/main: the server builds origin/main without it (git push)");
        assertThat(run.stdout()).as("the commit built: origin's").contains(
                "[cloudscope] at " + BuildFixtures.head(origin).substring(0, 12) + " fixture: " + name);
        HttpResponse<byte[]> page = BuildServer.get(server.url() + "/sites/" + name + "/1.0.0/index.html");
        assertThat(new String(page.body(), StandardCharsets.UTF_8)).as("the site: origin's")
                .isEqualTo(BuildFixtures.html(name));
    }

    /**
     * build.js exits 3: the CLI exits 1, its stderr has the build's own stderr line and then
     * {@code cloudscope: build ID: FAILURE in stage build (exit code 3)}; nothing is published.
     */
    @Test
    void aFailingBuildIsFailureInStageBuildWithItsExitCode() {
        String name = "it-fail";
        Path repo = BuildFixtures.project(name).build("""
                console.log('compiling');
                console.error('error: the fixture fails on purpose');
                process.exit(3);
                """).commit(dir);

        ClientRun run = server.cli("build", BuildFixtures.fileUrl(repo), "--branch", "main");

        assertThat(run.exitCode()).as("exit code (stdout %s, stderr %s)", run.stdout(), run.stderr()).isEqualTo(1);
        String id = BuildServer.buildId(run.stdout());
        assertThat(run.stdout()).as("stdout").contains("==> build", "compiling")
                .doesNotContain("==> publish").noneMatch(line -> line.startsWith("site: "));
        assertThat(run.stderr()).as("stderr").containsSubsequence("error: the fixture fails on purpose",
                "cloudscope: build " + id + ": FAILURE in stage build (exit code 3): build: `node build.js` exited "
                        + "with 3; its last lines:");
        JsonNode status = server.status(id);
        assertThat(status.path("status").asText()).isEqualTo("FAILURE");
        assertThat(status.path("stage").asText()).isEqualTo("build");
        assertThat(status.path("exitCode").asInt()).isEqualTo(3);
        assertThat(server.workDir().resolve("sites").resolve(name)).as("no site").doesNotExist();
    }

    /**
     * A dependency that cannot be installed (the project's .npmrc points npm at a registry port nothing listens on,
     * so no network is needed): npm install fails, the build is FAILURE in stage install with npm's exit code, and the
     * build command never runs.
     */
    @Test
    void aFailingInstallIsFailureInStageInstallWithNpmsExitCode() {
        String name = "it-install";
        Path repo = BuildFixtures.project(name)
                .dependencies("{ \"left-pad\": \"1.3.0\" }")
                .file(".npmrc", "registry=http://127.0.0.1:" + FreePort.next() + "/\nfetch-retries=0\n")
                .build("console.log('the build ran');\n" + BuildFixtures.siteCall(name))
                .commit(dir);

        ClientRun run = server.cli("build", BuildFixtures.fileUrl(repo), "--branch", "main");

        assertThat(run.exitCode()).as("exit code (stdout %s, stderr %s)", run.stdout(), run.stderr()).isEqualTo(1);
        String id = BuildServer.buildId(run.stdout());
        assertThat(run.stdout()).as("stdout").contains("==> install", "[cloudscope] $ npm install")
                .doesNotContain("==> build", "the build ran");
        assertThat(run.stderr()).as("stderr: npm's error").anyMatch(line -> line.contains("ECONNREFUSED"));
        assertThat(run.stderr()).as("stderr").anyMatch(line -> line.matches("cloudscope: build " + id
                + ": FAILURE in stage install \\(exit code [1-9]\\d*\\): install: `npm install` exited with .*"));
        JsonNode status = server.status(id);
        assertThat(status.path("status").asText()).isEqualTo("FAILURE");
        assertThat(status.path("stage").asText()).isEqualTo("install");
        assertThat(status.path("exitCode").asInt()).isPositive();
    }

    /**
     * Refused before anything is made: a scheme not allowed, a branch {@code ../x}, a command not allowed
     * ({@code rm -rf /}). Each: exit code 1, nothing on stdout, the server's reason as the one stderr line, and the
     * work dir exactly as it was (no build directory, no log).
     */
    @Test
    void badInputIsRefusedInOneLineAndNothingIsMadeOnDisk() {
        Path repo = BuildFixtures.project("it-refused").build(BuildFixtures.siteCall("it-refused")).commit(dir);
        String url = BuildFixtures.fileUrl(repo);
        String refused = "cloudscope: " + server.url() + "/build: build refused: ";
        List<String> before = server.workTree();
        List<String> buildsBefore = server.buildDirs();

        Map<List<String>, String> cases = Map.of(
                List.of("git://example.com/owner/project.git", "--branch", "main"),
                "repo: scheme \"git\" is not allowed (allowed: https, file)",
                List.of(url, "--branch", "../x"),
                "branch: must not contain \"..\"",
                List.of(url, "--branch", "main", "--command", "rm -rf /"),
                "command: not allowed (allowed: node build.js, npm run build)");
        for (Map.Entry<List<String>, String> refusal : cases.entrySet()) {
            List<String> args = new java.util.ArrayList<>(List.of("build"));
            args.addAll(refusal.getKey());
            ClientRun run = server.cli(args.toArray(String[]::new));
            assertThat(run.exitCode()).as("%s: exit code", refusal.getKey()).isEqualTo(1);
            assertThat(run.stdout()).as("%s: stdout", refusal.getKey()).isEmpty();
            assertThat(run.stderr()).as("%s: stderr", refusal.getKey()).containsExactly(refused + refusal.getValue());
        }
        assertThat(server.buildDirs()).as("workDir/builds after the refusals").isEqualTo(buildsBefore);
        assertThat(server.workTree()).as("the whole work dir after the refusals").isEqualTo(before);
    }

    /**
     * A package.json whose name has {@code ../}: the request is valid, the project is not: FAILURE in stage download,
     * nothing published, nothing made outside the build's own directory.
     */
    @Test
    void aPackageNameWithDotDotFailsTheDownloadAndPublishesNothing() {
        Path repo = BuildFixtures.project("it-evil").file("package.json", BuildFixtures.packageJson("../it-evil", null))
                .build(BuildFixtures.siteCall("it-evil")).commit(dir);
        List<String> sitesBefore = sites();

        ClientRun run = server.cli("build", BuildFixtures.fileUrl(repo), "--branch", "main");

        assertThat(run.exitCode()).as("exit code (stdout %s, stderr %s)", run.stdout(), run.stderr()).isEqualTo(1);
        String id = BuildServer.buildId(run.stdout());
        assertThat(run.stdout()).as("stdout").doesNotContain("==> install", "==> build");
        assertThat(run.stderr()).as("stderr").anyMatch(line -> line.startsWith("cloudscope: build " + id
                + ": FAILURE in stage download"));
        assertThat(sites()).as("the sites' store").isEqualTo(sitesBefore);
        assertThat(server.workDir().resolve("it-evil")).doesNotExist();
        assertThat(server.workDir().resolveSibling("it-evil")).doesNotExist();
        assertThat(server.workDir().resolve("builds").resolve("it-evil")).doesNotExist();
    }

    /**
     * The sandbox from outside: the server's config file is root's and 0600 (the tests run as root, as CI does:
     * builds run as cloudscope-build then). A build that reads it by its absolute path gets ENOENT: the file is not
     * even there in the sandbox. So for /etc/shadow and /root; a write to
     * the server's sites directory by its host path fails and leaves nothing; a detached grandchild ({@code setsid}
     * {@code sleep}) does not outlive the build. The build itself succeeds.
     */
    @Test
    void aBuildCannotReadTheServersConfigNorWriteOutsideNorLeaveAProcessBehind() throws IOException {
        assumeTrue(isRoot(), "the sandbox's view of a root-owned 0600 file needs the tests to run as root");
        assertThat(Files.getOwner(server.config()).getName()).as("config owner").isEqualTo("root");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(server.config())))
                .as("config permissions").isEqualTo("rw-------");
        String name = "it-sandbox";
        Path escaped = server.workDir().resolve("sites").resolve("escaped.txt");
        String sleep = BuildFixtures.sleepMarker();
        Path repo = BuildFixtures.project(name).build("""
                const { spawn } = require('child_process');
                for (const path of [%1$s, '/etc/shadow', '/root']) {
                  try {
                    const what = fs.statSync(path).isDirectory() ? fs.readdirSync(path).length + ' entries'
                        : fs.readFileSync(path).length + ' bytes';
                    console.log('read ' + path + ': ' + what);
                  } catch (e) {
                    console.log('read ' + path + ': ' + e.code);
                  }
                }
                try {
                  fs.writeFileSync(%2$s, 'out of the sandbox');
                  console.log('wrote outside');
                } catch (e) {
                  console.log('write outside: ' + e.code);
                }
                spawn('setsid', ['sleep', '%3$s'], { detached: true, stdio: 'ignore' }).unref();
                const sleeping = () => fs.readdirSync('/proc').filter(pid => /^\\d+$/.test(pid)).some(pid => {
                  try { return fs.readFileSync('/proc/' + pid + '/cmdline', 'utf8') === 'sleep\\x00%3$s\\x00'; }
                  catch (e) { return false; }
                });
                while (!sleeping()) await sleep(20);
                console.log('a detached sleep runs');
                %4$s
                console.log('done');
                """.formatted(BuildFixtures.jsString(server.config().toString()),
                BuildFixtures.jsString(escaped.toString()), sleep, BuildFixtures.siteCall(name))).commit(dir);

        ClientRun run = server.cli("build", BuildFixtures.fileUrl(repo), "--branch", "main");

        assertThat(run.exitCode()).as("exit code (stdout %s, stderr %s)", run.stdout(), run.stderr()).isZero();
        assertThat(run.stdout()).as("what the build saw").contains(
                "read " + server.config() + ": ENOENT",
                "read /etc/shadow: ENOENT",
                "read /root: ENOENT",
                "a detached sleep runs",
                "done");
        assertThat(run.stdout()).as("the write outside the work dir")
                .anyMatch(line -> line.matches("write outside: (ENOENT|EROFS|EACCES|EPERM)"))
                .doesNotContain("wrote outside");
        assertThat(escaped).as("the file the build tried to write outside").doesNotExist();
        assertThat(BuildFixtures.running("sleep", sleep)).as("the build's detached grandchild, after the build")
                .isEmpty();
    }

    private static List<String> sites() {
        Path sites = server.workDir().resolve("sites");
        try (var walk = Files.walk(sites)) {
            return walk.map(path -> sites.relativize(path).toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean isRoot() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | UnsupportedOperationException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
