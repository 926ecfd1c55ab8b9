package dev.cloudscope.server.io.internal.core;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The sockets connected to this server, by namespace and id: where an emit to a room ends up. */
public final class LocalSockets {

    private final Map<String, Map<String, Connection>> byNamespace = new ConcurrentHashMap<>();

    void add(Connection connection) {
        byNamespace.computeIfAbsent(connection.namespace(), ns -> new ConcurrentHashMap<>())
                .put(connection.id(), connection);
    }

    void remove(Connection connection) {
        Map<String, Connection> sockets = byNamespace.get(connection.namespace());
        if (sockets != null) {
            sockets.remove(connection.id(), connection);
        }
    }

    Set<String> ids(String namespace) {
        Map<String, Connection> sockets = byNamespace.get(namespace);
        return sockets == null ? Set.of() : Set.copyOf(sockets.keySet());
    }

    /** Whether the client with this session has a socket on any namespace. */
    boolean hasSession(String sessionId) {
        for (Map<String, Connection> sockets : byNamespace.values()) {
            if (sockets.containsKey(sessionId)) {
                return true;
            }
        }
        return false;
    }

    /** Emits to one socket, if it is connected here (held until its CONNECT is out, as any emit of it). */
    void emit(String namespace, String id, String event, Object[] args) {
        Map<String, Connection> sockets = byNamespace.get(namespace);
        Connection connection = sockets == null ? null : sockets.get(id);
        if (connection != null) {
            connection.emit(event, args);
        }
    }
}
