package dev.cloudscope.server.config;

import java.util.List;

/** {@code auth.*}: the tokens the auth middleware lets in; none, anyone (the lesson's default). */
public record AuthSettings(List<String> tokens) {

    public AuthSettings {
        tokens = List.copyOf(tokens);
    }
}
