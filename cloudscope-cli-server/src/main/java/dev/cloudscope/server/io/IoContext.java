package dev.cloudscope.server.io;

import java.util.List;

/** What egg's {@code ctx} gives the lesson's code: the socket, and for a packet its event and arguments. */
public interface IoContext {

    /** The client's socket on this namespace. */
    IoSocket socket();

    /** The event's arguments ({@code ctx.args}); empty in connection middleware. */
    List<Object> args();

    /** The packet {@code [event, ...args]} ({@code ctx.packet}); {@code null} in connection middleware. */
    Packet packet();

    /**
     * Answers the client's acknowledgement callback, if it asked for one; at most once per packet, later calls are
     * ignored. Without it, the framework acknowledges with no data once the packet's whole chain has completed.
     */
    void ack(Object... data);

    /** To the sockets in {@code room}, but this one: {@code socket().to(room)}. */
    default Broadcast to(String room) {
        return socket().to(room);
    }
}
