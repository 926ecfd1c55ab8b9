package dev.cloudscope.server.io.internal.core;

/** The answer to a packet's acknowledgement callback, if the client asked for one. Sent at most once. */
@FunctionalInterface
public interface Ack {

    /** For packets that asked for none (and for connections, which have none). */
    Ack NONE = data -> { };

    /** Sends the acknowledgement, once; later calls do nothing. A client that asked for none gets nothing. */
    void send(Object... data);
}
