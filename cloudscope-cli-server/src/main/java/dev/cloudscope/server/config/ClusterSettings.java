package dev.cloudscope.server.config;

import java.net.URI;
import java.util.Optional;

/**
 * {@code cluster.*}: several servers behind one name, sharing Redis; egg-socket.io's {@code io.redis}.
 *
 * @param redis    {@code redis://HOST:PORT} ({@code rediss://} for TLS); empty: one node, nothing shared
 * @param password Redis's password (AUTH), or null; a password in the URL's user info is taken too
 * @param nodeId   this server's name among the others, shown in logs and build records; never empty
 */
public record ClusterSettings(Optional<URI> redis, String password, String nodeId) {

    public boolean enabled() {
        return redis.isPresent();
    }
}
