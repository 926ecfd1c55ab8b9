package dev.cloudscope.server.config;

import java.time.Duration;
import java.util.Map;

/** {@code io.*}: the twin of egg-socket.io's {@code config.io}. */
public record IoSettings(Map<String, NamespaceSettings> namespaces, int workerThreads, Duration shutdownTimeout) {

    public IoSettings {
        namespaces = Map.copyOf(namespaces);
    }

    static String namespacePath(String namespace) {
        return "io.namespace.\"" + namespace + "\"";
    }
}
