package dev.cloudscope.server.protocol;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Raw HTTP for the protocol tests: any method, any body, and what came back (status, body bytes), or that nothing
 * did. Not a socket.io client: it sends exactly what the test wrote. HTTP/1.1 only (no h2c upgrade headers).
 */
final class Http {

    /** The server closed the connection without an answer. */
    static final int ABORTED = -1;
    /** No answer within the request's timeout (the request was still pending). */
    static final int NO_ANSWER = -2;

    static final Duration TIMEOUT = Duration.ofSeconds(10);

    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();

    private Http() {
    }

    /** What an HTTP request got: a status and a body, or {@link #ABORTED} / {@link #NO_ANSWER} and why. */
    record Reply(int status, byte[] body, String contentType, String failure) {

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return status < 0 ? (status == NO_ANSWER ? "no answer: " : "aborted: ") + failure
                    : status + " " + text().replace("\u001e", "\\x1e");
        }
    }

    static Reply get(String url) {
        return send("GET", url, null, TIMEOUT);
    }

    static Reply get(String url, Duration timeout) {
        return send("GET", url, null, timeout);
    }

    static Reply post(String url, String body) {
        return send("POST", url, body, TIMEOUT);
    }

    static Reply send(String method, String url, String body, Duration timeout) {
        try {
            return sendAsync(method, url, body, timeout).join();
        } catch (CompletionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    static CompletableFuture<Reply> getAsync(String url, Duration timeout) {
        return sendAsync("GET", url, null, timeout);
    }

    static CompletableFuture<Reply> sendAsync(String method, String url, String body, Duration timeout) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                .timeout(timeout)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                .header("Content-Type", "text/plain;charset=UTF-8")
                .build();
        return CLIENT.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
                .handle((response, failure) -> {
                    if (failure == null) {
                        return new Reply(response.statusCode(), response.body(),
                                response.headers().firstValue("Content-Type").orElse(""), null);
                    }
                    Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                            ? failure.getCause() : failure;
                    int status = cause instanceof HttpTimeoutException ? NO_ANSWER : ABORTED;
                    return new Reply(status, new byte[0], "", String.valueOf(cause));
                });
    }

    /**
     * Writes only {@code head} (request line and headers, no body) on a new connection and returns the status of
     * the answer, or {@link #ABORTED} if the connection was closed without one. For requests whose body the server
     * must refuse on its headers alone (a Content-Length over the limit).
     */
    static int statusOfHeadOnly(int port, String head) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout((int) TIMEOUT.toMillis());
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            for (int b = in.read(); b != -1 && b != '\n'; b = in.read()) {
                line.write(b);
            }
            String status = line.toString(StandardCharsets.US_ASCII).trim(); // HTTP/1.1 413 Request Entity Too Large
            String[] parts = status.split(" ");
            return parts.length >= 2 ? Integer.parseInt(parts[1]) : ABORTED;
        } catch (java.net.SocketTimeoutException e) {
            return NO_ANSWER;
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().contains("reset")) {
                return ABORTED;
            }
            throw new UncheckedIOException(e);
        }
    }
}
