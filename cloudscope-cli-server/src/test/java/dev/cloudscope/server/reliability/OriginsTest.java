package dev.cloudscope.server.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cloudscope.server.testing.TestServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code io.cors.origins}: a page of another site may not use the server from a visitor's browser unless config
 * lists its origin, as under socket.io 4; pages of the server's own origin and clients that send no Origin may.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OriginsTest {

    private static final String FRIEND = "https://app.example.com";
    private static final String STRANGER = "https://evil.example.net";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final OkHttpClient OK_HTTP = new OkHttpClient.Builder().readTimeout(5, TimeUnit.SECONDS).build();

    private TestServer closed;
    private TestServer listed;

    @BeforeAll
    void start() {
        closed = TestServer.startLesson();
        listed = TestServer.startLesson("io.cors.origins = [\"" + FRIEND.toUpperCase() + "\"]");
    }

    @AfterAll
    void stop() {
        TestServer.closeAll(closed, listed);
    }

    private static HttpResponse<String> handshake(TestServer server, String origin) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.port() + "/socket.io/?EIO=4&transport=polling"));
        if (origin != null) {
            request.header("Origin", origin);
        }
        return HTTP.send(request.GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The status of a WebSocket handshake sent with {@code origin}: 101 when it opens. */
    private static int webSocket(TestServer server, String origin) throws Exception {
        CompletableFuture<Integer> status = new CompletableFuture<>();
        Request request = new Request.Builder()
                .url("http://127.0.0.1:" + server.port() + "/socket.io/?EIO=4&transport=websocket")
                .header("Origin", origin).build();
        WebSocket socket = OK_HTTP.newWebSocket(request, new WebSocketListener() {
            @Override
            public void onOpen(WebSocket webSocket, Response response) {
                status.complete(response.code());
            }

            @Override
            public void onFailure(WebSocket webSocket, Throwable t, Response response) {
                status.complete(response == null ? -1 : response.code());
            }
        });
        try {
            return status.get(5, TimeUnit.SECONDS);
        } finally {
            socket.cancel();
        }
    }

    @Test
    void byDefaultAPageOfAnotherSiteIsRefusedOverPollingWithoutCorsHeaders() throws Exception {
        HttpResponse<String> response = handshake(closed, STRANGER);

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.body()).isEqualTo("{\"code\":4,\"message\":\"Forbidden\"}");
        assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    }

    @Test
    void byDefaultAPageOfAnotherSiteIsRefusedAtTheWebSocketUpgrade() throws Exception {
        assertThat(webSocket(closed, STRANGER)).isEqualTo(403);
    }

    @Test
    void aClientWithoutAnOriginIsServedAsBeforeAndGetsNoCorsHeaders() throws Exception {
        HttpResponse<String> response = handshake(closed, null);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).startsWith("0{\"sid\":");
        assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    }

    @Test
    void aPageOfTheServersOwnOriginIsServed() throws Exception {
        String own = "http://127.0.0.1:" + closed.port();

        assertThat(handshake(closed, own).statusCode()).isEqualTo(200);
        assertThat(webSocket(closed, own)).isEqualTo(101);
    }

    @Test
    void aListedOriginIsServedWithCorsHeadersNamingIt() throws Exception {
        HttpResponse<String> response = handshake(listed, FRIEND);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).contains(FRIEND);
        assertThat(webSocket(listed, FRIEND)).isEqualTo(101);
    }

    @Test
    void listingOneOriginDoesNotLetInAnother() throws Exception {
        assertThat(handshake(listed, STRANGER).statusCode()).isEqualTo(403);
        assertThat(handshake(listed, FRIEND + ".evil.example.net").statusCode()).isEqualTo(403);
        assertThat(handshake(listed, "http://app.example.com").statusCode()).as("another scheme").isEqualTo(403);
        assertThat(webSocket(listed, STRANGER)).isEqualTo(403);
    }
}
