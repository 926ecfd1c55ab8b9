package dev.cloudscope.server.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * {@code io.*}: the twin of egg-socket.io's {@code config.io}, and the limits socket.io servers have.
 *
 * @param appThreads    where middleware and controllers run: on the connection's event loop, or on the worker pool
 * @param connectTimeout    how long a client may stay connected to no namespace at all before it is closed
 * @param corsOrigins       the other sites whose pages may use the server from a browser ({@code *}: any)
 * @param errorEvent    the event a client is sent when its packet's chain fails, or empty for none
 * @param debugEndpoint     whether {@code GET /debug/connections} answers with the live connection count
 * @param perMessageDeflate whether WebSocket messages may be compressed (permessage-deflate)
 * @param httpCompression   whether long-polling responses may be gzipped
 */
public record IoSettings(Map<String, NamespaceSettings> namespaces, AppThreads appThreads, int workerThreads,
                         Duration shutdownTimeout,
                         int maxPayloadBytes, Duration pingInterval, Duration pingTimeout, Duration connectTimeout,
                         List<String> corsOrigins, String errorEvent,
                         boolean debugEndpoint, boolean perMessageDeflate, boolean httpCompression) {

    public IoSettings {
        namespaces = Map.copyOf(namespaces);
        corsOrigins = List.copyOf(corsOrigins);
    }

    /** {@code io.appThreads}. */
    public enum AppThreads {
        /** On the Netty event loop that serves the connection, as Node runs them: no thread hand-off per packet. */
        EVENT_LOOP("event-loop"),
        /** Each connection's chains on its own sequential lane of the worker pool. */
        WORKERS("workers");

        private final String configValue;

        AppThreads(String configValue) {
            this.configValue = configValue;
        }

        public String configValue() {
            return configValue;
        }
    }

    static String namespacePath(String namespace) {
        return "io.namespace.\"" + namespace + "\"";
    }
}
