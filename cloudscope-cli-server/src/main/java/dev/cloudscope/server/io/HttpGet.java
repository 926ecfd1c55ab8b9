package dev.cloudscope.server.io;

import java.util.List;
import java.util.Map;

/**
 * A plain HTTP GET (or HEAD) to the server's port, for an {@link HttpHandler}.
 *
 * @param path    the decoded path, e.g. {@code /sites/my-app/1.0.0/index.html}
 * @param rawPath the path as sent, still %-encoded: what a handler that maps paths to files must check
 * @param query   the query parameters
 * @param headers the request's headers, names in lower case (the last value of a repeated one)
 */
public record HttpGet(String path, String rawPath, Map<String, List<String>> query, Map<String, String> headers) {

    public HttpGet {
        query = Map.copyOf(query);
        headers = Map.copyOf(headers);
    }
}
