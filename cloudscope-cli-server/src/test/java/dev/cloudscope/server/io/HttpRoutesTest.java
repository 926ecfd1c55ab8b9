package dev.cloudscope.server.io;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.AbstractModule;
import dev.cloudscope.server.testing.TestServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Plain HTTP GETs beside socket.io, through {@link HttpHandler}s bound by path prefix. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpRoutesTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private TestServer server;
    private Path file;

    @BeforeAll
    void start(@TempDir Path dir) throws IOException {
        file = Files.writeString(dir.resolve("page.html"), "<p>from disk</p>");
        server = TestServer.startLesson("", new AbstractModule() {
            @Override
            protected void configure() {
                IoBindings.httpGet(binder()).addBinding("/hello/").toInstance(get ->
                        HttpReply.text(200, "text/plain", "hello " + get.path() + " " + get.query().get("q")));
                IoBindings.httpGet(binder()).addBinding("/hello/file/").toInstance(get -> HttpReply.file(file, "text/html"));
                IoBindings.httpGet(binder()).addBinding("/broken/").toInstance(get -> {
                    throw new IOException("disk on fire at /secret/path");
                });
            }
        });
    }

    @AfterAll
    void stop() {
        TestServer.closeAll(server);
    }

    private HttpResponse<String> send(String method, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aGetUnderABoundPrefixIsAnsweredByItsHandler() throws Exception {
        HttpResponse<String> response = send("GET", "/hello/world?q=1");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("hello /hello/world [1]");
        assertThat(response.headers().firstValue("content-type")).contains("text/plain; charset=utf-8");
        assertThat(response.headers().firstValue("x-content-type-options")).contains("nosniff");
    }

    @Test
    void theLongestPrefixWinsAndAFileIsSentFromDisk() throws Exception {
        HttpResponse<String> response = send("GET", "/hello/file/x");

        assertThat(response.body()).isEqualTo("<p>from disk</p>");
        assertThat(response.headers().firstValue("content-length")).contains("16");
    }

    @Test
    void headGetsTheHeadersWithoutTheBodyAndOtherMethodsGet405() throws Exception {
        HttpResponse<String> head = send("HEAD", "/hello/file/x");
        HttpResponse<String> post = send("POST", "/hello/x");

        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        assertThat(head.headers().firstValue("content-length")).contains("16");
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("allow")).contains("GET, HEAD");
    }

    @Test
    void aFailingHandlerIsA500ThatTellsNothingOfTheFailure() throws Exception {
        HttpResponse<String> response = send("GET", "/broken/x");

        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(response.body()).doesNotContain("secret");
    }

    /** The lesson's server binds "/" (the web pages' home, app.web): it takes "/" alone, not everything under it. */
    @Test
    void theRootPrefixTakesTheRootPathAloneNotEverythingUnderIt() throws Exception {
        assertThat(send("GET", "/").headers().firstValue("content-type")).contains("text/html; charset=utf-8");
        assertThat(send("GET", "/?q=1").statusCode()).isEqualTo(200);
        assertThat(send("GET", "/hello/x").body()).isEqualTo("hello /hello/x null");
        assertThat(send("GET", "/elsewhere").statusCode()).isNotEqualTo(200);
    }

    /** With "/" bound too (the web pages): socket.io's path and paths no prefix takes go on to netty-socketio. */
    @Test
    void withHttpCompressionOnAFileFromDiskArrivesWhole(@TempDir Path dir) throws Exception {
        Path page = Files.writeString(dir.resolve("page.html"), "<p>" + "compressible ".repeat(200) + "</p>");
        TestServer compressing = TestServer.startLesson("io.httpCompression = true", new AbstractModule() {
            @Override
            protected void configure() {
                IoBindings.httpGet(binder()).addBinding("/page/").toInstance(get -> HttpReply.file(page, "text/html"));
            }
        });
        try {
            HttpResponse<byte[]> response = HTTP.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + compressing.port() + "/page/"))
                    .header("Accept-Encoding", "gzip").build(), HttpResponse.BodyHandlers.ofByteArray());

            byte[] body = response.body();
            if (response.headers().firstValue("content-encoding").orElse("").equals("gzip")) {
                body = new GZIPInputStream(new ByteArrayInputStream(body)).readAllBytes();
            }
            assertThat(new String(body, StandardCharsets.UTF_8)).isEqualTo(Files.readString(page));
        } finally {
            TestServer.closeAll(compressing);
        }
    }

    @Test
    void socketIoAndUnboundPathsAreUntouched() throws Exception {
        assertThat(send("GET", "/socket.io/?EIO=4&transport=polling").body()).startsWith("0{\"sid\":");
        assertThat(send("GET", "/elsewhere").statusCode()).isNotEqualTo(200);
    }
}
