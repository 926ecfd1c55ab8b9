package dev.cloudscope.server.io.internal.core;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * Where the core meets the transport: one client's socket on one namespace, as the adapter hands it over. The core
 * decides <em>when</em> (connection middleware first, the CONNECT once it let the client in); the link knows
 * <em>how</em> each thing goes on the wire for the client's protocol generation.
 *
 * <p>Two links are equal when they stand for the same transport client: a client that leaves a namespace and asks
 * for it again gets a new one.
 */
public interface Link {

    /** The client's session id, shared by its sockets on every namespace. */
    String sessionId();

    /** The namespace, as config names it ({@code /}, {@code /chat}). */
    String namespace();

    /** The handshake's query parameters. */
    Map<String, List<String>> query();

    /** The auth payload of the client's CONNECT (socket.io v5), or empty. */
    Map<String, Object> auth();

    /** The client's address, e.g. {@code /127.0.0.1:50312}. */
    String remoteAddress();

    /** The sequential executor that serves this client's transport (its event loop), or null if there is none. */
    Executor eventLoop();

    /** Whether the client's transport takes more now (its send buffer is not full). */
    boolean writable();

    /** Lets the client in: the namespace's CONNECT. */
    void connect();

    /** Keeps the client out: a connect error with {@code reason}. */
    void refuse(String reason);

    /** Sends an event; {@code byte[]} arguments (also nested in maps and lists) go as binary attachments. */
    void emit(String event, Object[] args);

    /** Leaves the namespace: tells the client; the core's disconnect path for it follows. */
    void leave();

    /** Closes the client's whole transport, every namespace of it. */
    void close();
}
