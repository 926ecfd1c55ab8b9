package dev.cloudscope.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cloudscope.protocol.BuildEvents;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import org.json.JSONObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code cloudscope build} and its subcommands against {@link BuildServer} (the contract, scripted builds), in this
 * JVM with stdout and stderr captured, and as a process for Ctrl-C; git defaults from repositories made with JGit.
 */
class BuildCommandTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Pattern ACCEPTED = Pattern.compile("build (\\d{14}-[0-9a-f]{6}): .*");
    private static BuildServer server;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startServer() {
        server = new BuildServer();
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @BeforeEach
    @AfterEach
    void resetServer() {
        server.dropAfter = 0;
        server.pageSize = 1000;
        server.off = false;
        server.token = null;
        server.cutAfterBuild = false;
        server.drainLog();
    }

    // ---- a build, followed to its end

    @Test
    void aSuccessShowsTheStagesTheLinesTheStatusAndTheSite() {
        Result r = build("file:///fixtures/success", "--branch", "main");

        String id = r.id();
        assertThat(r.out).isEqualTo("build " + id + ": file:///fixtures/success, branch main\n"
                + "page: " + server.url() + "/builds/" + id + "\n"
                + "==> prepare\n"
                + "==> download\n"
                + "==> install\n"
                + "added 0 packages in 0.1s\n"
                + "==> build\n"
                + "> app@1.0.0 build\n"
                + "wrote dist/index.html\n"
                + "==> publish\n"
                + "build " + id + ": SUCCESS\n"
                + "site: " + server.url() + "/sites/app/1.0.0/\n");
        assertThat(r.err).isEqualTo("npm WARN no lock file\n(node) a warning\n");
        assertThat(r.code).isZero();
        // detached right after it was accepted, then followed from the start
        assertThat(server.drainLog()).containsSubsequence("build file:///fixtures/success main",
                "detach " + id, "follow " + id + " 0");
    }

    @Test
    void aFailureEndsWithTheStatusWordOnStderrAndExitCode1() {
        Result r = build("file:///fixtures/failure", "--branch", "main", "--command", "npm run site");

        String id = r.id();
        assertThat(r.code).isEqualTo(1);
        assertThat(r.out).isEqualTo("build " + id + ": file:///fixtures/failure, branch main\n"
                + "page: " + server.url() + "/builds/" + id + "\n"
                + "==> prepare\n==> download\n==> install\n");
        assertThat(r.err).isEqualTo("npm ERR! missing script: ci\n"
                + "cloudscope: build " + id + ": FAILURE in stage install (exit code 1): npm ci exited with 1\n");
        assertThat(server.drainLog()).contains("build file:///fixtures/failure main npm run site");
    }

    @Test
    void jsonIsOneObjectPerLineAndNothingElse() {
        Result r = build("file:///fixtures/success", "--branch", "main", "--json");

        assertThat(r.code).isZero();
        List<JSONObject> lines = r.out.lines().map(BuildCommandTest::parse).collect(Collectors.toList());
        assertThat(lines.get(0).optString("type")).isEqualTo("build");
        String id = lines.get(0).optString("id");
        assertThat(id).matches("\\d{14}-[0-9a-f]{6}");
        assertThat(lines.get(0).optString("page")).isEqualTo(server.url() + "/builds/" + id);
        List<JSONObject> entries = lines.subList(1, lines.size());
        assertThat(entries).extracting(o -> o.optLong("seq"))
                .containsExactlyElementsOf(IntStream.rangeClosed(1, entries.size()).mapToObj(i -> (long) i)
                        .collect(Collectors.toList()));
        assertThat(entries).allSatisfy(o -> assertThat(o.optString("id")).isEqualTo(id));
        assertThat(entries.get(0).toString()).contains("\"type\":\"stage\"", "\"stage\":\"prepare\"",
                "\"state\":\"start\"");
        assertThat(entries).filteredOn(o -> o.optString("type").equals("log"))
                .extracting(o -> o.optString("stream") + " " + o.optString("line"))
                .containsExactly("out added 0 packages in 0.1s", "err npm WARN no lock file",
                        "out > app@1.0.0 build", "out wrote dist/index.html", "err (node) a warning");
        JSONObject status = entries.get(entries.size() - 1);
        assertThat(status.optString("type")).isEqualTo("status");
        assertThat(status.optString("status")).isEqualTo("SUCCESS");
        assertThat(status.optString("siteUrl")).isEqualTo(server.url() + "/sites/app/1.0.0/");
        assertThat(r.out).startsWith("{\"type\":\"build\",\"id\":\"" + id + "\",\"page\":\"" + server.url() + "/builds/"
                        + id + "\"}\n")
                .contains("\"siteUrl\":\"http://127.0.0.1:"); // no \/ escapes
        assertThat(r.err).isEmpty();
    }

    @Test
    void aDroppedConnectionIsMadeAgainAndNoLineIsLostOrDoubled() {
        server.dropAfter = 700;
        server.pageSize = 400;

        Result r = build("file:///fixtures/many", "--branch", "main");

        assertThat(r.code).isZero();
        List<String> outLines = r.out.lines().filter(l -> l.startsWith("line ")).collect(Collectors.toList());
        List<String> errLines = r.err.lines().filter(l -> l.startsWith("line ")).collect(Collectors.toList());
        assertThat(outLines).containsExactlyElementsOf(IntStream.rangeClosed(1, BuildServer.MANY)
                .filter(i -> i % 10 != 0).mapToObj(i -> "line " + i).collect(Collectors.toList()));
        assertThat(errLines).containsExactlyElementsOf(IntStream.rangeClosed(1, BuildServer.MANY)
                .filter(i -> i % 10 == 0).mapToObj(i -> "line " + i).collect(Collectors.toList()));
        assertThat(r.out).endsWith("build " + r.id() + ": SUCCESS\nsite: " + server.url() + "/sites/app/1.0.0/\n");
        List<String> log = server.drainLog();
        long cuts = log.stream().filter(l -> l.startsWith("cut after")).count();
        assertThat(cuts).isGreaterThanOrEqualTo(3);
        assertThat(r.err.lines().filter(l -> l.matches("cloudscope: connection lost \\(.*\\); connecting "
                + "again to follow build " + r.id() + " after entry \\d+"))).hasSize((int) cuts);
        assertThat(r.err.lines().filter(l -> l.matches("cloudscope: connected again; following build " + r.id()
                + " after entry \\d+"))).hasSize((int) cuts);
        assertThat(log).doesNotContain("owner gone " + r.id()); // detached: the drops did not cancel it
        assertThat(log.stream().filter(l -> l.matches("follow " + r.id() + " [1-9]\\d*"))).isNotEmpty();
    }

    @Test
    void aConnectionCutRightAfterTheFirstEntryDoesNotCancelTheDetachedBuild() {
        server.dropAfter = 1;

        Result r = build("file:///fixtures/success", "--branch", "main");

        assertThat(r.code).isZero();
        assertThat(r.out).endsWith("build " + r.id() + ": SUCCESS\nsite: " + server.url() + "/sites/app/1.0.0/\n");
        assertThat(server.drainLog()).doesNotContain("owner gone " + r.id());
    }

    /** The one window the contract leaves: a connection lost between the build's ack and the detach. */
    @Test
    void aConnectionCutBeforeTheDetachArrivesCancelsTheBuildAndTheCliSaysSo() {
        server.cutAfterBuild = true;

        Result r = build("file:///fixtures/slow", "--branch", "main", "--timeout", "2s");

        assertThat(r.code).isEqualTo(1);
        assertThat(r.out).isEqualTo("build " + r.id() + ": file:///fixtures/slow, branch main\n"
                + "page: " + server.url() + "/builds/" + r.id() + "\n");
        assertThat(r.err).isEqualTo("cloudscope: build " + r.id() + ": CANCELLED: its client disconnected\n");
    }

    @Test
    void detachPrintsTheIdAndHowToFollowItAndEndsAtOnce() throws Exception {
        Result r = build("file:///fixtures/slow", "--branch", "dev", "--detach");

        String id = r.id();
        assertThat(r.code).isZero();
        assertThat(r.out).isEqualTo("build " + id + ": file:///fixtures/slow, branch dev\n"
                + "page: " + server.url() + "/builds/" + id + "\n"
                + "detached: the build goes on; follow it with: cloudscope build logs " + id + " --follow --server "
                + server.url() + "\n");
        assertThat(r.err).isEmpty();
        List<String> log = server.drainLog();
        assertThat(log).containsSubsequence("build file:///fixtures/slow dev", "detach " + id);
        assertThat(log).noneMatch(l -> l.startsWith("follow"));
        Thread.sleep(300); // the CLI's connection is gone: the build is not cancelled
        assertThat(server.build(id).status).isEqualTo(BuildEvents.WORKING);

        Result cancel = run("build", "cancel", id, "--server", server.url());
        assertThat(cancel.code).isZero();
        assertThat(cancel.out).isEqualTo("build " + id + ": CANCELLED\n");
    }

    @Test
    void detachWithJsonPrintsOnlyTheBuildObject() {
        Result r = build("file:///fixtures/success", "--branch", "main", "--detach", "--json");

        assertThat(r.code).isZero();
        assertThat(r.out).matches("\\{\"type\":\"build\",\"id\":\"(\\d{14}-[0-9a-f]{6})\",\"page\":\""
                + java.util.regex.Pattern.quote(server.url() + "/builds/") + "\\1\"\\}\n");
    }

    @Test
    void aRefusedBuildFails() {
        Result r = build("file:///fixtures/refused", "--branch", "main");

        assertThat(r.code).isEqualTo(1);
        assertThat(r.out).isEmpty();
        assertThat(r.err)
                .isEqualTo("cloudscope: " + server.url() + "/build: build refused: repo: scheme not allowed\n");
    }

    @Test
    void anUnreachableServerFails() {
        String url = "http://127.0.0.1:" + ChatServer.freePort();

        Result r = run("build", "file:///fixtures/success", "--branch", "main", "--server", url, "--timeout", "1s");

        assertThat(r.code).isEqualTo(1);
        assertThat(r.out).isEmpty();
        assertThat(r.err).isEqualTo("cloudscope: cannot connect to " + url + "/build: connection refused "
                + "(tried for 1s)\n");
    }

    @Test
    void aServerWithCloudBuildOffSaysSo() {
        server.off = true;

        Result r = build("file:///fixtures/success", "--branch", "main", "--token", "t");

        assertThat(r.code).isEqualTo(1);
        assertThat(r.err).isEqualTo("cloudscope: cannot connect to " + server.url() + "/build: "
                + BuildServer.OFF_MESSAGE + "\n");
    }

    @Test
    void presentsTheToken() {
        server.token = "s3cret";

        Result wrong = build("file:///fixtures/success", "--branch", "main", "--token", "guess");
        Result right = build("file:///fixtures/success", "--branch", "main", "--token", "s3cret");

        assertThat(wrong.code).isEqualTo(1);
        assertThat(wrong.err).isEqualTo("cloudscope: cannot connect to " + server.url() + "/build: unauthorized\n");
        assertThat(right.code).isZero();
    }

    /** As a user runs it: Ctrl-C cancels the build, waits for the server to say so, exit code 1. */
    @Test
    @EnabledOnOs({OS.LINUX, OS.MAC})
    void ctrlCCancelsTheBuild() throws Exception {
        CliProcess cli = new CliProcess("build", "file:///fixtures/slow", "--branch", "main", "--server",
                server.url());
        try {
            String first = cli.out.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(first).matches(ACCEPTED);
            Matcher m = ACCEPTED.matcher(first);
            assertThat(m.matches()).isTrue();
            String id = m.group(1);
            String line;
            do {
                line = cli.out.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            } while (line != null && !line.startsWith("tick "));
            assertThat(line).isEqualTo("tick 1");

            IgnoredSigInt.assumeHandled(cli.process.pid());
            new ProcessBuilder("kill", "-INT", String.valueOf(cli.process.pid())).start().waitFor();

            assertThat(cli.process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(cli.process.exitValue()).isEqualTo(1);
            assertThat(cli.err.poll(WAIT.toSeconds(), TimeUnit.SECONDS))
                    .isEqualTo("cloudscope: build " + id + ": CANCELLED (Ctrl-C)");
            assertThat(server.drainLog()).contains("cancel " + id);
            assertThat(server.build(id).status).isEqualTo(BuildEvents.CANCELLED);
        } finally {
            cli.process.destroyForcibly();
        }
    }

    // ---- the subcommands

    @Test
    void logsOfAFinishedBuildPrintTheWholeLogWithItsExitCode() {
        String ok = build("file:///fixtures/success", "--branch", "main", "--detach").id();
        String failed = build("file:///fixtures/failure", "--branch", "main", "--detach").id();
        awaitStatus(ok, BuildEvents.SUCCESS);
        awaitStatus(failed, BuildEvents.FAILURE);

        Result r = run("build", "logs", ok, "--server", server.url());
        Result f = run("build", "logs", failed, "--server", server.url());
        Result json = run("build", "logs", ok, "--server", server.url(), "--json");

        assertThat(r.code).isZero();
        assertThat(r.out).isEqualTo("==> prepare\n==> download\n==> install\nadded 0 packages in 0.1s\n==> build\n"
                + "> app@1.0.0 build\nwrote dist/index.html\n==> publish\nbuild " + ok + ": SUCCESS\n"
                + "site: " + server.url() + "/sites/app/1.0.0/\n");
        assertThat(r.err).isEqualTo("npm WARN no lock file\n(node) a warning\n");
        assertThat(f.code).isEqualTo(1);
        assertThat(f.err).endsWith("cloudscope: build " + failed + ": FAILURE in stage install (exit code 1): "
                + "npm ci exited with 1\n");
        assertThat(json.code).isZero();
        assertThat(json.out.lines().map(BuildCommandTest::parse).map(o -> o.optString("type")))
                .first().isEqualTo("stage");
        assertThat(json.out.lines().count()).isEqualTo(16);
    }

    @Test
    void logsWithoutFollowOfARunningBuildPrintWhatItHoldsAndEnd() throws Exception {
        String id = build("file:///fixtures/slow", "--branch", "main", "--detach").id();
        Thread.sleep(300);
        try {
            long started = System.nanoTime();
            Result r = run("build", "logs", id, "--server", server.url());

            assertThat(r.code).isZero();
            assertThat(r.out).startsWith("==> prepare\n==> download\n==> install\ntick 1\n");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
        } finally {
            run("build", "cancel", id, "--server", server.url());
        }
    }

    @Test
    void logsFollowGoOnUntilTheStatus() throws Exception {
        String id = build("file:///fixtures/many", "--branch", "main", "--detach").id();

        Result r = run("build", "logs", id, "--follow", "--server", server.url());

        assertThat(r.code).isZero();
        assertThat(r.out.lines().filter(l -> l.startsWith("line ")).count()).isEqualTo(BuildServer.MANY * 9 / 10);
        assertThat(r.out).endsWith("build " + id + ": SUCCESS\nsite: " + server.url() + "/sites/app/1.0.0/\n");
    }

    @Test
    void statusPrintsTheBuildsFields() {
        String id = build("file:///fixtures/success", "--branch", "main", "--detach").id();
        awaitStatus(id, BuildEvents.SUCCESS);

        Result r = run("build", "status", id, "--server", server.url());
        Result json = run("build", "status", id, "--server", server.url(), "--json");

        assertThat(r.code).isZero();
        List<String> lines = r.out.lines().collect(Collectors.toList());
        assertThat(lines.subList(0, 8)).containsExactly("id:        " + id, "status:    SUCCESS", "stage:     publish",
                "repo:      file:///fixtures/success", "branch:    main", "command:   npm run build", "name:      app",
                "version:   1.0.0");
        assertThat(lines.get(8)).matches("created:   \\d{4}-.*Z");
        assertThat(lines.get(9)).isEqualTo("site:      " + server.url() + "/sites/app/1.0.0/");
        assertThat(lines).hasSize(10);
        assertThat(json.code).isZero();
        JSONObject status = parse(json.out.strip());
        assertThat(status.optString("id")).isEqualTo(id);
        assertThat(status.optString("status")).isEqualTo("SUCCESS");
        assertThat(json.out).startsWith("{\"id\":\"" + id + "\",\"status\":\"SUCCESS\",");
    }

    @Test
    void anUnknownIdIsTheServersError() {
        Result status = run("build", "status", "20261130021833-3fa9c1", "--server", server.url());
        Result logs = run("build", "logs", "20261130021833-3fa9c1", "--follow", "--server", server.url());

        assertThat(status.code).isEqualTo(1);
        assertThat(status.err).isEqualTo("cloudscope: build 20261130021833-3fa9c1: id: no such build\n");
        assertThat(logs.code).isEqualTo(1);
        assertThat(logs.err).isEqualTo("cloudscope: build 20261130021833-3fa9c1: id: no such build\n");
    }

    @Test
    void listIsATableNewestFirst() {
        String first = build("file:///fixtures/success", "--branch", "main", "--detach").id();
        String second = build("file:///fixtures/failure", "--branch", "feature/x", "--detach").id();
        awaitStatus(first, BuildEvents.SUCCESS);
        awaitStatus(second, BuildEvents.FAILURE);

        Result r = run("build", "list", "--server", server.url());
        Result json = run("build", "list", "--server", server.url(), "--json");

        assertThat(r.code).isZero();
        List<String> rows = r.out.lines().collect(Collectors.toList());
        assertThat(rows.get(0)).matches("ID +STATUS +REPO +BRANCH +AGE");
        int i = indexOf(rows, second);
        assertThat(i).isPositive().isLessThan(indexOf(rows, first));
        assertThat(rows.get(i))
                .matches(Pattern.quote(second) + " +FAILURE +file:///fixtures/failure +feature/x +\\d+s");
        assertThat(rows.get(indexOf(rows, first))).matches(Pattern.quote(first)
                + " +SUCCESS +file:///fixtures/success +main +\\d+s");
        assertThat(json.code).isZero();
        List<JSONObject> objects = json.out.lines().map(BuildCommandTest::parse).collect(Collectors.toList());
        assertThat(objects).extracting(o -> o.optString("id")).containsSubsequence(second, first);
    }

    @Test
    void agesAreShort() {
        Instant now = Instant.parse("2026-11-30T02:18:33Z");
        assertThat(BuildListCommand.age("2026-11-30T02:18:21Z", now)).isEqualTo("12s");
        assertThat(BuildListCommand.age("2026-11-30T02:13:33.5Z", now)).isEqualTo("4m");
        assertThat(BuildListCommand.age("2026-11-30T02:18:33+01:00", now)).isEqualTo("1h");
        assertThat(BuildListCommand.age("2026-11-28T02:18:33Z", now)).isEqualTo("2d");
        assertThat(BuildListCommand.age("yesterday", now)).isEqualTo("-");
    }

    // ---- defaults from git

    @Test
    void noGitRepositoryIsAUsageError() {
        Result r = runIn(tmp, "build", "--server", server.url());
        Result noBranch = runIn(tmp, "build", "file:///fixtures/success", "--server", server.url());

        assertThat(r.code).isEqualTo(2);
        assertThat(r.out).isEmpty();
        assertThat(r.err).isEqualTo("cloudscope: no git repository in " + tmp + " (nor above it): run it in a clone "
                + "of the project, or give REPO and --branch\n");
        assertThat(noBranch.code).isEqualTo(2);
        assertThat(noBranch.err).isEqualTo("cloudscope: no --branch, and no git repository in " + tmp + " to take the "
                + "current branch from: give --branch\n");
        assertThat(server.drainLog()).isEmpty();
    }

    @Test
    void theRepositorysOriginAndBranchAreTheDefaultsAndUnpushedCommitsAreNamed() throws Exception {
        Path remote = tmp.resolve("remote.git");
        Path clone = tmp.resolve("clone");
        try (Git bare = Git.init().setBare(true).setInitialBranch("main").setDirectory(remote.toFile()).call();
             Git git = Git.cloneRepository().setURI(remote.toString()).setDirectory(clone.toFile()).call()) {
            commit(git, "one");
            git.checkout().setCreateBranch(true).setName("site").call();
            git.push().setRemote("origin").add("site").call();
            Path sub = Files.createDirectories(clone.resolve("src/deep"));

            Result pushed = runIn(sub, "build", "--server", server.url(), "--detach");

            assertThat(pushed.code).isZero();
            assertThat(pushed.err).isEmpty();
            assertThat(server.drainLog()).contains("build " + remote + " site");

            commit(git, "two");
            commit(git, "three");
            Result ahead = runIn(clone, "build", "--server", server.url(), "--detach");

            assertThat(ahead.code).isZero();
            assertThat(ahead.err).isEqualTo("cloudscope: warning: 2 commits on site not pushed to origin/site: the "
                    + "server builds origin/site without them (git push)\n");
            assertThat(ahead.out).startsWith("build " + ahead.id() + ": " + remote + ", branch site\n");

            git.checkout().setCreateBranch(true).setName("local-only").call();
            Result local = runIn(clone, "build", "--server", server.url(), "--detach");
            assertThat(local.err).isEqualTo("cloudscope: warning: branch local-only is not on origin (no "
                    + "origin/local-only): the server cannot build it; push it first (git push -u origin "
                    + "local-only)\n");

            // another REPO than origin: no warning about origin; the branch is still the current one
            Result other = runIn(clone, "build", "file:///fixtures/success", "--server", server.url(), "--detach");
            assertThat(other.err).isEmpty();
            assertThat(server.drainLog()).contains("build file:///fixtures/success local-only");

            git.checkout().setName(git.getRepository().resolve("HEAD").name()).call(); // detached HEAD
            Result detached = runIn(clone, "build", "--server", server.url());
            assertThat(detached.code).isEqualTo(2);
            assertThat(detached.err).matches("cloudscope: HEAD is detached in " + Pattern.quote(clone.toString())
                    + " \\(at [0-9a-f]{7}\\): give --branch\n");
            Result withBranch = runIn(clone, "build", "--branch", "site", "--server", server.url(), "--detach");
            assertThat(withBranch.code).isZero();
            assertThat(withBranch.err).contains("2 commits on site not pushed");
        }
    }

    @Test
    void aRepositoryWithoutOriginIsAUsageError() throws Exception {
        try (Git git = Git.init().setInitialBranch("main").setDirectory(tmp.toFile()).call()) {
            commit(git, "one");
        }

        Result r = runIn(tmp, "build", "--server", server.url());

        assertThat(r.code).isEqualTo(2);
        assertThat(r.err).isEqualTo("cloudscope: the git repository in " + tmp + " has no remote 'origin': add it "
                + "(git remote add origin URL) or give REPO\n");
    }

    // ---- usage, help, output details

    @Test
    void usageErrors() {
        Result badId = run("build", "status", "12345");
        Result badServer = run("build", "--server", "http://127.0.0.1:7001/chat", "--branch", "main", "x");
        Result badTimeout = run("build", "list", "--timeout", "soon");

        assertThat(badId.code).isEqualTo(2);
        assertThat(badId.err).contains("'12345' is not a build id (like 20261130021833-3fa9c1)");
        assertThat(badServer.code).isEqualTo(2);
        assertThat(badServer.err).contains("the server's address has a path (/chat)");
        assertThat(badTimeout.code).isEqualTo(2);
        assertThat(badTimeout.err).contains("'soon' is not a duration");
    }

    @Test
    void help() {
        Result top = run("--help");
        Result build = run("build", "--help");

        assertThat(top.out).contains("build");
        assertThat(build.code).isZero();
        assertThat(build.out).startsWith("Usage: cloudscope build").contains("[REPO]", "--branch=BRANCH",
                "--command=CMD", "--server=URL", "--detach", "--json", "--timeout=DURATION", "--token=TOKEN",
                "http://127.0.0.1:7001", "Ctrl-C cancels the build", "detaches from the", "logs", "status",
                "cancel", "list");
    }

    @Test
    void onATerminalTheStagesAreOneProgressLine() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        BuildOutput output = new BuildOutput(BuildOutput.Mode.TERMINAL, new PrintWriter(out), new PrintWriter(err),
                "cloudscope build logs ID --follow");
        String id = "20261130021833-3fa9c1";
        output.accepted(id, "https://example.com/app.git", "main", "https://example.com/builds/" + id);
        output.entry(entry(BuildEvents.STAGE, 1, "stage", "prepare", "state", "start"));
        output.entry(entry(BuildEvents.STAGE, 2, "stage", "install", "state", "start"));
        output.entry(entry(BuildEvents.LOG, 3, "stream", "out", "line", "added 1 package"));
        output.entry(entry(BuildEvents.LOG, 4, "stream", "err", "line", "warn"));
        output.entry(entry(BuildEvents.STATUS, 5, "status", "SUCCESS", "siteUrl", "http://s/"));
        int code = output.finish(new dev.cloudscope.cloudbuild.BuildClient.FollowResult(5, true,
                entry(BuildEvents.STATUS, 5, "status", "SUCCESS", "siteUrl", "http://s/")));

        String clear = "\r\u001b[K";
        assertThat(code).isZero();
        assertThat(out.toString()).isEqualTo("build " + id + ": https://example.com/app.git, branch main\n"
                + "page: https://example.com/builds/" + id + "\n"
                + clear + "[build: waiting] 0s"
                + clear + "[build 1/5: prepare] 0s"
                + clear + "[build 3/5: install] 0s"
                + clear + "added 1 package\n" + clear + "[build 3/5: install] 0s"
                + clear + clear + "[build 3/5: install] 0s"
                + clear
                + "build " + id + ": SUCCESS\nsite: http://s/\n");
        assertThat(err.toString()).isEqualTo("warn\n");
    }

    /** The build's web page is on the server's address: ws(s) as http(s), no path but /builds/ID, no query (token) or password. */
    @Test
    void thePageOfABuildIsOnTheServersAddress() {
        BuildOptions options = new BuildOptions();
        String id = "20261130021833-3fa9c1";
        assertThat(options.page(id)).isEqualTo("http://127.0.0.1:7001/builds/" + id);
        options.server = java.net.URI.create("wss://builds.example.com/build?token=secret");
        assertThat(options.page(id)).isEqualTo("https://builds.example.com/builds/" + id);
        options.server = java.net.URI.create("ws://[::1]:7002");
        assertThat(options.page(id)).isEqualTo("http://[::1]:7002/builds/" + id);
        options.server = java.net.URI.create("HTTPS://h:8443/");
        assertThat(options.page(id)).isEqualTo("https://h:8443/builds/" + id);
        options.server = java.net.URI.create("http://ann:pa55@h:8080/build");
        assertThat(options.page(id)).isEqualTo("http://h:8080/builds/" + id);
    }

    @Test
    void statusLines() {
        assertThat(BuildOutput.statusLine("X", new JSONObject(java.util.Map.of("status", "TIMEOUT", "stage", "build",
                "message", "killed after 10m")))).isEqualTo("build X: TIMEOUT in stage build: killed after 10m");
        assertThat(BuildOutput.statusLine("X", new JSONObject(java.util.Map.of("status", "FAILURE", "stage", "build",
                "exitCode", 2, "message", "npm run build exited with 2"))))
                .isEqualTo("build X: FAILURE in stage build (exit code 2): npm run build exited with 2");
        assertThat(BuildOutput.statusLine("X", new JSONObject(java.util.Map.of("status", "CANCELLED"))))
                .isEqualTo("build X: CANCELLED");
    }

    @Test
    void jsonStringsAreEscapedAsRfc8259Says() {
        JSONObject o = new JSONObject(java.util.Map.of("line", "a \"q\" \\ / \t\u0001é", "seq", 3));
        assertThat(Json.line("log", o)).isEqualTo("{\"type\":\"log\",\"seq\":3,\"line\":\"a \\\"q\\\" \\\\ / "
                + "\\t\\u0001é\"}");
    }

    // ---- helpers

    private static dev.cloudscope.cloudbuild.BuildEntry entry(String type, long seq, String... kv) {
        JSONObject fields = new JSONObject();
        try {
            fields.put("id", "20261130021833-3fa9c1");
            fields.put("seq", seq);
            for (int i = 0; i < kv.length; i += 2) {
                fields.put(kv[i], kv[i + 1]);
            }
        } catch (org.json.JSONException e) {
            throw new AssertionError(e);
        }
        return new dev.cloudscope.cloudbuild.BuildEntry(type, fields);
    }

    private static int indexOf(List<String> rows, String id) {
        for (int i = 0; i < rows.size(); i++) {
            if (rows.get(i).startsWith(id + " ")) {
                return i;
            }
        }
        return -1;
    }

    private static void commit(Git git, String name) throws Exception {
        Path file = git.getRepository().getWorkTree().toPath().resolve(name + ".txt");
        Files.writeString(file, name + "\n");
        git.add().addFilepattern(name + ".txt").call();
        PersonIdent who = new PersonIdent("Test", "test@example.com");
        git.commit().setMessage(name).setAuthor(who).setCommitter(who).setSign(false).call();
    }

    private static void awaitStatus(String id, String status) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!status.equals(server.build(id).status)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("build " + id + " is " + server.build(id).status + ", not " + status);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    private static JSONObject parse(String line) {
        try {
            return new JSONObject(line);
        } catch (org.json.JSONException e) {
            throw new AssertionError("not a JSON object: " + line, e);
        }
    }

    private record Result(int code, String out, String err) {
        /** The id of the build the run asked for, from its first line. */
        String id() {
            String first = out.lines().findFirst().orElse("");
            Matcher m = ACCEPTED.matcher(first);
            if (m.matches()) {
                return m.group(1);
            }
            Matcher json = Pattern.compile("\\{\"type\":\"build\",\"id\":\"([^\"]+)\"}").matcher(first);
            if (json.matches()) {
                return json.group(1);
            }
            throw new AssertionError("no build id in: " + out + " (stderr: " + err + ")");
        }
    }

    /** {@code build REPO ARGS --server (the test server)}, in a directory without a repository. */
    private Result build(String repo, String... args) {
        List<String> all = new ArrayList<>(List.of("build", repo));
        all.addAll(Arrays.asList(args));
        all.addAll(List.of("--server", server.url()));
        return run(all.toArray(String[]::new));
    }

    private Result run(String... args) {
        return runIn(tmp, args);
    }

    /** A run to its end, as if in {@code dir} (no repository is looked for above {@link #tmp}). */
    private Result runIn(Path dir, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = CloudscopeCommand.newCommandLine();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        BuildCommand build = (BuildCommand) cmd.getSubcommands().get("build").getCommand();
        build.workDir = dir.toAbsolutePath();
        build.ceiling = tmp.getParent().toFile();
        int code = cmd.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    /** {@code cloudscope ARGS} as a process of its own, on this JVM's class path; its output line by line. */
    private static final class CliProcess {
        final Process process;
        final BlockingQueue<String> out = new LinkedBlockingQueue<>();
        final BlockingQueue<String> err = new LinkedBlockingQueue<>();

        CliProcess(String... args) throws IOException {
            List<String> command = new ArrayList<>(List.of(
                    Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), CloudscopeCommand.class.getName()));
            command.addAll(List.of(args));
            process = new ProcessBuilder(command).directory(new File(System.getProperty("java.io.tmpdir"))).start();
            process.getOutputStream().close();
            drain(process.getInputStream(), out);
            drain(process.getErrorStream(), err);
        }

        private static void drain(InputStream stream, BlockingQueue<String> lines) {
            Thread t = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(stream, Charset.defaultCharset()))) {
                    for (String line = r.readLine(); line != null; line = r.readLine()) {
                        lines.add(line);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, "cli output");
            t.setDaemon(true);
            t.start();
        }
    }
}
