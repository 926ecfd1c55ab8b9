package dev.cloudscope.server.io.internal.core;

import dev.cloudscope.server.io.Broadcast;
import dev.cloudscope.server.io.IoNamespace;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/** A {@link Broadcast} being narrowed: which rooms of which namespace, and which are left out. Immutable. */
record Sending(Rooms rooms, String namespace, Set<String> to, Set<String> except) implements IoNamespace {

    static Sending wholeNamespace(Rooms rooms, String namespace) {
        return new Sending(rooms, namespace, Set.of(), Set.of());
    }

    @Override
    public String name() {
        return namespace;
    }

    @Override
    public Sending to(String room) {
        return new Sending(rooms, namespace, plus(to, room), except);
    }

    @Override
    public Sending except(String room) {
        return new Sending(rooms, namespace, to, plus(except, room));
    }

    @Override
    public void emit(String event, Object... args) {
        rooms.emit(new Rooms.RoomEmit(namespace, to, except, event, args));
    }

    @Override
    public CompletionStage<Set<String>> socketIds() {
        return rooms.socketIds(namespace, to, except);
    }

    private static Set<String> plus(Set<String> set, String room) {
        if (room == null || room.isEmpty()) {
            throw new IllegalArgumentException("a room has a non-empty name");
        }
        Set<String> more = new HashSet<>(set);
        more.add(room);
        return Set.copyOf(more);
    }
}
