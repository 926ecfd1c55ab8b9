package dev.cloudscope.server.io;

import java.util.List;
import java.util.Map;

/** A client's socket on one namespace ({@code ctx.socket}). Safe to use from any thread. */
public interface IoSocket {

    /** The Engine.IO session id, shared by all namespaces of one client. */
    String id();

    /** The namespace this socket is connected to, e.g. {@code /chat}. */
    String namespace();

    /** The handshake's query parameters ({@code socket.handshake.query}). */
    Map<String, List<String>> handshakeQuery();

    /** The auth payload a socket.io v4 client sent with its CONNECT ({@code socket.handshake.auth}); empty if none. */
    Map<String, Object> auth();

    /** The client's address, e.g. {@code /127.0.0.1:50312}. */
    String remoteAddress();

    /** Sends an event to this socket. Before the connection is established, it is sent right after the CONNECT. */
    void emit(String event, Object... args);

    /** Disconnects this socket from its namespace. */
    void disconnect();
}
