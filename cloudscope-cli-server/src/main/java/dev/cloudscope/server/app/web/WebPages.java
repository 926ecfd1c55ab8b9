package dev.cloudscope.server.app.web;

import dev.cloudscope.server.app.build.BuildId;
import dev.cloudscope.server.io.HttpGet;
import dev.cloudscope.server.io.HttpHandler;
import dev.cloudscope.server.io.HttpReply;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The web pages and their files, from the jar ({@code dev/cloudscope/server/app/web/}): three static HTML pages whose
 * scripts read what they show from the URL and the server's socket.io namespaces, so nothing from a request is ever
 * written into a page. Only the files listed here are served (no paths to resolve, nothing to traverse).
 *
 * <p>Every reply carries {@link #CSP}: scripts, styles, images and connections from this server only (its socket.io,
 * over polling and WebSocket; CSP 3 browsers count {@code ws:} of the page's own host as {@code 'self'}), no inline
 * script or style, no framing by other pages, no {@code <base>}. The server sets no cookie; a token the page is asked
 * for stays in the tab's sessionStorage.
 */
@Singleton
public class WebPages implements HttpHandler {

    static final String ROOT = "/";
    static final String BUILDS = "/builds/";
    static final String ROOMS = "/rooms/";
    static final String ASSETS = "/assets/";
    static final List<String> PREFIXES = List.of(ROOT, BUILDS, ROOMS, ASSETS);

    static final String CSP = "default-src 'self'; script-src 'self'; connect-src 'self'; style-src 'self'; "
            + "img-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    /** What {@code /rooms/NAME} takes as NAME: the chat rooms' rule (RoomController), checked again by the server. */
    static final int MAX_ROOM = 64;

    private static final String HTML = "text/html; charset=utf-8";
    private static final String RESOURCES = "/dev/cloudscope/server/app/web/";

    /** The files under /assets/ and their content types: nothing else is served there. */
    static final Map<String, String> ASSET_TYPES = Map.of(
            "app.css", "text/css; charset=utf-8",
            "common.js", "text/javascript; charset=utf-8",
            "index.js", "text/javascript; charset=utf-8",
            "build.js", "text/javascript; charset=utf-8",
            "room.js", "text/javascript; charset=utf-8",
            "icon.svg", "image/svg+xml",
            "socket.io.min.js", "text/javascript; charset=utf-8",
            "socket.io.min.js.map", "application/json");

    private final Map<String, byte[]> files = new ConcurrentHashMap<>();

    @Override
    public HttpReply get(HttpGet request) {
        String path = request.path();
        if (path.equals(ROOT)) {
            return page("index.html");
        }
        if (path.startsWith(BUILDS)) {
            String id = path.substring(BUILDS.length());
            return id.isEmpty() ? home() : BuildId.valid(id) ? page("build.html") : notFound();
        }
        if (path.startsWith(ROOMS)) {
            String room = path.substring(ROOMS.length());
            return room.isEmpty() ? home() : validRoom(room) ? page("room.html") : notFound();
        }
        if (path.startsWith(ASSETS)) {
            String name = path.substring(ASSETS.length());
            String type = ASSET_TYPES.get(name);
            return type == null ? notFound() : secured(new HttpReply(200, type, file("assets/" + name), null, Map.of()));
        }
        // /builds and /rooms without their slash
        return home();
    }

    /** A room name as the chat rooms take it: 1 to 64 characters, no control character, no slash. */
    static boolean validRoom(String room) {
        return !room.isEmpty() && room.length() <= MAX_ROOM && room.indexOf('/') < 0
                && room.chars().noneMatch(Character::isISOControl);
    }

    private HttpReply page(String name) {
        return secured(new HttpReply(200, HTML, file(name), null, Map.of()));
    }

    private static HttpReply home() {
        return secured(HttpReply.text(302, "text/plain", "see /\n").with("Location", ROOT));
    }

    private static HttpReply notFound() {
        return secured(HttpReply.notFound());
    }

    private static HttpReply secured(HttpReply reply) {
        Map<String, String> headers = new LinkedHashMap<>(reply.headers());
        headers.put("Content-Security-Policy", CSP);
        headers.put("Referrer-Policy", "no-referrer");
        headers.put("X-Frame-Options", "DENY");
        headers.put("Cache-Control", "no-cache");
        return new HttpReply(reply.status(), reply.contentType(), reply.body(), reply.file(), headers);
    }

    private byte[] file(String name) {
        return files.computeIfAbsent(name, WebPages::read);
    }

    private static byte[] read(String name) {
        try (InputStream in = WebPages.class.getResourceAsStream(RESOURCES + name)) {
            if (in == null) {
                throw new IllegalStateException("the jar has no " + RESOURCES + name + " (was it built by Maven?)");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
