package dev.cloudscope.server.app.build;

/** A published site: where it is served (ends with '/'), and what it holds. */
public record Publication(String siteUrl, Manifest manifest) {
}
