package dev.cloudscope.server.io.internal.core;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/** {@link Rooms} in this process: who is in which room, per namespace, and emits to the sockets connected here. */
public final class LocalRooms implements Rooms {

    private record Key(String namespace, String name) {
    }

    private final LocalSockets sockets;
    /** Members per room, and rooms per socket (keyed by socket id): both kept, so that either question is cheap. */
    private final Map<Key, Set<String>> members = new ConcurrentHashMap<>();
    private final Map<Key, Set<String>> roomsOfSocket = new ConcurrentHashMap<>();

    public LocalRooms(LocalSockets sockets) {
        this.sockets = sockets;
    }

    @Override
    public void join(String namespace, String socketId, String room) {
        // compute() runs under the map's lock for the key: a join racing a leave of the same socket stays consistent
        roomsOfSocket.compute(new Key(namespace, socketId), (key, rooms) -> {
            Set<String> set = rooms == null ? ConcurrentHashMap.newKeySet() : rooms;
            set.add(room);
            // under the room's lock too: a set that the last member's leave is dropping must not get this member
            members.compute(new Key(namespace, room), (k, ids) -> {
                Set<String> inRoom = ids == null ? ConcurrentHashMap.newKeySet() : ids;
                inRoom.add(socketId);
                return inRoom;
            });
            return set;
        });
    }

    @Override
    public void leave(String namespace, String socketId, String room) {
        roomsOfSocket.computeIfPresent(new Key(namespace, socketId), (key, rooms) -> {
            rooms.remove(room);
            removeMember(namespace, room, socketId);
            return rooms.isEmpty() ? null : rooms;
        });
    }

    @Override
    public void leaveAll(String namespace, String socketId) {
        roomsOfSocket.computeIfPresent(new Key(namespace, socketId), (key, rooms) -> {
            for (String room : rooms) {
                removeMember(namespace, room, socketId);
            }
            return null;
        });
    }

    private void removeMember(String namespace, String room, String socketId) {
        members.computeIfPresent(new Key(namespace, room), (key, ids) -> {
            ids.remove(socketId);
            return ids.isEmpty() ? null : ids;
        });
    }

    @Override
    public Set<String> roomsOf(String namespace, String socketId) {
        Set<String> rooms = roomsOfSocket.get(new Key(namespace, socketId));
        return rooms == null ? Set.of() : Set.copyOf(rooms);
    }

    @Override
    public Set<String> members(String namespace, Set<String> rooms) {
        if (rooms.isEmpty()) {
            return sockets.ids(namespace);
        }
        Set<String> ids = new HashSet<>();
        for (String room : rooms) {
            Set<String> inRoom = members.get(new Key(namespace, room));
            if (inRoom != null) {
                ids.addAll(inRoom);
            }
        }
        return ids;
    }

    @Override
    public CompletionStage<Set<String>> socketIds(String namespace, Set<String> rooms, Set<String> except) {
        Set<String> ids = new HashSet<>(members(namespace, rooms));
        if (!except.isEmpty()) {
            ids.removeAll(members(namespace, except));
        }
        return CompletableFuture.completedFuture(Set.copyOf(ids));
    }

    /** Every socket of {@code namespace} here that is in a room, with its rooms (its own id's included): a copy. */
    public Map<String, Set<String>> roomsBySocket(String namespace) {
        Map<String, Set<String>> bySocket = new HashMap<>();
        roomsOfSocket.forEach((key, rooms) -> {
            if (key.namespace().equals(namespace)) {
                bySocket.put(key.name(), Set.copyOf(rooms));
            }
        });
        return bySocket;
    }

    @Override
    public void emit(RoomEmit emit) {
        Set<String> excluded = emit.except().isEmpty() ? Set.of() : members(emit.namespace(), emit.except());
        for (String id : members(emit.namespace(), emit.rooms())) {
            if (!excluded.contains(id)) {
                sockets.emit(emit.namespace(), id, emit.event(), emit.args());
            }
        }
    }
}
