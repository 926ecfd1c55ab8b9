package dev.cloudscope.server.app.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BuildRequestTest {

    private static final List<String> HTTPS = BuildRequest.DEFAULT_REPO_SCHEMES;
    private static final List<String> COMMANDS = BuildRequest.DEFAULT_COMMANDS;

    private static Map<String, Object> request(String repo, String branch, String command) {
        Map<String, Object> map = new HashMap<>();
        map.put("repo", repo);
        map.put("branch", branch);
        if (command != null) {
            map.put("command", command);
        }
        return map;
    }

    private static BuildRequest parse(Map<String, Object> payload) throws InvalidInputException {
        return BuildRequest.parse(payload, HTTPS, COMMANDS);
    }

    @Test
    void aGoodRequestGivesTheRepoTheBranchAndTheArgv() throws Exception {
        BuildRequest request = parse(request("https://github.com/owner/site.git", "feature/login-2", null));
        assertThat(request.repo()).isEqualTo(URI.create("https://github.com/owner/site.git"));
        assertThat(request.branch()).isEqualTo("feature/login-2");
        assertThat(request.command()).isEqualTo("npm run build");
        assertThat(request.argv()).containsExactly("npm", "run", "build");
        assertThat(parse(request("https://example.com:8443/x", "main", "  npm   run\tbuild ")).argv())
                .containsExactly("npm", "run", "build");
        BuildRequest other = BuildRequest.parse(request("https://h/x", "main", "npm run docs"), HTTPS,
                List.of("npm run build", "npm run docs"));
        assertThat(other.argv()).containsExactly("npm", "run", "docs");
    }

    @Test
    void fileRepositoriesOnlyWhenListed() throws Exception {
        assertThatThrownBy(() -> parse(request("file:///tmp/repo", "main", null)))
                .hasMessage("repo: scheme \"file\" is not allowed (allowed: https)");
        BuildRequest request = BuildRequest.parse(request("file:///tmp/repo", "main", null), List.of("https", "file"),
                COMMANDS);
        assertThat(request.repo().getPath()).isEqualTo("/tmp/repo");
        assertThatThrownBy(() -> BuildRequest.parse(request("file://host/tmp/repo", "main", null),
                List.of("file"), COMMANDS)).hasMessageContaining("no host");
        assertThatThrownBy(() -> BuildRequest.parse(request("file:relative", "main", null),
                List.of("file"), COMMANDS)).hasMessageContaining("must be a URL");
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://github.com/x", "ftp://h/x", "ssh://git@h/x", "git://h/x", "ext::sh -c x",
            "javascript:alert(1)", "HTTP://h/x"})
    void schemesNotListedAreRefused(String repo) {
        assertThatThrownBy(() -> parse(request(repo, "main", null))).isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("repo: ");
    }

    @Test
    void malformedReposAreRefusedWithoutRepeatingThem() {
        assertThatThrownBy(() -> parse(request("git@github.com:owner/x.git", "main", null)))
                .hasMessageStartingWith("repo: ");
        assertThatThrownBy(() -> parse(request("https:///x", "main", null))).hasMessage("repo: must have a host");
        assertThatThrownBy(() -> parse(request("/tmp/x", "main", null))).hasMessageContaining("must be a URL");
        assertThatThrownBy(() -> parse(request("https://h/x y", "main", null))).hasMessageContaining("spaces");
        assertThatThrownBy(() -> parse(request("https://h/x\n", "main", null))).hasMessageContaining("control");
        assertThatThrownBy(() -> parse(request("https://h/%zz{", "main", null))).hasMessage("repo: not a valid URL");
        assertThatThrownBy(() -> parse(request("https://h/x?a=1", "main", null))).hasMessageContaining("query");
        assertThatThrownBy(() -> parse(request("https://h/" + "x".repeat(3000), "main", null)))
                .hasMessage("repo: longer than 2048 characters");
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://alice:s3cr3t-T0ken@github.com/o/x.git", "https://ghp_S3CR3T@github.com/o/x",
            "https://alice:s3cr3t-T0ken@/x", "https://alice:s3cr3t-T0ken@github.com/o/x?token=S3CR3T",
            "ftp://alice:s3cr3t-T0ken@h/x", "https://alice:s3cr3t-T0ken@h/x y", "https://alice:s3cr3t-T0ken@h/%zz"})
    void credentialsAreRefusedAndNeverEchoed(String repo) {
        assertThatThrownBy(() -> parse(request(repo, "main", null))).isInstanceOf(InvalidInputException.class)
                .message().doesNotContain("s3cr3t").doesNotContain("S3CR3T").doesNotContain("alice")
                .doesNotContain("github.com").startsWith("repo: ");
    }

    @Test
    void aUserNameWithoutPasswordIsFineForSshAndHiddenInDisplay() throws Exception {
        BuildRequest request = BuildRequest.parse(request("ssh://git@example.com/o/x.git", "main", null),
                List.of("ssh"), COMMANDS);
        assertThat(request.displayRepo()).isEqualTo("ssh://example.com/o/x.git");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a..b", "..", "-x", "--upload-pack=evil", "a b", "a\tb", "a\nb", "a\u0000b", "a~1",
            "a^1", "a:b", "a?", "a*", "a[b", "a\\b", "/a", "a/", "a//b", "a@{1}", "@", "a.lock", "a/b.lock",
            "a.", ".a", "a/.b", "HEAD", "a\u202eb", "a\u007fb"})
    void badBranchesAreRefused(String branch) {
        assertThatThrownBy(() -> parse(request("https://h/x", branch, null))).isInstanceOf(InvalidInputException.class)
                .message().startsWith("branch: ").doesNotContain("\n").doesNotContain("\u0000");
    }

    @ParameterizedTest
    @ValueSource(strings = {"main", "feature/x", "release-1.2", "a.b", "user@host", "v1.0.0", "x_y", "a-b/c-d",
            "ünïcode"})
    void goodBranches(String branch) throws Exception {
        assertThat(parse(request("https://h/x", branch, null)).branch()).isEqualTo(branch);
    }

    @Test
    void aBranchThatIsTooLongIsRefused() {
        assertThatThrownBy(() -> parse(request("https://h/x", "b".repeat(201), null)))
                .hasMessage("branch: longer than 200 characters");
    }

    @Test
    void aCommandNotListedIsRefusedAndNeverRunThroughAShell() {
        for (String command : List.of("npm run build; rm -rf /", "npm run build && curl x", "rm -rf /", "npm",
                "npm run build:prod", "sh -c 'npm run build'", "npm run  build --evil")) {
            assertThatThrownBy(() -> parse(request("https://h/x", "main", command)))
                    .hasMessage("command: not allowed (allowed: npm run build)");
        }
    }

    @Test
    void missingOrMistypedFieldsAreNamed() {
        assertThatThrownBy(() -> parse(request(null, "main", null))).hasMessage("repo: is required");
        assertThatThrownBy(() -> parse(request("https://h/x", null, null))).hasMessage("branch: is required");
        assertThatThrownBy(() -> parse(request("", "main", null))).hasMessage("repo: must not be empty");
        Map<String, Object> numeric = request("https://h/x", "main", null);
        numeric.put("command", 42);
        assertThatThrownBy(() -> parse(numeric)).hasMessage("command: must be a string");
        assertThatThrownBy(() -> BuildRequest.parse("npm run build", HTTPS, COMMANDS))
                .hasMessage("build: expected an object {repo, branch, command?}");
        assertThatThrownBy(() -> BuildRequest.parse(null, HTTPS, COMMANDS))
                .hasMessage("build: expected an object {repo, branch, command?}");
    }
}
