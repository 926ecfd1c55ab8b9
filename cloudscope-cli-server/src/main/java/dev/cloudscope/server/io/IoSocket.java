package dev.cloudscope.server.io;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** A client's socket on one namespace ({@code ctx.socket}). Safe to use from any thread. */
public interface IoSocket {

    /** The socket's id: the client's session id, shared by its sockets on every namespace. */
    String id();

    /** The namespace this socket is connected to, e.g. {@code /chat}. */
    String namespace();

    /** The handshake's query parameters ({@code socket.handshake.query}). */
    Map<String, List<String>> handshakeQuery();

    /** The auth payload a socket.io v4 client sent with its CONNECT ({@code socket.handshake.auth}); empty if none. */
    Map<String, Object> auth();

    /** The client's address, e.g. {@code /127.0.0.1:50312}. */
    String remoteAddress();

    /**
     * Sends an event to this socket; {@code byte[]} arguments go as binary attachments. Before the connection is
     * established, it is sent right after the CONNECT.
     */
    void emit(String event, Object... args);

    /** Joins {@code room} of this namespace, until it leaves it or disconnects. */
    void join(String room);

    /** Leaves {@code room}. */
    void leave(String room);

    /** The rooms this socket is in, its own (named by its id) included. */
    Set<String> rooms();

    /** To the sockets in {@code room}, but this one ({@code socket.to(room)}). */
    Broadcast to(String room);

    /** To every socket of the namespace but this one ({@code socket.broadcast}). */
    Broadcast broadcast();

    /** This socket's namespace, every socket of it this one included. */
    IoNamespace nsp();

    /**
     * Whether the client takes what it is sent: false while its connection's send buffer is full (a client that
     * does not read). Code that sends much at its own pace waits for it before it sends more.
     */
    boolean writable();

    /** The app's own data about this socket ({@code socket.data}), kept while it is connected. */
    Map<String, Object> data();

    /** Disconnects this socket from its namespace. */
    void disconnect();
}
