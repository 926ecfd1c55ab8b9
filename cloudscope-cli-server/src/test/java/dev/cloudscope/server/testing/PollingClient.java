package dev.cloudscope.server.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * An Engine.IO 4 long-polling session by hand ({@code java.net.http}): the handshake, POSTs of exactly what the test
 * writes, GETs. Engine.IO 4 separates the packets of one payload with {@code \u001e}.
 */
public final class PollingClient implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private final String url;
    private final String sid;

    private PollingClient(int port) throws IOException, InterruptedException {
        String handshake = get("http://127.0.0.1:" + port + "/socket.io/?EIO=4&transport=polling").body();
        if (!handshake.startsWith("0{\"sid\":\"")) {
            throw new IllegalStateException("not an Engine.IO 4 open packet: " + handshake);
        }
        sid = handshake.replaceFirst("^0\\{\"sid\":\"([^\"]+)\".*$", "$1");
        url = "http://127.0.0.1:" + port + "/socket.io/?EIO=4&transport=polling&sid=" + sid;
    }

    /** Opens a session: the handshake GET. */
    public static PollingClient open(int port) throws IOException, InterruptedException {
        return new PollingClient(port);
    }

    public String sid() {
        return sid;
    }

    /** POSTs {@code body} as it is. */
    public HttpResponse<String> post(String body) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** One poll: what the server has queued for the session (it waits up to a ping interval if nothing is). */
    public List<String> poll() throws IOException, InterruptedException {
        return Arrays.asList(get(url).body().split("\u001e"));
    }

    private static HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Ends the session (Engine.IO close), if the server has not already. */
    @Override
    public void close() {
        try {
            post("1");
        } catch (IOException e) {
            // the session or its connection is gone already
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
