package dev.cloudscope.server.io.internal.core;

import dev.cloudscope.server.io.Io;
import dev.cloudscope.server.io.IoNamespace;
import java.util.Set;
import java.util.TreeSet;

/** {@link Io}: the configured namespaces, each a broadcast to its sockets. */
public final class Namespaces implements Io {

    private final Set<String> names;
    private final Rooms rooms;

    public Namespaces(Set<String> names, Rooms rooms) {
        this.names = Set.copyOf(names);
        this.rooms = rooms;
    }

    @Override
    public IoNamespace of(String namespace) {
        if (!names.contains(namespace)) {
            throw new IllegalArgumentException("no namespace " + namespace + " (configured: " + new TreeSet<>(names) + ")");
        }
        return Sending.wholeNamespace(rooms, namespace);
    }
}
