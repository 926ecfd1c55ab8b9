package dev.cloudscope.server.app.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cloudscope.server.testing.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The web pages as the lesson's server (Plugins) serves them: which paths get which page, the files under /assets/
 * (the socket.io browser client among them, from the npm package), the security headers on every reply, and pages
 * with no inline script or style (the Content-Security-Policy would block them). What the pages do is tested in a
 * real browser: integration-tests, WebPagesIT.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebPagesTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Pattern REFERENCE = Pattern.compile("(?:src|href)=\"(/[^\"]*)\"");

    private TestServer server;

    @BeforeAll
    void start() {
        server = TestServer.startLesson();
    }

    @AfterAll
    void stop() {
        TestServer.closeAll(server);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"/|<title>cloudscope</title>", "/?x=1|<title>cloudscope</title>",
        "/builds/20261130021833-3fa9c1|<script src=\"/assets/build.js\"", "/rooms/general|<script src=\"/assets/room.js\"",
        "/rooms/caf%C3%A9%20talk|<script src=\"/assets/room.js\""})
    void eachPageIsServedAsHtmlWithTheSecurityHeaders(String pathAndText) throws Exception {
        String[] parts = pathAndText.split("\\|");
        HttpResponse<String> response = get(parts[0]);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).contains("text/html; charset=utf-8");
        assertThat(response.body()).startsWith("<!doctype html>").contains(parts[1]);
        assertSecured(response);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/builds/not-an-id", "/builds/20261130021833-3fa9c1/x", "/builds/../etc/passwd",
        "/rooms/a%2Fb", "/rooms/" + "x65", "/rooms/a%0Ab", "/assets/", "/assets/nope.js", "/assets/../index.html",
        "/assets/%2e%2e/index.html", "/assets/app.css/x"})
    void anythingElseUnderThePagesPrefixesIsNotFound(String path) throws Exception {
        String real = path.equals("/rooms/x65") ? "/rooms/" + "x".repeat(65) : path;
        HttpResponse<String> response = get(real);

        assertThat(response.statusCode()).as(real).isEqualTo(404);
        assertSecured(response);
    }

    @Test
    void theListsWithoutANameGoHome() throws Exception {
        for (String path : List.of("/builds", "/builds/", "/rooms", "/rooms/")) {
            HttpResponse<String> response = get(path);
            assertThat(response.statusCode()).as(path).isEqualTo(302);
            assertThat(response.headers().firstValue("location")).as(path).contains("/");
        }
    }

    @Test
    void theSocketIoBrowserClientIsServedFromTheJarAtTheVersionOfThePackageLock() throws Exception {
        HttpResponse<String> response = get("/assets/socket.io.min.js");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).contains("text/javascript; charset=utf-8");
        assertThat(response.body()).startsWith("/*!\n * Socket.IO v4.8.1\n").hasSizeGreaterThan(40_000);
        assertSecured(response);
    }

    @Test
    void everyFileThePagesReferToIsServedWithItsType() throws Exception {
        for (String page : List.of("/", "/builds/20261130021833-3fa9c1", "/rooms/general")) {
            Matcher reference = REFERENCE.matcher(get(page).body());
            while (reference.find()) {
                String path = reference.group(1);
                if (!path.startsWith("/assets/")) {
                    continue;
                }
                HttpResponse<String> asset = get(path);
                assertThat(asset.statusCode()).as(page + " refers to " + path).isEqualTo(200);
                assertThat(asset.headers().firstValue("content-type")).as(path)
                        .contains(WebPages.ASSET_TYPES.get(path.substring("/assets/".length())));
            }
        }
    }

    /** The CSP allows no inline script or style: the pages have none (no script without src, no style attribute). */
    @Test
    void thePagesHaveNoInlineScriptOrStyle() throws Exception {
        for (String page : List.of("/", "/builds/20261130021833-3fa9c1", "/rooms/general")) {
            String html = get(page).body();
            assertThat(html).as(page).doesNotContain("<style", " style=", "javascript:")
                    .doesNotContainPattern("\\son[a-z]+=")
                    .doesNotContainPattern("<script(?![^>]*\\bsrc=\"/assets/)");
        }
    }

    @Test
    void headGetsTheHeadersAndSocketIoIsUntouched() throws Exception {
        HttpResponse<String> head = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        assertSecured(head);

        assertThat(get("/socket.io/?EIO=4&transport=polling").body()).startsWith("0{\"sid\":");
    }

    private static void assertSecured(HttpResponse<String> response) {
        assertThat(response.headers().firstValue("content-security-policy")).contains(WebPages.CSP);
        assertThat(WebPages.CSP).contains("default-src 'self'", "script-src 'self'", "connect-src 'self'",
                "frame-ancestors 'none'", "base-uri 'none'").doesNotContain("unsafe");
        assertThat(response.headers().firstValue("x-content-type-options")).contains("nosniff");
        assertThat(response.headers().firstValue("referrer-policy")).contains("no-referrer");
        assertThat(response.headers().map()).doesNotContainKey("set-cookie");
    }
}
