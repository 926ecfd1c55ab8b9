package dev.cloudscope.server.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * An Engine.IO 4 long-polling session by hand: the handshake GET, then GETs and POSTs of exactly what the test writes
 * (payloads join packets with {@code \x1e}). It never answers pings by itself, except in {@link #collect}.
 */
final class Polling {

    static final ObjectMapper JSON = new ObjectMapper();

    final int port;
    final String sid;
    final JsonNode handshake;

    private Polling(int port, String sid, JsonNode handshake) {
        this.port = port;
        this.sid = sid;
        this.handshake = handshake;
    }

    static String base(int port) {
        return "http://127.0.0.1:" + port + "/socket.io/";
    }

    /** The handshake GET; fails the test unless it is 200 with an open packet. */
    static Polling open(int port) {
        Http.Reply reply = Http.get(base(port) + "?EIO=4&transport=polling");
        assertThat(reply.status()).as("handshake: %s", reply).isEqualTo(200);
        assertThat(reply.text()).as("handshake").startsWith("0{");
        JsonNode open = json(reply.text().substring(1));
        return new Polling(port, open.get("sid").asText(), open);
    }

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + text, e);
        }
    }

    String url() {
        return base(port) + "?EIO=4&transport=polling&sid=" + sid;
    }

    Http.Reply poll() {
        return Http.get(url());
    }

    Http.Reply poll(Duration timeout) {
        return Http.get(url(), timeout);
    }

    CompletableFuture<Http.Reply> pollAsync(Duration timeout) {
        return Http.getAsync(url(), timeout);
    }

    Http.Reply post(String body) {
        return Http.post(url(), body);
    }

    CompletableFuture<Http.Reply> postAsync(String body, Duration timeout) {
        return Http.sendAsync("POST", url(), body, timeout);
    }

    /** The packets of a payload. */
    static List<String> packets(Http.Reply reply) {
        return Arrays.asList(reply.text().split("\u001e", -1));
    }

    /**
     * Polls until the server has sent {@code count} packets other than pings (each ping is answered with a pong, so
     * the session lives on), within 10 polls. Fails the test on a poll that is not 200.
     */
    List<String> collect(int count) {
        List<String> packets = new ArrayList<>();
        for (int polls = 0; packets.size() < count && polls < 10; polls++) {
            Http.Reply reply = poll();
            assertThat(reply.status()).as("poll %d: %s (so far %s)", polls, reply, packets).isEqualTo(200);
            for (String packet : packets(reply)) {
                if (packet.equals("2")) {
                    assertThat(post("3").status()).as("pong").isEqualTo(200);
                } else {
                    packets.add(packet);
                }
            }
        }
        return packets;
    }

    /** Ends the session if it is still there (a close packet); what the server answers does not matter. */
    void close() {
        Http.sendAsync("POST", url(), "1", Duration.ofSeconds(2));
    }
}
