package dev.cloudscope.server.config;

/** {@code server.*}: where the server listens. */
public record ServerSettings(String host, int port) {
}
