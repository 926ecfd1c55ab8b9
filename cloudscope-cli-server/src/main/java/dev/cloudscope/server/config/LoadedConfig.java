package dev.cloudscope.server.config;

import com.typesafe.config.Config;

/**
 * The server's config after every layer was applied and checked.
 *
 * @param config the whole resolved config, for an app's own entries
 */
public record LoadedConfig(ServerSettings server, IoSettings io, AuthSettings auth, BuildSettings build,
                           ClusterSettings cluster, Config config) {
}
