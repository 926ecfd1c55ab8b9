package dev.cloudscope.server.config;

import com.typesafe.config.Config;

/**
 * The server's config after every layer was applied and checked.
 *
 * @param config the whole resolved config, for the app's own entries (e.g. {@code auth.tokens})
 */
public record LoadedConfig(ServerSettings server, IoSettings io, Config config) {
}
