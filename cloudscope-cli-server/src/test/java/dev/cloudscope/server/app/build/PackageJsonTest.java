package dev.cloudscope.server.app.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PackageJsonTest {

    @TempDir
    Path project;

    private static PackageJson parse(String json) throws InvalidInputException {
        return PackageJson.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    private static String withName(String name) {
        return "{\"name\": \"" + name.replace("\\", "\\\\").replace("\"", "\\\"") + "\", \"version\": \"1.0.0\"}";
    }

    @Test
    void readsNameVersionDependenciesAndScripts() throws Exception {
        Files.writeString(project.resolve("package.json"), """
                {"name": "@cloudscope/site-demo", "version": "1.2.3-beta.1+build.5",
                 "scripts": {"build": "node build.js", "test": "node test.js"},
                 "devDependencies": {"vite": "^5.0.0"}}
                """);
        PackageJson pkg = PackageJson.read(project);
        assertThat(pkg.name()).isEqualTo("@cloudscope/site-demo");
        assertThat(pkg.version()).isEqualTo("1.2.3-beta.1+build.5");
        assertThat(pkg.hasDependencies()).isTrue();
        assertThat(pkg.scripts()).containsEntry("build", "node build.js").hasSize(2);
        assertThat(pkg.hasScript("build")).isTrue();
        assertThat(pkg.siteKey()).isEqualTo("@cloudscope/site-demo/1.2.3-beta.1+build.5");
        assertThat(pkg.sitePath(Path.of("/w/sites")))
                .isEqualTo(Path.of("/w/sites", "@cloudscope", "site-demo", "1.2.3-beta.1+build.5"));
    }

    @Test
    void noDependenciesMeansNothingToInstall() throws Exception {
        PackageJson pkg = parse("{\"name\": \"demo\", \"version\": \"0.1.0\", \"dependencies\": {},"
                + " \"scripts\": {\"build\": \"node build.js\"}}");
        assertThat(pkg.hasDependencies()).isFalse();
        assertThat(pkg.sitePath(Path.of("/w"))).isEqualTo(Path.of("/w/demo/0.1.0"));
        assertThat(parse("{\"name\": \"demo\", \"version\": \"0.1.0\"}").scripts()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "demo", "my-site", "my.site", "my_site", "a1", "1a", "-a", "@scope/name",
            "@my-org/my.pkg", "@a/b", "node_modules1", "x"})
    void goodNames(String name) throws Exception {
        assertThat(parse(withName(name)).name()).isEqualTo(name);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "../x|must not start with \".\" or \"_\"",
            "..|must not start with \".\" or \"_\"",
            ".hidden|must not start with \".\" or \"_\"",
            "_private|must not start with \".\" or \"_\"",
            "@scope/../x|must not contain \"/\"",
            "@scope/..|must not have a part starting with \".\" or \"_\"",
            "@../x|must not have a part starting with \".\" or \"_\"",
            "@scope/.x|must not have a part starting with \".\" or \"_\"",
            "a/b|must not contain \"/\"",
            "a/../../etc|must not contain \"/\"",
            "@a/b/c|must not contain \"/\"",
            "@scope|has a scope but no \"/name\" after it",
            "@/x|neither part empty",
            "@x/|neither part empty",
            "Uppercase|must be lowercase",
            "@Scope/x|must be lowercase",
            "a\\b|URL-safe",
            "a b|URL-safe",
            "a%2fb|URL-safe",
            "a:b|URL-safe",
            "caf\u00e9|URL-safe",
            "a~b|URL-safe",
            "a*b|URL-safe",
            "a'b|URL-safe",
            "node_modules|must not be \"node_modules\"",
            "favicon.ico|must not be \"favicon.ico\""})
    void badNamesAreRefusedNamingTheField(String name, String rule) {
        assertThatThrownBy(() -> parse(withName(name))).isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("package.json: \"name\" ").hasMessageContaining(rule);
    }

    @Test
    void controlCharactersSpacesAndLengthAreRefused() {
        assertThatThrownBy(() -> parse("{\"name\": \"a\\u0000b\", \"version\": \"1.0.0\"}"))
                .hasMessageContaining("URL-safe");
        assertThatThrownBy(() -> parse("{\"name\": \"a\\nb\", \"version\": \"1.0.0\"}"))
                .hasMessageContaining("URL-safe");
        assertThatThrownBy(() -> parse(withName(" a"))).hasMessageContaining("spaces");
        assertThatThrownBy(() -> parse(withName(""))).hasMessageContaining("must not be empty");
        assertThat(PackageJson.validName("a".repeat(214))).isTrue();
        assertThatThrownBy(() -> parse(withName("a".repeat(215))))
                .hasMessage("package.json: \"name\" must be at most 214 characters");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.0.0", "1.0.0", "10.20.30", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-0.3.7",
            "1.0.0-x.7.z.92", "1.0.0-alpha+001", "1.0.0+20130313144700", "1.0.0-beta+exp.sha.5114f85",
            "1.0.0--", "1.0.0-a-b-c", "99999999999.0.0"})
    void goodVersions(String version) throws Exception {
        assertThat(parse("{\"name\": \"a\", \"version\": \"" + version + "\"}").version()).isEqualTo(version);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "1.0", "1.0.0.0", "v1.0.0", "=1.0.0", "01.0.0", "1.01.0", "1.0.01", "1.0.0-01",
            "1.0.0-", "1.0.0+", "1.0.0-a..b", "1.0.0-a/b", "1.0.0/../..", "../1.0.0", "^1.0.0", "1.0.x", "latest",
            "1.0.0 ", " 1.0.0", "1.0.0-ä", "1.0.0+a_b", ""})
    void badVersionsAreRefusedNamingTheField(String version) {
        assertThatThrownBy(() -> parse("{\"name\": \"a\", \"version\": \"" + version + "\"}"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("package.json: \"version\" ");
    }

    @Test
    void aVersionOverTwoHundredFiftySixCharactersIsRefused() {
        String version = "1.0.0-" + "a".repeat(251);
        assertThatThrownBy(() -> parse("{\"name\": \"a\", \"version\": \"" + version + "\"}"))
                .hasMessage("package.json: \"version\" must be at most 256 characters");
    }

    @Test
    void missingOrMistypedFieldsAreNamed() {
        assertThatThrownBy(() -> parse("{\"version\": \"1.0.0\"}")).hasMessage("package.json: \"name\" is missing");
        assertThatThrownBy(() -> parse("{\"name\": \"a\"}")).hasMessage("package.json: \"version\" is missing");
        assertThatThrownBy(() -> parse("{\"name\": 5, \"version\": \"1.0.0\"}"))
                .hasMessage("package.json: \"name\" must be a string");
        assertThatThrownBy(() -> parse("{\"name\": \"a\", \"version\": 1}"))
                .hasMessage("package.json: \"version\" must be a string");
        assertThatThrownBy(() -> parse("{\"name\": \"a\", \"version\": \"1.0.0\", \"scripts\": []}"))
                .hasMessage("package.json: \"scripts\" must be an object");
        assertThatThrownBy(() -> parse("{\"name\": \"a\", \"version\": \"1.0.0\", \"dependencies\": \"x\"}"))
                .hasMessage("package.json: \"dependencies\" must be an object");
        assertThatThrownBy(() -> parse("[1]")).hasMessage("package.json: not a JSON object");
        assertThatThrownBy(() -> parse("{\"name\": ")).hasMessageStartingWith("package.json: not valid JSON");
        assertThatThrownBy(() -> parse("[".repeat(5000) + "]".repeat(5000)))
                .hasMessageStartingWith("package.json: not valid JSON");
    }

    @Test
    void aMissingLinkedOrHugeFileIsRefusedBeforeParsing() throws Exception {
        assertThatThrownBy(() -> PackageJson.read(project)).hasMessage(
                "package.json: not found at the top of the repository");
        Path secret = Files.writeString(project.resolveSibling(project.getFileName() + "-secret.json"),
                "{\"name\": \"a\", \"version\": \"1.0.0\"}");
        Files.createSymbolicLink(project.resolve("package.json"), secret);
        assertThatThrownBy(() -> PackageJson.read(project)).hasMessage("package.json: not a regular file");
        Files.delete(project.resolve("package.json"));
        Files.delete(secret);
        Files.writeString(project.resolve("package.json"), "{\"name\": \"a\", \"version\": \"1.0.0\", \"x\": \""
                + "y".repeat(1024 * 1024) + "\"}");
        assertThatThrownBy(() -> PackageJson.read(project)).hasMessage("package.json: larger than 1 MiB");
    }
}
