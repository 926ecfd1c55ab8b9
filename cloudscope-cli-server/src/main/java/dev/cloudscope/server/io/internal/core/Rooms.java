package dev.cloudscope.server.io.internal.core;

import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * The rooms of a server's sockets, and emits to them: socket.io's {@code Adapter}. {@link LocalRooms} keeps them in
 * this process (the default); one that spans several servers replaces it without a line of app code changing.
 * Every socket is in the room named by its own id, from its CONNECT to its disconnect.
 */
public interface Rooms {

    void join(String namespace, String socketId, String room);

    void leave(String namespace, String socketId, String room);

    /** At disconnect, or when a connection is refused. */
    void leaveAll(String namespace, String socketId);

    /** The rooms {@code socketId} is in on {@code namespace} (its own id's included). */
    Set<String> roomsOf(String namespace, String socketId);

    /**
     * The ids of this server's sockets of {@code namespace} in any of {@code rooms}, or of all of them if it is
     * empty.
     */
    Set<String> members(String namespace, Set<String> rooms);

    /**
     * The ids of the sockets of {@code namespace}, on every server that shares these rooms, in any of {@code rooms}
     * (all of them if empty) and in none of {@code except}: {@code Broadcast.socketIds()}.
     */
    CompletionStage<Set<String>> socketIds(String namespace, Set<String> rooms, Set<String> except);

    /** Sends {@code emit} to every socket it addresses, on every server that shares these rooms, once each. */
    void emit(RoomEmit emit);

    /**
     * An event to the sockets of a namespace that are in any of {@code rooms} (all of them if empty) and in none of
     * {@code except}.
     */
    record RoomEmit(String namespace, Set<String> rooms, Set<String> except, String event, Object[] args) {
        public RoomEmit {
            rooms = Set.copyOf(rooms);
            except = Set.copyOf(except);
        }
    }
}
