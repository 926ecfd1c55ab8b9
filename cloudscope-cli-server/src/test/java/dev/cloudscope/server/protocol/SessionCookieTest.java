package dev.cloudscope.server.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cloudscope.server.testing.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Sessions and cookies, as engine.io 4: no cookie on any answer (netty-socketio set {@code io=SID}), and a handshake
 * always opens a new session, whatever cookie or header it brings (netty-socketio took the sid from an {@code io}
 * cookie or header: a browser's second tab, sending the first tab's cookie, got the first tab's session and both
 * were closed).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SessionCookieTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private TestServer server;

    @BeforeAll
    void start() {
        server = TestServer.startLesson();
    }

    @AfterAll
    void stop() {
        TestServer.closeAll(server);
    }

    private String base() {
        return "http://127.0.0.1:" + server.port() + "/socket.io/?EIO=4&transport=polling";
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return HTTP.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String sid(HttpResponse<String> handshake) {
        assertThat(handshake.statusCode()).isEqualTo(200);
        return Polling.json(handshake.body().substring(1)).get("sid").asText();
    }

    @Test
    void noAnswerSetsACookie() throws Exception {
        HttpResponse<String> handshake = send(HttpRequest.newBuilder(URI.create(base())));
        String sid = sid(handshake);
        HttpResponse<String> post = send(HttpRequest.newBuilder(URI.create(base() + "&sid=" + sid))
                .POST(HttpRequest.BodyPublishers.ofString("40")));
        HttpResponse<String> poll = send(HttpRequest.newBuilder(URI.create(base() + "&sid=" + sid)));

        assertThat(post.statusCode()).isEqualTo(200);
        assertThat(poll.statusCode()).isEqualTo(200);
        assertThat(poll.body()).startsWith("40{\"sid\":");
        for (HttpResponse<String> response : java.util.List.of(handshake, post, poll)) {
            assertThat(response.headers().allValues("set-cookie")).as(response.request().method() + " "
                    + response.uri()).isEmpty();
        }
    }

    @Test
    void aHandshakeWithALiveSessionsCookieOrHeaderGetsANewSessionAndTheOtherGoesOn() throws Exception {
        String first = sid(send(HttpRequest.newBuilder(URI.create(base()))));

        String byCookie = sid(send(HttpRequest.newBuilder(URI.create(base())).header("Cookie", "io=" + first)));
        String byHeader = sid(send(HttpRequest.newBuilder(URI.create(base())).header("io", first)));

        assertThat(byCookie).isNotEqualTo(first);
        assertThat(byHeader).isNotEqualTo(first).isNotEqualTo(byCookie);
        // the first session is untouched: it connects to / and gets its CONNECT
        assertThat(send(HttpRequest.newBuilder(URI.create(base() + "&sid=" + first))
                .POST(HttpRequest.BodyPublishers.ofString("40"))).statusCode()).isEqualTo(200);
        HttpResponse<String> poll = send(HttpRequest.newBuilder(URI.create(base() + "&sid=" + first)));
        assertThat(poll.statusCode()).isEqualTo(200);
        assertThat(poll.body()).startsWith("40{\"sid\":");
    }
}
