package dev.cloudscope.server.config;

/** The server's config after every layer was applied and checked. */
public record LoadedConfig(ServerSettings server, IoSettings io) {
}
