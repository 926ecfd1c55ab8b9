package dev.cloudscope.server.app.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static dev.cloudscope.server.app.build.BuildTesting.assertNumberedFromOne;
import static dev.cloudscope.server.app.build.BuildTesting.buildUid;
import static dev.cloudscope.server.app.build.BuildTesting.buildUserMayEnter;
import static dev.cloudscope.server.app.build.BuildTesting.config;
import static dev.cloudscope.server.app.build.BuildTesting.indexOf;
import static dev.cloudscope.server.app.build.BuildTesting.isLine;
import static dev.cloudscope.server.app.build.BuildTesting.last;
import static dev.cloudscope.server.app.build.BuildTesting.linesOf;
import static dev.cloudscope.server.app.build.BuildTesting.newPaths;
import static dev.cloudscope.server.app.build.BuildTesting.registryReachable;
import static dev.cloudscope.server.app.build.BuildTesting.request;
import static dev.cloudscope.server.app.build.BuildTesting.sha256;
import static dev.cloudscope.server.app.build.BuildTesting.stageEvents;
import static dev.cloudscope.server.app.build.BuildTesting.tree;

import dev.cloudscope.server.app.build.BuildSocket.Entry;
import dev.cloudscope.server.app.build.BuildSocket.Page;
import dev.cloudscope.server.app.build.ProcessTesting.Processes;
import dev.cloudscope.server.testing.TestServer;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The cloud build through the socket, whole: the lesson's server as Main builds it, with the build switched on over
 * the defaults; a socket.io client speaking docs/cloudbuild.md's protocol on {@code /build}; real git repositories
 * the test commits its fixture projects to; real bubblewrap as the unprivileged build user; the published site
 * fetched over HTTP. Nothing is mocked. Builds take a fraction of a second here; those that wait run side by side.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CloudBuildTest {

    static final long MAX_LOG_BYTES = 64 * 1024;
    static final Duration TIMEOUT = Duration.ofSeconds(20);

    @TempDir
    static Path temp;
    Path workDir;
    TestServer server;
    private final AtomicInteger repos = new AtomicInteger();
    private final Processes processes = new Processes();
    private final List<BuildSocket> clients = new ArrayList<>();

    @BeforeAll
    void start() throws IOException {
        assumeTrue(Bubblewrap.onPath("bwrap").isPresent(), "bubblewrap (bwrap) is not installed");
        Processes.assumeNode();
        workDir = buildUserMayEnter(temp).resolve("work");
        server = TestServer.startLesson(config(workDir, """
                build {
                  timeout = %ds
                  maxLogBytes = %d
                  concurrency = 4
                }
                """.formatted(TIMEOUT.toSeconds(), MAX_LOG_BYTES)));
    }

    @AfterAll
    void stop() {
        TestServer.closeAll(server);
    }

    @AfterEach
    void closeClients() {
        clients.forEach(BuildSocket::close);
        clients.clear();
        processes.killMarked();
    }

    // --- a build that works

    @Test
    void aBuildRunsEveryStageInOrderStreamsItsOutputTaggedAndPublishesItsSite() throws Exception {
        Fixture project = Fixture.project("site-success");
        project.buildJs("""
                console.log('building as uid ' + process.getuid() + ' in ' + process.cwd());
                sleep(100);
                console.error('warning: this goes to stderr');
                sleep(100);
                console.log('still building');
                sleep(100);
                console.error('another warning');
                sleep(100);
                """ + project.site() + """
                console.log('built dist/index.html');
                """);
        BuildSocket client = client();

        String repo = repo(project);
        String id = client.submit(repo, "main", "node build.js");
        List<Entry> entries = client.followToEnd(id, 0);

        assertNumberedFromOne(entries);
        assertThat(stageEvents(entries)).containsExactly(
                "prepare:start", "prepare:end", "download:start", "download:end", "install:start", "install:end",
                "build:start", "build:end", "publish:start", "publish:end");
        assertThat(entries).filteredOn(Entry::isStage).filteredOn(e -> e.get("state").equals("end"))
                .allSatisfy(end -> assertThat(end.get("exitCode")).isEqualTo("0"));
        // no dependencies: install is skipped, saying so, and runs no npm
        assertThat(linesOf(entries, "install"))
                .containsExactly("out:[cloudscope] package.json has no dependencies: nothing to install");
        // every line of the build, stdout and stderr tagged, in the order printed
        assertThat(linesOf(entries, "build")).containsExactly(
                "out:[cloudscope] $ node build.js",
                "out:building as uid " + buildUid() + " in /build",
                "err:warning: this goes to stderr",
                "out:still building",
                "err:another warning",
                "out:built dist/index.html");
        Entry status = entries.get(entries.size() - 1);
        String siteUrl = "http://127.0.0.1:" + server.port() + "/sites/site-success/1.0.0/";
        assertThat(status.type()).isEqualTo("status");
        assertThat(status.get("status")).isEqualTo("SUCCESS");
        assertThat(status.get("exitCode")).isEqualTo("0");
        assertThat(status.get("siteUrl")).isEqualTo(siteUrl);
        assertThat(entries).filteredOn(Entry::isStatus).hasSize(1);

        // the site over HTTP, byte for byte what the manifest in the store describes
        SiteHttp.Reply page = SiteHttp.get(server.port(), URI.create(siteUrl).getPath());
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.text()).isEqualTo(project.html());
        assertThat(page.header("Content-Type")).startsWith("text/html");
        Manifest manifest = Manifest.parse(Files.readAllBytes(workDir.resolve("sites/site-success/1.0.0.manifest.json")));
        assertThat(manifest.files()).extracting(Manifest.File::path).containsExactly("index.html");
        assertThat(manifest.file("index.html").orElseThrow().sha256()).isEqualTo(sha256(page.body()));
        assertThat(manifest.file("index.html").orElseThrow().size()).isEqualTo(page.body().length);

        // status and list say the same
        Map<String, Object> answer = client.status(id);
        assertThat(answer).containsEntry("id", id).containsEntry("status", "SUCCESS").containsEntry("stage", "publish")
                .containsEntry("repo", repo).containsEntry("branch", "main")
                .containsEntry("command", "node build.js").containsEntry("name", "site-success")
                .containsEntry("version", "1.0.0").containsEntry("exitCode", 0).containsEntry("siteUrl", siteUrl)
                .doesNotContainKey("message");
        Instant created = Instant.parse((String) answer.get("createdAt"));
        Instant started = Instant.parse((String) answer.get("startedAt"));
        Instant ended = Instant.parse((String) answer.get("endedAt"));
        assertThat(created).isBeforeOrEqualTo(started);
        assertThat(started).isBeforeOrEqualTo(ended);
        List<Map<String, Object>> list = client.list();
        assertThat(list).contains(answer);
        assertThat(list).extracting(build -> (String) build.get("id"))
                .isSortedAccordingTo((a, b) -> b.compareTo(a)); // newest first
    }

    @Test
    void theDefaultCommandIsNpmRunBuildAndASecondBuildOfTheSameVersionReplacesTheSite() {
        Fixture project = Fixture.project("site-default-command");
        BuildSocket client = client();

        String first = client.submit(repo(project), "main", null);
        assertThat(last(client.followToEnd(first, 0)).get("status")).isEqualTo("SUCCESS");
        assertThat(client.status(first)).containsEntry("command", "npm run build");

        project.buildJs(project.site().replace("Hello from", "Hello again from"));
        String second = client.submit(repo(project), "main", "  npm   run build ");
        List<Entry> entries = client.followToEnd(second, 0);

        assertThat(last(entries).get("status")).isEqualTo("SUCCESS");
        assertThat(linesOf(entries, "build")).startsWith("out:[cloudscope] $ npm run build")
                .contains("out:> node build.js");
        assertThat(SiteHttp.get(server.port(), "/sites/site-default-command/1.0.0/").text()).contains("Hello again from");
    }

    // --- builds that fail: every exit code counts, nothing is published

    @Test
    void aFailingInstallOrBuildIsAFailureNamingTheStageTheExitCodeAndTheLastLinesAndPublishesNothing() throws IOException {
        Fixture badInstall = Fixture.project("site-bad-install").packageJson("""
                {
                  "name": "site-bad-install",
                  "version": "1.0.0",
                  "scripts": {"build": "node build.js"},
                  "dependencies": {"missing": "file:./missing.tgz"}
                }
                """);
        Fixture badBuild = Fixture.project("site-bad-build").buildJs("""
                for (let i = 1; i <= 15; i++) console.log('step ' + i);
                sleep(100); // stdout and stderr are two pipes: read in the order written, given time
                console.error('something broke');
                process.exit(3);
                """);
        Fixture exitOne = Fixture.project("site-exit-one").buildJs("""
                fs.mkdirSync('dist', {recursive: true});
                fs.writeFileSync('dist/index.html', 'half a site');
                console.log('made half a site');
                process.exitCode = 1;
                """);
        Fixture stderrButZero = Fixture.project("site-stderr-zero").buildJsThenSite("""
                console.error('npm WARN deprecated: this is only a warning');
                console.error('Error: words on stderr are not a failure');
                """);
        Fixture linkOut = Fixture.project("site-link-out");
        linkOut.buildJs(linkOut.site() + """
                fs.symlinkSync('/etc/hostname', 'dist/leak.txt');
                """);
        Fixture noSite = Fixture.project("site-none").buildJs("console.log('built nothing');\n");
        BuildSocket client = client();
        Set<Path> sitesBefore = tree(workDir.resolve("sites"));

        String install = client.submit(repo(badInstall), "main", "node build.js");
        String build = client.submit(repo(badBuild), "main", "node build.js");
        String one = client.submit(repo(exitOne), "main", null); // npm run build: npm passes node's exit code on
        String zero = client.submit(repo(stderrButZero), "main", "node build.js");
        String link = client.submit(repo(linkOut), "main", "node build.js");
        String none = client.submit(repo(noSite), "main", "node build.js");
        List<Entry> installed = client.followToEnd(install, 0);
        List<Entry> built = client.followToEnd(build, 0);
        List<Entry> exitedOne = client.followToEnd(one, 0);
        List<Entry> exitedZero = client.followToEnd(zero, 0);
        List<Entry> linked = client.followToEnd(link, 0);
        List<Entry> builtNothing = client.followToEnd(none, 0);

        // npm install, no lock file: it fails, and the build ends there
        Entry installStatus = last(installed);
        assertThat(installStatus.get("status")).isEqualTo("FAILURE");
        assertThat(installStatus.get("stage")).isEqualTo("install");
        int npmExit = Integer.parseInt(installStatus.get("exitCode"));
        assertThat(npmExit).isNotZero();
        assertThat(installStatus.get("message")).startsWith("install: `npm install` exited with " + npmExit
                + "; its last lines:\n");
        assertThat(linesOf(installed, "install")).first().isEqualTo("out:[cloudscope] $ npm install");
        List<String> npmLines = linesOf(installed, "install").stream().skip(1).map(line -> line.substring(4)).toList();
        assertThat(installStatus.get("message").lines().skip(1).toList())
                .isEqualTo(npmLines.subList(Math.max(0, npmLines.size() - 10), npmLines.size()));
        assertThat(stageEvents(installed)).endsWith("install:start", "install:end");
        assertThat(installed).filteredOn(Entry::isStage).last().extracting(e -> e.get("exitCode"))
                .isEqualTo(String.valueOf(npmExit));

        // the build's own exit code, and its last 10 lines
        Entry buildStatus = last(built);
        assertThat(buildStatus.get("status")).isEqualTo("FAILURE");
        assertThat(buildStatus.get("stage")).isEqualTo("build");
        assertThat(buildStatus.get("exitCode")).isEqualTo("3");
        assertThat(buildStatus.get("message")).isEqualTo("build: `node build.js` exited with 3; its last lines:\n"
                + "step 7\nstep 8\nstep 9\nstep 10\nstep 11\nstep 12\nstep 13\nstep 14\nstep 15\nsomething broke");
        assertThat(stageEvents(built)).endsWith("build:start", "build:end").doesNotContain("publish:start");
        assertThat(client.status(build)).containsEntry("status", "FAILURE").containsEntry("stage", "build")
                .containsEntry("exitCode", 3).doesNotContainKey("siteUrl");

        // exit 1 is a failure even with a dist/ made: nothing published
        Entry oneStatus = last(exitedOne);
        assertThat(oneStatus.get("status")).isEqualTo("FAILURE");
        assertThat(oneStatus.get("exitCode")).isEqualTo("1");
        assertThat(oneStatus.get("message")).startsWith("build: `npm run build` exited with 1");
        assertThat(oneStatus.get("siteUrl")).isNull();

        // stderr is only output: exit 0 is a success
        Entry zeroStatus = last(exitedZero);
        assertThat(zeroStatus.get("status")).isEqualTo("SUCCESS");
        assertThat(linesOf(exitedZero, "build")).contains("err:Error: words on stderr are not a failure");

        // publish fails without a site to publish, and for a link out of the site: each said once, by its stage
        Entry linkStatus = last(linked);
        assertThat(linkStatus.get("status")).isEqualTo("FAILURE");
        assertThat(linkStatus.get("stage")).isEqualTo("publish");
        assertThat(linkStatus.get("message")).isEqualTo("publish: dist/leak.txt links outside dist/");
        Entry noSiteStatus = last(builtNothing);
        assertThat(noSiteStatus.get("status")).isEqualTo("FAILURE");
        assertThat(noSiteStatus.get("stage")).isEqualTo("publish");
        assertThat(noSiteStatus.get("message")).isEqualTo("publish: the build made neither dist/ nor build/");

        assertThat(newPaths(sitesBefore, tree(workDir.resolve("sites"))))
                .filteredOn(path -> !path.startsWith(DirectoryStore.STAGING))
                .allSatisfy(path -> assertThat(path.toString()).startsWith("site-stderr-zero"));
        for (String name : List.of("site-bad-install", "site-bad-build", "site-exit-one", "site-link-out", "site-none")) {
            assertThat(workDir.resolve("sites").resolve(name)).doesNotExist();
            assertThat(SiteHttp.get(server.port(), "/sites/" + name + "/1.0.0/").status()).isEqualTo(404);
        }
        Files.delete(workDir.resolve("builds").resolve(link).resolve("src/dist/leak.txt")); // @TempDir warns of it
    }

    // --- refused: validated first, nothing made

    static Stream<Arguments> badRequests() {
        String repo = "file:///nowhere/project.git";
        return Stream.of(
                Arguments.of("an ftp repository", request("ftp://example.com/project.git", "main", null),
                        "repo: scheme \"ftp\" is not allowed (allowed: https, file)"),
                Arguments.of("a branch ../x", request(repo, "../x", null), "branch: must not contain \"..\""),
                Arguments.of("a branch -x", request(repo, "-x", null), "branch: must not start with \"-\""),
                Arguments.of("a branch a b", request(repo, "a b", null),
                        "branch: must not contain spaces or control characters"),
                Arguments.of("a command not listed", request(repo, "main", "rm -rf /"),
                        "command: not allowed (allowed: npm run build, node build.js)"),
                Arguments.of("a repository with a password", request("https://me:secret@example.com/p.git", "main",
                        null), "repo: must not contain credentials (user or password)"),
                Arguments.of("no repository", request(null, "main", null), "repo: is required"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRequests")
    void aBadRequestIsRefusedWithAnErrorAndNothingIsMadeOnDisk(String what, Map<String, Object> request, String error) {
        BuildSocket client = client();
        Set<Path> before = tree(workDir);
        int builds = client.list().size();

        Map<String, Object> answer = client.request("build", request);

        assertThat(answer).containsOnlyKeys("error").containsEntry("error", error);
        assertThat(tree(workDir)).isEqualTo(before);
        assertThat(client.list()).hasSize(builds);
        // the answer repeats neither the repository nor the branch
        for (Object value : List.of(String.valueOf(request.get("repo")), String.valueOf(request.get("branch")))) {
            if (!value.equals("main") && !value.equals("null")) {
                assertThat((String) answer.get("error")).doesNotContain((String) value);
            }
        }
    }

    @Test
    void aPackageNameWithDotDotIsAFailureAtDownloadAndNoSiteDirectoryIsMadeAnywhere() throws IOException {
        Fixture evil = Fixture.project("evil").packageJson("""
                {"name": "../evil", "version": "1.0.0", "scripts": {"build": "node build.js"}}
                """);
        evil.buildJs("fs.mkdirSync('dist'); fs.writeFileSync('dist/index.html', 'evil');");
        BuildSocket client = client();
        Set<Path> sitesBefore = tree(workDir.resolve("sites"));

        String id = client.submit(repo(evil), "main", "node build.js");
        List<Entry> entries = client.followToEnd(id, 0);

        Entry status = last(entries);
        assertThat(status.get("status")).isEqualTo("FAILURE");
        assertThat(status.get("stage")).isEqualTo("download");
        assertThat(status.get("message")).startsWith("download: package.json: \"name\" ");
        assertThat(stageEvents(entries)).endsWith("download:start", "download:end").doesNotContain("build:start");
        assertThat(tree(workDir.resolve("sites"))).isEqualTo(sitesBefore);
        try (Stream<Path> all = Files.walk(temp)) {
            // the repository's own directory is named by the test; no other path holds "evil"
            assertThat(all.filter(path -> !path.startsWith(temp.resolve("repos")))
                    .filter(path -> path.getFileName().toString().contains("evil"))).isEmpty();
        }
        assertThat(Path.of("/tmp/evil")).doesNotExist();
    }

    // --- limits

    @Test
    void aBuildPrintingFarMoreThanMaxLogBytesKeepsOneLimitLineAndStillSucceeds() throws IOException {
        Fixture chatty = Fixture.project("site-chatty");
        chatty.buildJs("""
                const line = 'x'.repeat(100);
                for (let i = 1; i <= 10000; i++) console.log(i + ' ' + line);
                console.error('the last line, dropped');
                """ + chatty.site());
        BuildSocket client = client();

        String id = client.submit(repo(chatty), "main", "node build.js");
        List<Entry> entries = client.followToEnd(id, 0);

        assertNumberedFromOne(entries);
        assertThat(last(entries).get("status")).isEqualTo("SUCCESS");
        List<Entry> logs = entries.stream().filter(Entry::isLog).toList();
        assertThat(logs).filteredOn(e -> e.get("line").startsWith("[cloudscope] log limit")).singleElement()
                .satisfies(limit -> {
                    assertThat(limit.get("stream")).isEqualTo("err");
                    assertThat(limit.get("line")).isEqualTo("[cloudscope] log limit of 64 KiB reached: later output"
                            + " is dropped");
                });
        long kept = logs.stream().filter(e -> !e.get("line").startsWith("[cloudscope] log limit"))
                .mapToLong(e -> e.get("line").getBytes(StandardCharsets.UTF_8).length + 1L).sum();
        assertThat(kept).isLessThanOrEqualTo(MAX_LOG_BYTES).isGreaterThan(MAX_LOG_BYTES - 200);
        assertThat(logs).extracting(Entry::brief).doesNotContain("err:the last line, dropped");
        // the build went on after the limit: its stages still end, its site is there
        int limitAt = indexOf(entries, e -> e.isLog() && e.get("line").startsWith("[cloudscope] log limit"));
        assertThat(stageEvents(entries.subList(limitAt, entries.size())))
                .containsExactly("build:end", "publish:start", "publish:end");
        assertThat(SiteHttp.get(server.port(), "/sites/site-chatty/1.0.0/").text()).isEqualTo(chatty.html());
        // on disk: the kept output and its JSON framing, far below what the build printed (over 1 MB)
        assertThat(Files.size(workDir.resolve("builds").resolve(id).resolve("log.jsonl")))
                .isLessThan(2 * MAX_LOG_BYTES);
    }

    // --- cancel

    @Test
    void cancelEndsARunningBuildAndItsProcessesAndADisconnectWithoutDetachCancelsButADetachedBuildGoesOn() {
        String marker = processes.marker();
        Fixture stuck = Fixture.project("site-stuck").buildJs(Processes.detachGrandchild(marker, "grandchild.pid") + """
                console.log('ready');
                sleep(60000);
                """);
        Fixture slow = Fixture.project("site-slow").buildJsThenSite("""
                console.log('ready');
                sleep(1500);
                """);
        BuildSocket canceller = client();
        BuildSocket leaver = client();
        BuildSocket detacher = client();
        BuildSocket watcher = client();

        String cancelled = canceller.submit(repo(stuck), "main", "node build.js");
        String abandoned = leaver.submit(repo(slow), "main", "node build.js");
        String detached = detacher.submit(repo(slow), "main", "node build.js");
        assertThat(detacher.detach(detached)).isEqualTo(Map.of("id", detached));
        canceller.followUntil(cancelled, 0, isLine("out:ready"));
        watcher.followUntil(abandoned, 0, isLine("out:ready"));
        watcher.followUntil(detached, 0, isLine("out:ready"));
        assertThat(processes.marked()).as("the build's detached grandchild runs").isNotEmpty();

        long asked = System.nanoTime();
        Map<String, Object> answer = canceller.cancel(cancelled);
        leaver.disconnect();
        detacher.disconnect();

        assertThat(answer).containsEntry("id", cancelled);
        assertThat((String) answer.get("status")).isIn("WORKING", "CANCELLED");
        Entry cancelledStatus = last(canceller.followToEnd(cancelled, 0));
        assertThat(cancelledStatus.get("status")).isEqualTo("CANCELLED");
        assertThat(cancelledStatus.get("stage")).isEqualTo("build");
        assertThat(Duration.ofNanos(System.nanoTime() - asked)).isLessThan(Duration.ofSeconds(5));
        assertThat(processes.marked()).as("no process of the cancelled build is left").isEmpty();
        assertThat(canceller.cancel(cancelled)).isEqualTo(Map.of("id", cancelled, "status", "CANCELLED"));

        assertThat(last(watcher.followToEnd(abandoned, 0)).get("status")).isEqualTo("CANCELLED");
        Entry detachedStatus = last(watcher.followToEnd(detached, 0));
        assertThat(detachedStatus.get("status")).isEqualTo("SUCCESS");
        assertThat(SiteHttp.get(server.port(), "/sites/site-slow/1.0.0/").status()).isEqualTo(200);
        assertThat(watcher.cancel(detached)).isEqualTo(Map.of("id", detached, "status", "SUCCESS"));
    }

    // --- follow

    @Test
    void followFromZeroOrFromAnyLaterSequenceContinuesExactlyWithNoEntryTwice() {
        Fixture long_ = Fixture.project("site-long");
        long_.buildJs("""
                for (let i = 1; i <= 1200; i++) { console.log('line ' + i); if (i % 100 === 0) sleep(50); }
                """ + long_.site());
        BuildSocket owner = client();
        BuildSocket first = client();

        String id = owner.submit(repo(long_), "main", "node build.js");
        // a client follows for a while, then its connection is gone; a new one continues from the last seq it saw
        List<Entry> seen = first.followUntil(id, 0, isLine("out:line 300"));
        long lastSeen = seen.get(seen.size() - 1).seq();
        first.close();
        BuildSocket second = client();
        List<Entry> rest = second.followToEnd(id, lastSeen);

        List<Entry> joined = new ArrayList<>(seen);
        joined.addAll(rest);
        assertNumberedFromOne(joined);
        assertThat(linesOf(joined, "build")).filteredOn(line -> line.startsWith("out:line "))
                .isEqualTo(LongStream.rangeClosed(1, 1200).mapToObj(i -> "out:line " + i).toList());
        assertThat(last(joined).get("status")).isEqualTo("SUCCESS");
        // and from any point of the finished log: exactly the entries after it
        List<Entry> all = second.followToEnd(id, 0);
        assertThat(all).extracting(Entry::fields).isEqualTo(joined.stream().map(Entry::fields).toList());
        int n = all.size();
        for (int after : new int[] {1, 63, 64, 65, 499, 500, 501, n / 2, n - 1}) {
            assertThat(second.followToEnd(id, after)).as("after %d", after).extracting(Entry::fields)
                    .isEqualTo(all.subList(after, n).stream().map(Entry::fields).toList());
        }
        Page end = second.follow(id, n);
        assertThat(end.entries()).isEmpty();
        assertThat(end.finished()).isTrue();
    }

    @Test
    void aFollowerThatStopsAskingMidBuildAndResumesLaterGetsEverythingInOrder() throws Exception {
        Fixture steady = Fixture.project("site-steady");
        steady.buildJs("""
                for (let i = 1; i <= 40; i++) { console.log('tick ' + i); if (i % 2) console.error('tock ' + i); sleep(40); }
                """ + steady.site());
        BuildSocket slow = client();

        String id = slow.submit(repo(steady), "main", "node build.js");
        List<Entry> got = new ArrayList<>(slow.followUntil(id, 0, isLine("out:tick 3")));
        Thread.sleep(500); // the build goes on while this follower asks nothing
        Page resumed = slow.follow(id, got.get(got.size() - 1).seq());
        got.addAll(resumed.entries());
        Thread.sleep(2000); // and ends
        got.addAll(slow.followToEnd(id, resumed.lastSeq()));

        assertThat(resumed.finished()).as("resumed mid-build").isFalse();
        assertThat(resumed.entries()).as("what came while it did not ask").hasSizeGreaterThan(5);
        assertNumberedFromOne(got);
        List<String> build = linesOf(got, "build");
        assertThat(build).filteredOn(line -> line.startsWith("out:tick"))
                .isEqualTo(LongStream.rangeClosed(1, 40).mapToObj(i -> "out:tick " + i).toList());
        assertThat(build).filteredOn(line -> line.startsWith("err:tock"))
                .isEqualTo(LongStream.iterate(1, i -> i <= 40, i -> i + 2).mapToObj(i -> "err:tock " + i).toList());
        assertThat(last(got).get("status")).isEqualTo("SUCCESS");
    }

    @Test
    void aSecondFollowOfTheSameBuildOnOneConnectionIsRefusedWhileTheFirstWaits() {
        Fixture waiting = Fixture.project("site-waiting").buildJs("""
                console.log('ready');
                sleep(60000);
                """);
        BuildSocket client = client();
        BuildSocket other = client();
        String id = client.submit(repo(waiting), "main", "node build.js");
        client.followUntil(id, 0, isLine("out:ready"));

        CompletableFuture<Page> waitingFollow = client.followAsync(id, 1_000_000); // nothing that far: it waits
        Page second = client.follow(id, 0);
        Page elsewhere = other.follow(id, 0);

        assertThat(second.refused()).isTrue();
        assertThat(second.ack()).isEqualTo(Map.of("error", "this connection already follows build " + id
                + ": wait for its answer"));
        assertThat(second.entries()).isEmpty();
        assertThat(elsewhere.refused()).as("another connection may follow it").isFalse();
        assertThat(waitingFollow).isNotDone();

        // once the first has its answer (nothing is that far, whenever it comes), the connection may follow again
        client.cancel(id);
        Page first = waitingFollow.orTimeout(30, TimeUnit.SECONDS).join();
        assertThat(first.refused()).isFalse();
        assertThat(first.entries()).isEmpty();
        assertThat(last(client.followToEnd(id, 0)).get("status")).isEqualTo("CANCELLED");
    }

    @Test
    void aFollowOfAnUnknownOrMalformedIdOrWithABadAfterIsAnError() {
        BuildSocket client = client();

        assertThat(client.follow("20200101000000-abcdef", 0).ack())
                .isEqualTo(Map.of("error", "no build 20200101000000-abcdef"));
        assertThat(client.request("follow", Map.of("id", "../../etc", "after", 0)))
                .isEqualTo(Map.of("error", "id: not a build id"));
        assertThat(client.request("follow", Map.of("after", 0))).isEqualTo(Map.of("error", "id: a build id is needed"));
        assertThat(client.request("follow", Map.of("id", "20200101000000-abcdef", "after", -1)))
                .isEqualTo(Map.of("error", "after: a sequence number (0 or more) is needed"));
        assertThat(client.status("20200101000000-abcdef")).isEqualTo(Map.of("error", "no build 20200101000000-abcdef"));
        assertThat(client.cancel("20200101000000-abcdef")).isEqualTo(Map.of("error", "no build 20200101000000-abcdef"));
        assertThat(client.detach("20200101000000-abcdef")).isEqualTo(Map.of("error", "no build 20200101000000-abcdef"));
        assertThat(client.request("build", null)).isEqualTo(Map.of("error", "build: expected an object {repo, branch, command?}"));
    }

    // --- the published site over HTTP

    @Test
    void theSiteIsServedSandboxedAndNoRequestReachesAFileOutsideIt() throws IOException {
        Fixture project = Fixture.project("site-served");
        project.buildJs(project.site() + """
                fs.mkdirSync('dist/docs');
                fs.writeFileSync('dist/docs/index.html', '<p>docs</p>');
                fs.writeFileSync('dist/app.js', 'console.log(1)');
                """);
        BuildSocket client = client();
        String id = client.submit(repo(project), "main", "node build.js");
        assertThat(last(client.followToEnd(id, 0)).get("status")).isEqualTo("SUCCESS");
        String secret = "the server's secret " + System.nanoTime();
        Files.writeString(workDir.resolve("secret.txt"), secret);
        Files.writeString(workDir.resolve("sites/secret.txt"), secret);

        SiteHttp.Reply index = SiteHttp.get(server.port(), "/sites/site-served/1.0.0/");
        assertThat(index.status()).isEqualTo(200);
        assertThat(index.header("Content-Security-Policy")).startsWith("sandbox");
        assertThat(index.header("X-Content-Type-Options")).isEqualTo("nosniff");
        SiteHttp.Reply script = SiteHttp.get(server.port(), "/sites/site-served/1.0.0/app.js");
        assertThat(script.status()).isEqualTo(200);
        assertThat(script.header("Content-Type")).startsWith("text/javascript");
        assertThat(script.header("Content-Security-Policy")).startsWith("sandbox");
        assertThat(SiteHttp.get(server.port(), "/sites/site-served/1.0.0/docs/").text()).isEqualTo("<p>docs</p>");

        for (String attempt : List.of(
                "/sites/x/1.0.0/../../..",
                "/sites/x/1.0.0/../../../secret.txt",
                "/sites/site-served/1.0.0/../../secret.txt",
                "/sites/site-served/1.0.0/../../../secret.txt",
                "/sites/site-served/1.0.0/%2e%2e/%2e%2e/secret.txt",
                "/sites/site-served/1.0.0/%2e%2e/%2e%2e/%2e%2e/secret.txt",
                "/sites/site-served/1.0.0/%2E%2E%2F%2E%2E%2Fsecret.txt",
                "/sites/site-served/1.0.0/..%2f..%2f..%2fsecret.txt",
                "/sites/site-served/1.0.0/..%5c..%5c..%5csecret.txt",
                "/sites/site-served/1.0.0/%252e%252e/%252e%252e/secret.txt",
                "/sites/%2e%2e/secret.txt",
                "/sites/../secret.txt",
                "/sites/site-served/%2e%2e/secret.txt",
                "/sites/site-served/1.0.0.manifest.json",
                "/sites/site-served/1.0.0/docs/../../../secret.txt",
                "/sites/site-served/1.0.0/%00/../secret.txt",
                "/sites/secret.txt",
                "/sites/")) {
            SiteHttp.Reply reply = SiteHttp.get(server.port(), attempt);
            assertThat(reply.status()).as(attempt).isIn(400, 404);
            assertThat(reply.text()).as(attempt).doesNotContain(secret).doesNotContain("sha256");
        }
    }

    // --- a real dependency from the npm registry

    @Test
    void aProjectWithARealDependencyIsInstalledWithNpmCiFromItsLockFile() throws Exception {
        assumeTrue(registryReachable(), "the npm registry is not reachable: no build with a real dependency");
        Fixture project = Fixture.project("site-with-dependency").packageJson("""
                {
                  "name": "site-with-dependency",
                  "version": "1.0.0",
                  "private": true,
                  "scripts": {"build": "node build.js"},
                  "dependencies": {"is-number": "7.0.0"}
                }
                """);
        project.file("package-lock.json", lockFileFor(project));
        project.buildJs("""
                const isNumber = require('is-number');
                fs.mkdirSync('dist', {recursive: true});
                fs.writeFileSync('dist/index.html', '<p>is-number says ' + isNumber(42) + '</p>');
                """);
        BuildSocket client = client();

        String id = client.submit(repo(project), "main", "node build.js");
        List<Entry> entries = client.followToEnd(id, 0);

        assertThat(last(entries).get("status")).as("%s", entries).isEqualTo("SUCCESS");
        assertThat(linesOf(entries, "install")).first().isEqualTo("out:[cloudscope] $ npm ci");
        assertThat(SiteHttp.get(server.port(), "/sites/site-with-dependency/1.0.0/").text())
                .isEqualTo("<p>is-number says true</p>");
    }

    @Test
    void aRebuildWithAnUnchangedLockFileTakesItsDependenciesFromTheCacheAsACopy() throws Exception {
        Path greet = Files.createDirectories(temp.resolve("greet-package"));
        Files.writeString(greet.resolve("package.json"), "{\"name\": \"greet\", \"version\": \"1.0.0\", \"main\": \"index.js\"}");
        Files.writeString(greet.resolve("index.js"), "module.exports = () => 'hello from greet';\n");
        Process pack = new ProcessBuilder("npm", "pack", "--pack-destination", temp.toString(), "--cache",
                temp.resolve("npm-cache").toString()).directory(greet.toFile()).redirectErrorStream(true).start();
        String packed = new String(pack.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(pack.waitFor(60, TimeUnit.SECONDS) && pack.exitValue() == 0).as(packed).isTrue();
        Fixture project = Fixture.project("site-with-cache");
        project.packageJson("""
                {
                  "name": "site-with-cache",
                  "version": "1.0.0",
                  "private": true,
                  "scripts": {"build": "node build.js"},
                  "dependencies": {"greet": "file:greet-1.0.0.tgz"}
                }
                """);
        // a build that uses its dependency, then changes it in its own node_modules: the next build must not see that
        project.buildJs("""
                const said = require('greet')();
                fs.mkdirSync('dist', {recursive: true});
                fs.writeFileSync('dist/index.html', '<p>' + said + '</p>');
                fs.writeFileSync('node_modules/greet/index.js', "module.exports = () => 'tampered';");
                """);
        String url = repo(project, temp.resolve("greet-1.0.0.tgz"));
        BuildSocket client = client();

        List<Entry> cold = client.followToEnd(client.submit(url, "main", "node build.js"), 0);
        List<Entry> warm = client.followToEnd(client.submit(url, "main", "node build.js"), 0);
        // the warm build changed its copy too: were the cache shared by links, this one would say 'tampered'
        List<Entry> third = client.followToEnd(client.submit(url, "main", "node build.js"), 0);

        assertThat(last(cold).get("status")).as("%s", cold).isEqualTo("SUCCESS");
        assertThat(linesOf(cold, "install")).first().isEqualTo("out:[cloudscope] $ npm ci");
        assertThat(last(warm).get("status")).as("%s", warm).isEqualTo("SUCCESS");
        assertThat(linesOf(warm, "install")).singleElement().asString()
                .startsWith("out:[cloudscope] node_modules from the cache of package-lock.json ");
        assertThat(last(third).get("status")).as("%s", third).isEqualTo("SUCCESS");
        assertThat(SiteHttp.get(server.port(), "/sites/site-with-cache/1.0.0/").text()).isEqualTo("<p>hello from greet</p>");
    }

    // --- helpers

    private BuildSocket client() {
        BuildSocket client = BuildSocket.connect(server.url("/build"));
        clients.add(client);
        return client;
    }

    /** The fixture committed to a repository of its own: its file:// URL. */
    private String repo(Fixture project) {
        return project.commitTo(temp.resolve("repos").resolve(project.name() + "-" + repos.incrementAndGet()));
    }

    /**
     * The fixture with {@code tarball} among its files (its name in the project) and a lock file npm made for it,
     * committed to a repository of its own: its file:// URL.
     */
    private String repo(Fixture project, Path tarball) throws IOException, InterruptedException {
        Path dir = temp.resolve("repos").resolve(project.name() + "-" + repos.incrementAndGet());
        Files.createDirectories(dir);
        Files.copy(tarball, dir.resolve(tarball.getFileName()));
        Files.writeString(dir.resolve("package.json"), project.content("package.json"));
        Process npm = new ProcessBuilder("npm", "install", "--package-lock-only", "--ignore-scripts", "--no-audit",
                "--no-fund", "--offline", "--cache", temp.resolve("npm-cache").toString())
                .directory(dir.toFile()).redirectErrorStream(true).start();
        String said = new String(npm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(npm.waitFor(60, TimeUnit.SECONDS) && npm.exitValue() == 0).as(said).isTrue();
        project.file("package-lock.json", Files.readString(dir.resolve("package-lock.json")));
        project.file(tarball.getFileName().toString(), null);
        return project.commitTo(dir);
    }

    /** package-lock.json for the project's package.json, made by this machine's npm from the registry. */
    private String lockFileFor(Fixture project) throws IOException, InterruptedException {
        Path dir = Files.createDirectories(temp.resolve("lock-" + project.name()));
        Files.writeString(dir.resolve("package.json"), project.content("package.json"));
        Process npm = new ProcessBuilder("npm", "install", "--package-lock-only", "--ignore-scripts", "--no-audit",
                "--no-fund", "--cache", temp.resolve("npm-cache").toString())
                .directory(dir.toFile()).redirectErrorStream(true).start();
        String said = new String(npm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(npm.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assumeTrue(npm.exitValue() == 0, "npm could not make the lock file: " + said);
        return Files.readString(dir.resolve("package-lock.json"));
    }
}
