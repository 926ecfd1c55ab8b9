package dev.cloudscope.server.config;

import java.util.List;

/** {@code io.namespace."/chat"}: the middleware names of one namespace, outermost first. */
public record NamespaceSettings(String name, List<String> connectionMiddleware, List<String> packetMiddleware) {

    public NamespaceSettings {
        connectionMiddleware = List.copyOf(connectionMiddleware);
        packetMiddleware = List.copyOf(packetMiddleware);
    }

    /** The config path of one of this namespace's keys, as a user would write it. */
    public String path(String key) {
        return IoSettings.namespacePath(name) + "." + key;
    }
}
