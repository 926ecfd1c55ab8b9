package dev.cloudscope.server.config;

import java.time.Duration;
import java.util.Map;

/**
 * {@code io.*}: the twin of egg-socket.io's {@code config.io}, and the limits socket.io servers have.
 *
 * @param errorEvent    the event a client is sent when its packet's chain fails, or empty for none
 * @param debugEndpoint     whether {@code GET /debug/connections} answers with the live connection count
 * @param perMessageDeflate whether WebSocket messages may be compressed (permessage-deflate)
 * @param httpCompression   whether long-polling responses may be gzipped
 */
public record IoSettings(Map<String, NamespaceSettings> namespaces, int workerThreads, Duration shutdownTimeout,
                         int maxPayloadBytes, Duration pingInterval, Duration pingTimeout, String errorEvent,
                         boolean debugEndpoint, boolean perMessageDeflate, boolean httpCompression) {

    public IoSettings {
        namespaces = Map.copyOf(namespaces);
    }

    static String namespacePath(String namespace) {
        return "io.namespace.\"" + namespace + "\"";
    }
}
