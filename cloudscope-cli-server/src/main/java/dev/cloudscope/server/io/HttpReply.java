package dev.cloudscope.server.io;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * What an {@link HttpHandler} answers: a status, a content type, and a body held in memory or a file sent from disk.
 *
 * @param headers extra response headers (e.g. {@code Cache-Control}, {@code Content-Security-Policy})
 */
public record HttpReply(int status, String contentType, byte[] body, Path file, Map<String, String> headers) {

    public HttpReply {
        headers = Map.copyOf(headers);
        if ((body == null) == (file == null)) {
            throw new IllegalArgumentException("a reply has a body or a file, not both nor neither");
        }
    }

    /** A text body, UTF-8. */
    public static HttpReply text(int status, String contentType, String text) {
        return new HttpReply(status, contentType + "; charset=utf-8", text.getBytes(StandardCharsets.UTF_8), null, Map.of());
    }

    /** A file, sent as it is. */
    public static HttpReply file(Path file, String contentType) {
        return new HttpReply(200, contentType, null, file, Map.of());
    }

    public static HttpReply notFound() {
        return text(404, "text/plain", "not found\n");
    }

    /** The same reply with one more header. */
    public HttpReply with(String header, String value) {
        Map<String, String> more = new java.util.LinkedHashMap<>(headers);
        more.put(header, value);
        return new HttpReply(status, contentType, body, file, more);
    }
}
