package dev.cloudscope.server.app.build;

import static dev.cloudscope.server.app.build.BuildTesting.buildUserMayEnter;
import static dev.cloudscope.server.app.build.BuildTesting.config;
import static dev.cloudscope.server.app.build.BuildTesting.last;
import static dev.cloudscope.server.app.build.BuildTesting.linesOf;
import static dev.cloudscope.server.app.build.BuildTesting.tree;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cloudscope.server.app.build.BuildSocket.Entry;
import dev.cloudscope.server.app.build.ProcessTesting.Processes;
import dev.cloudscope.server.testing.LogCapture;
import dev.cloudscope.server.testing.TestServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who reaches the cloud build, and how it runs: off by default (the namespace refuses every client with one
 * message), behind {@code auth.tokens} like every namespace, {@code file://} repositories only when listed, and
 * {@code build.sandbox = none} with its WARN line.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CloudBuildAccessTest {

    static final String TOKEN = "build-token-7f3a";

    @TempDir
    static Path temp;
    TestServer off;
    TestServer withTokens;
    Path tokensWorkDir;

    @BeforeAll
    void start() throws IOException {
        assumeTrue(Bubblewrap.onPath("bwrap").isPresent(), "bubblewrap (bwrap) is not installed");
        buildUserMayEnter(temp);
        tokensWorkDir = temp.resolve("tokens-work");
        off = TestServer.startLesson("");
        withTokens = TestServer.startLesson(config(tokensWorkDir, """
                build.repoSchemes = [https]
                auth.tokens = ["%s"]
                """.formatted(TOKEN)));
    }

    @AfterAll
    void stop() {
        TestServer.closeAll(off, withTokens);
    }

    @Test
    void theBuildIsOffByDefaultAndItsNamespaceRefusesEveryClientSayingSo() {
        try (BuildSocket client = BuildSocket.tryConnect(off.url("/build"), null)) {
            assertThat(client.connectError()).isEqualTo("cloud build is off on this server (build.enabled = false)");
            assertThat(client.connected()).isFalse();
        }
        assertThat(SiteHttp.get(off.port(), "/sites/site/1.0.0/").status()).isNotEqualTo(200);
    }

    @Test
    void withTokensTheBuildRefusesAClientWithoutTheTokenAndServesOneWithIt() {
        try (BuildSocket none = BuildSocket.tryConnect(withTokens.url("/build"), null);
             BuildSocket wrong = BuildSocket.tryConnect(withTokens.url("/build"), Map.of("token", "guess"))) {
            assertThat(none.connectError()).isEqualTo("unauthorized");
            assertThat(wrong.connectError()).isEqualTo("unauthorized");
        }
        try (BuildSocket client = BuildSocket.connect(withTokens.url("/build"), Map.of("token", TOKEN))) {
            assertThat(client.list()).isEmpty();
            assertThat(client.status("20200101000000-abcdef")).isEqualTo(Map.of("error", "no build 20200101000000-abcdef"));
        }
    }

    @Test
    void aFileRepositoryIsRefusedWhenFileIsNotAmongTheSchemesAndNothingIsMade() {
        Set<Path> before = tree(tokensWorkDir);
        String repo = Fixture.project("site-local").commitTo(temp.resolve("repos/site-local"));

        try (BuildSocket client = BuildSocket.connect(withTokens.url("/build"), Map.of("token", TOKEN))) {
            assertThat(client.build(repo, "main", null))
                    .isEqualTo(Map.of("error", "repo: scheme \"file\" is not allowed (allowed: https)"));
            assertThat(client.list()).isEmpty();
        }
        assertThat(tree(tokensWorkDir)).isEqualTo(before);
    }

    @Test
    void withoutASandboxABuildRunsAsTheServersOwnUserAfterAWarningAtStartUp() throws Exception {
        Processes.assumeNode();
        Path workDir = temp.resolve("unsandboxed-work");
        Fixture project = Fixture.project("site-unsandboxed");
        project.buildJs("console.log('uid ' + process.getuid());\n" + project.site());
        String repo = project.commitTo(temp.resolve("repos/site-unsandboxed"));
        TestServer unsandboxed;
        try (LogCapture log = LogCapture.of(BuildModule.class)) {
            unsandboxed = TestServer.startLesson(config(workDir, "build.sandbox = none\n"));
            assertThat(log.warnings()).containsExactly(NoSandbox.WARNING);
        }
        try (BuildSocket client = BuildSocket.connect(unsandboxed.url("/build"))) {
            String id = client.submit(repo, "main", "node build.js");
            List<Entry> entries = client.followToEnd(id, 0);

            assertThat(last(entries).get("status")).isEqualTo("SUCCESS");
            assertThat(linesOf(entries, "build")).contains("out:uid " + Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
            assertThat(SiteHttp.get(unsandboxed.port(), "/sites/site-unsandboxed/1.0.0/").text()).isEqualTo(project.html());
        } finally {
            TestServer.closeAll(unsandboxed);
        }
    }
}
