package dev.cloudscope.server.io;

import java.io.IOException;

/**
 * Answers plain HTTP GETs under a path prefix on the server's port, beside socket.io (egg's
 * {@code app.router.get}): bound by its prefix, {@code IoBindings.httpGet(binder()).addBinding("/sites/").to(Sites.class)}.
 * It runs on the worker pool, so it may read files. HEAD gets the same reply without its body; other methods 405.
 * The longest bound prefix that matches wins; {@code "/x/"} also answers {@code /x}, and {@code "/"} answers the
 * path {@code /} alone (never socket.io's path nor another's).
 */
@FunctionalInterface
public interface HttpHandler {

    /** The reply to {@code request}; an exception is a 500 with nothing of it in the body (the log has it). */
    HttpReply get(HttpGet request) throws IOException;
}
