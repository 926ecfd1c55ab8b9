package dev.cloudscope.server.io.internal.core;

import dev.cloudscope.server.io.Broadcast;
import dev.cloudscope.server.io.IoNamespace;
import dev.cloudscope.server.io.IoSocket;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** {@code ctx.socket}: emits go through the connection, which holds them until the namespace's CONNECT is out. */
final class SocketOnNamespace implements IoSocket {

    private final Connection connection;
    private final Link link;
    private final Rooms rooms;
    private volatile Map<String, Object> data; // created when the app first asks for it

    SocketOnNamespace(Connection connection, Link link, Rooms rooms) {
        this.connection = connection;
        this.link = link;
        this.rooms = rooms;
    }

    @Override
    public String id() {
        return link.sessionId();
    }

    @Override
    public String namespace() {
        return connection.namespace();
    }

    @Override
    public Map<String, List<String>> handshakeQuery() {
        return link.query();
    }

    @Override
    public Map<String, Object> auth() {
        return link.auth();
    }

    @Override
    public String remoteAddress() {
        return link.remoteAddress();
    }

    @Override
    public void emit(String event, Object... args) {
        connection.emit(event, args);
    }

    @Override
    public void join(String room) {
        if (room == null || room.isEmpty()) {
            throw new IllegalArgumentException("a room has a non-empty name");
        }
        if (!connection.isConnectingOrOpen()) {
            return; // as socket.io: a socket that has disconnected joins nothing
        }
        rooms.join(namespace(), id(), room);
        if (!connection.isConnectingOrOpen()) {
            // it disconnected meanwhile; its leaving all rooms may have run before this join
            rooms.leave(namespace(), id(), room);
        }
    }

    @Override
    public void leave(String room) {
        if (!id().equals(room)) { // a socket stays in its own room while connected, as in socket.io
            rooms.leave(namespace(), id(), room);
        }
    }

    /** Into the room named by its id: from the start of its connection. */
    void joinOwnRoom() {
        rooms.join(namespace(), id(), id());
    }

    void leaveAllRooms() {
        rooms.leaveAll(namespace(), id());
    }

    @Override
    public Set<String> rooms() {
        return rooms.roomsOf(namespace(), id());
    }

    @Override
    public Broadcast to(String room) {
        return nsp().except(id()).to(room);
    }

    @Override
    public Broadcast broadcast() {
        return nsp().except(id());
    }

    @Override
    public IoNamespace nsp() {
        return Sending.wholeNamespace(rooms, namespace());
    }

    @Override
    public boolean writable() {
        return link.writable();
    }

    @Override
    public Map<String, Object> data() {
        Map<String, Object> map = data;
        if (map == null) {
            synchronized (this) {
                if (data == null) {
                    data = new ConcurrentHashMap<>();
                }
                map = data;
            }
        }
        return map;
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
