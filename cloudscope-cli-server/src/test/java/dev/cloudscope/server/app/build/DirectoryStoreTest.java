package dev.cloudscope.server.app.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DirectoryStoreTest {

    @TempDir
    Path work;

    private Path dist;
    private DirectoryStore store;

    @BeforeEach
    void publishASite() throws Exception {
        Path project = Files.createDirectories(work.resolve("project"));
        dist = Files.createDirectories(project.resolve("dist"));
        Files.writeString(dist.resolve("index.html"), "<!doctype html><h1>demo</h1>");
        Files.createDirectories(dist.resolve("assets/fonts"));
        Files.writeString(dist.resolve("assets/app.js"), "console.log('hi')");
        Files.writeString(dist.resolve("assets/app.css"), "h1{color:red}");
        Files.write(dist.resolve("assets/fonts/a.woff2"), new byte[] {0x77, 0x4f, 0x46, 0x32, 0, 1, 2});
        Files.createDirectories(dist.resolve("docs"));
        Files.writeString(dist.resolve("docs/index.html"), "<h1>docs</h1>");
        Files.createDirectories(dist.resolve("empty"));
        Files.writeString(dist.resolve("manifest.json"), "{\"pwa\": true}");
        store = new DirectoryStore(work.resolve("sites"), URI.create("http://127.0.0.1:7001/sites"));
        // a secret next to the sites, as the server's config or token files would be
        Files.writeString(work.resolve("secret.txt"), "TOKEN");
        Files.writeString(work.resolve("sites/secret.txt"), "TOKEN");
    }

    private String body(Optional<SiteFile> file) throws IOException {
        assertThat(file).isPresent();
        try (InputStream in = file.get().open()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @Test
    void publishCopiesTheFilesAndReturnsTheUrlAndAManifestWhoseHashesMatch() throws Exception {
        Publication publication = store.publish("demo", "1.0.0", dist);
        assertThat(publication.siteUrl()).isEqualTo("http://127.0.0.1:7001/sites/demo/1.0.0/");
        Manifest manifest = publication.manifest();
        assertThat(manifest.files()).extracting(Manifest.File::path).containsExactly("assets/app.css",
                "assets/app.js", "assets/fonts/a.woff2", "docs/index.html", "index.html", "manifest.json");
        for (Manifest.File file : manifest.files()) {
            byte[] served;
            try (InputStream in = store.open("demo", "1.0.0", file.path()).orElseThrow().open()) {
                served = in.readAllBytes();
            }
            assertThat(served).hasSize((int) file.size());
            assertThat(sha256(served)).isEqualTo(file.sha256())
                    .isEqualTo(sha256(Files.readAllBytes(dist.resolve(file.path()))));
        }
        assertThat(manifest.file("index.html").orElseThrow().sha256())
                .isEqualTo(sha256("<!doctype html><h1>demo</h1>".getBytes(StandardCharsets.UTF_8)));
        // beside the site, not in it (a site may have its own manifest.json)
        Path manifestFile = work.resolve("sites/demo/1.0.0.manifest.json");
        assertThat(Manifest.parse(Files.readAllBytes(manifestFile))).isEqualTo(manifest);
        assertThat(store.manifest("demo", "1.0.0")).contains(manifest);
        assertThat(body(store.open("demo/1.0.0/manifest.json"))).isEqualTo("{\"pwa\": true}");
        assertThat(store.open("demo/1.0.0.manifest.json")).isEmpty();
    }

    @Test
    void aScopedNameIsTwoDirectoryLevels() throws Exception {
        Publication publication = store.publish("@team/site", "2.0.0-rc.1+b7", dist);
        assertThat(publication.siteUrl()).isEqualTo("http://127.0.0.1:7001/sites/@team/site/2.0.0-rc.1+b7/");
        assertThat(work.resolve("sites/@team/site/2.0.0-rc.1+b7/index.html")).exists();
        assertThat(body(store.resolve("@team/site/2.0.0-rc.1+b7/"))).contains("demo");
        assertThat(body(store.resolve("%40team/site/2.0.0-rc.1%2Bb7/assets/app.js"))).contains("console");
    }

    @Test
    void republishingAVersionReplacesTheWholeSite() throws Exception {
        store.publish("demo", "1.0.0", dist);
        Files.delete(dist.resolve("assets/app.css"));
        Files.writeString(dist.resolve("index.html"), "v2");
        Publication again = store.publish("demo", "1.0.0", dist);
        assertThat(again.manifest().file("assets/app.css")).isEmpty();
        assertThat(store.open("demo/1.0.0/assets/app.css")).isEmpty();
        assertThat(body(store.open("demo/1.0.0/index.html"))).isEqualTo("v2");
        assertThat(work.resolve("sites/.staging")).isEmptyDirectory();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "demo/1.0.0/|text/html; charset=UTF-8",
            "demo/1.0.0|text/html; charset=UTF-8",
            "demo/1.0.0/index.html|text/html; charset=UTF-8",
            "demo/1.0.0/assets/app.js|text/javascript; charset=UTF-8",
            "demo/1.0.0/assets/app.css|text/css; charset=UTF-8",
            "demo/1.0.0/assets/fonts/a.woff2|font/woff2",
            "demo/1.0.0/manifest.json|application/json",
            "demo/1.0.0/docs/|text/html; charset=UTF-8",
            "demo/1.0.0/docs|text/html; charset=UTF-8",
            "demo/1.0.0/assets/app.js?v=3#x|text/javascript; charset=UTF-8"})
    void filesAreServedWithTheirContentType(String request, String contentType) throws Exception {
        store.publish("demo", "1.0.0", dist);
        Optional<SiteFile> file = store.resolve(request);
        assertThat(file).isPresent();
        assertThat(file.get().contentType()).isEqualTo(contentType);
        assertThat(file.get().localFile()).isPresent();
        assertThat(file.get().size()).isEqualTo(Files.size(file.get().localFile().get()));
    }

    @Test
    void theContentTypeTable() {
        assertThat(ContentTypes.of("a.html")).isEqualTo("text/html; charset=UTF-8");
        assertThat(ContentTypes.of("a.MJS")).isEqualTo("text/javascript; charset=UTF-8");
        assertThat(ContentTypes.of("x/a.svg")).isEqualTo("image/svg+xml");
        assertThat(ContentTypes.of("a.png")).isEqualTo("image/png");
        assertThat(ContentTypes.of("a.jpg")).isEqualTo("image/jpeg");
        assertThat(ContentTypes.of("a.gif")).isEqualTo("image/gif");
        assertThat(ContentTypes.of("a.webp")).isEqualTo("image/webp");
        assertThat(ContentTypes.of("favicon.ico")).isEqualTo("image/x-icon");
        assertThat(ContentTypes.of("a.txt")).isEqualTo("text/plain; charset=UTF-8");
        assertThat(ContentTypes.of("a.wasm")).isEqualTo("application/wasm");
        assertThat(ContentTypes.of("a.js.map")).isEqualTo("application/json");
        assertThat(ContentTypes.of("a.woff2")).isEqualTo("font/woff2");
        assertThat(ContentTypes.of("LICENSE")).isEqualTo("application/octet-stream");
        assertThat(ContentTypes.of("a.exe")).isEqualTo("application/octet-stream");
        assertThat(ContentTypes.of(".html/x")).isEqualTo("application/octet-stream");
    }

    @Test
    void aDirectoryWithoutIndexIsNotListed() throws Exception {
        store.publish("demo", "1.0.0", dist);
        assertThat(store.resolve("demo/1.0.0/assets/")).isEmpty();
        assertThat(store.resolve("demo/1.0.0/assets")).isEmpty();
        assertThat(store.resolve("demo/1.0.0/empty/")).isEmpty();
        assertThat(store.resolve("demo/")).isEmpty();
        assertThat(store.resolve("demo")).isEmpty();
        assertThat(store.resolve("")).isEmpty();
        assertThat(store.resolve("/")).isEmpty();
        assertThat(store.resolve("demo/2.0.0/")).isEmpty();
        assertThat(store.resolve("demo/1.0.0/nope.html")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "demo/1.0.0/../../secret.txt", "demo/1.0.0/../../../secret.txt", "demo/1.0.0/assets/../../../secret.txt",
            "demo/1.0.0/%2e%2e/%2e%2e/secret.txt", "demo/1.0.0/%2E%2E/%2E%2E/secret.txt", "demo/1.0.0/.%2e/x",
            "demo/1.0.0/%2e%2e%2f%2e%2e%2fsecret.txt", "demo/1.0.0/..%2f..%2fsecret.txt",
            "demo/1.0.0/%252e%252e/%252e%252e/secret.txt", "demo/1.0.0/..\\..\\secret.txt",
            "demo/1.0.0/%5c..%5c..%5csecret.txt", "demo/1.0.0/assets\\..\\index.html", "demo/1.0.0//etc/passwd",
            "demo/1.0.0/%2fetc%2fpasswd", "/demo/1.0.0/./index.html", "demo/1.0.0/index.html%00.js",
            "demo/1.0.0/%c0%ae%c0%ae/secret.txt", "demo/1.0.0/%e0%80%ae%e0%80%ae/secret.txt", "demo/1.0.0/%",
            "demo/1.0.0/%zz", "demo/..", "../secret.txt", "..", "./secret.txt", "secret.txt", "%2e%2e/secret.txt",
            "demo/1.0.0/C:/Windows/win.ini", "demo/1.0.0/index.html::$DATA", "demo/%2e%2e/secret.txt",
            "demo/1.0.0%2f..%2f../secret.txt", "@demo/../secret.txt", "@%2e%2e/x/1.0.0/", "demo/1.0.0/\u0001",
            "..%2fsecret.txt/1.0.0/", "DEMO/1.0.0/", "demo/v1.0.0/", "demo/1.0.0/.staging/x"})
    void traversalAttemptsAreAllRefused(String request) throws Exception {
        store.publish("demo", "1.0.0", dist);
        assertThat(store.resolve(request)).isEmpty();
    }

    @Test
    void linksInsideAPublishedSiteAreNeverFollowed() throws Exception {
        store.publish("demo", "1.0.0", dist);
        Path site = work.resolve("sites/demo/1.0.0");
        Files.createSymbolicLink(site.resolve("leak.txt"), work.resolve("secret.txt"));
        Files.createSymbolicLink(site.resolve("up"), work);
        Files.createSymbolicLink(site.resolve("inner.html"), site.resolve("index.html"));
        assertThat(store.resolve("demo/1.0.0/leak.txt")).isEmpty();
        assertThat(store.resolve("demo/1.0.0/up/secret.txt")).isEmpty();
        assertThat(store.resolve("demo/1.0.0/up/")).isEmpty();
        assertThat(store.resolve("demo/1.0.0/inner.html")).isEmpty();
        assertThat(store.open("demo", "1.0.0", "up/secret.txt")).isEmpty();
        assertThat(store.open("demo", "../..", "secret.txt")).isEmpty();
        assertThat(store.open("../..", "1.0.0", "secret.txt")).isEmpty();
    }

    @Test
    void publishingCopiesLinkedFilesInsideAndRefusesLinksOutside() throws Exception {
        Files.createSymbolicLink(dist.resolve("alias.js"), dist.resolve("assets/app.js"));
        Publication publication = store.publish("demo", "1.0.0", dist);
        assertThat(publication.manifest().file("alias.js").orElseThrow().size()).isEqualTo(17);
        assertThat(Files.isSymbolicLink(work.resolve("sites/demo/1.0.0/alias.js"))).isFalse();

        Files.createSymbolicLink(dist.resolve("leak.txt"), work.resolve("secret.txt"));
        assertThatThrownBy(() -> store.publish("demo", "1.0.1", dist)).isInstanceOf(InvalidInputException.class)
                .hasMessage("publish: dist/leak.txt links outside dist/");
        Files.delete(dist.resolve("leak.txt"));
        Files.createSymbolicLink(dist.resolve("up.js"), Path.of("../../secret.txt"));
        assertThatThrownBy(() -> store.publish("demo", "1.0.1", dist)).hasMessageContaining("links outside");
        Files.delete(dist.resolve("up.js"));
        Files.createSymbolicLink(dist.resolve("dir"), work);
        assertThatThrownBy(() -> store.publish("demo", "1.0.1", dist)).hasMessageContaining("links outside");
        Files.delete(dist.resolve("dir"));
        Files.createSymbolicLink(dist.resolve("dir"), dist.resolve("assets"));
        assertThatThrownBy(() -> store.publish("demo", "1.0.1", dist)).hasMessage(
                "publish: dist/dir links to a directory");
        Files.delete(dist.resolve("dir"));
        Files.createSymbolicLink(dist.resolve("broken"), dist.resolve("nothing"));
        assertThatThrownBy(() -> store.publish("demo", "1.0.1", dist)).hasMessage("publish: dist/broken is a broken link");
        Files.delete(dist.resolve("broken"));

        assertThat(work.resolve("sites/demo/1.0.1")).doesNotExist();
        assertThat(work.resolve("sites/.staging")).isEmptyDirectory();
        assertThat(store.publish("demo", "1.0.1", dist).manifest().files()).hasSize(7);
    }

    @Test
    void aBuiltDirThatIsALinkOrMissingIsRefused() throws Exception {
        Path project = work.resolve("other");
        Files.createDirectories(project);
        assertThatThrownBy(() -> BuiltSite.find(project)).hasMessage(
                "publish: the build made neither dist/ nor build/");
        Files.createSymbolicLink(project.resolve("dist"), dist);
        assertThatThrownBy(() -> BuiltSite.find(project)).hasMessage(
                "publish: the build made neither dist/ nor build/");
        assertThatThrownBy(() -> store.publish("demo", "1.0.0", project.resolve("dist")))
                .hasMessage("publish: dist is not a directory");
        Files.createDirectories(project.resolve("build"));
        assertThat(BuiltSite.find(project)).isEqualTo(project.resolve("build"));
        assertThat(BuiltSite.find(work.resolve("project"))).isEqualTo(dist);
    }

    @Test
    void badNamesAndVersionsAreCheckedAgainBeforeTheyBecomePaths() {
        assertThatThrownBy(() -> store.publish("../x", "1.0.0", dist)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> store.publish("@a/../x", "1.0.0", dist)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> store.publish("x", "../1.0.0", dist)).isInstanceOf(InvalidInputException.class);
        assertThat(work.resolve("sites")).isDirectoryNotContaining(p -> p.getFileName().toString().equals("x"));
    }
}
