package dev.cloudscope.server.io.internal;

import com.corundumstudio.socketio.SocketIOClient;
import dev.cloudscope.server.io.IoSocket;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/** {@code ctx.socket}: emits go through the connection, which holds them until the namespace's CONNECT is out. */
final class SocketOnNamespace implements IoSocket {

    private final Connection connection;
    private final SocketIOClient client;

    SocketOnNamespace(Connection connection, SocketIOClient client) {
        this.connection = connection;
        this.client = client;
    }

    @Override
    public String id() {
        return client.getSessionId().toString();
    }

    @Override
    public String namespace() {
        return connection.namespace();
    }

    @Override
    public Map<String, List<String>> handshakeQuery() {
        return client.getHandshakeData().getUrlParams();
    }

    @Override
    @SuppressWarnings("unchecked")
    public Map<String, Object> auth() {
        Object auth = client.getHandshakeData().getAuthToken();
        return auth instanceof Map<?, ?> map ? Collections.unmodifiableMap((Map<String, Object>) map) : Map.of();
    }

    @Override
    public String remoteAddress() {
        return String.valueOf(client.getRemoteAddress());
    }

    @Override
    public void emit(String event, Object... args) {
        connection.emit(event, args);
    }

    @Override
    public void disconnect() {
        connection.leave();
    }

    @Override
    public String toString() {
        return id() + " on " + namespace();
    }
}
