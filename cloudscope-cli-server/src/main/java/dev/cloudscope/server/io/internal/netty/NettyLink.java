package dev.cloudscope.server.io.internal.netty;

import com.corundumstudio.socketio.handler.ClientHead;
import com.corundumstudio.socketio.transport.NamespaceClient;
import dev.cloudscope.server.io.internal.core.Link;
import io.netty.util.internal.ThreadExecutorMap;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;

/** A client's socket on one namespace, on netty-socketio: what the core's {@link Link} means on the wire. */
final class NettyLink implements Link {

    private final ClientHead head;
    private final NamespaceClient client;
    private final Generation generation;
    private final boolean joinedByProtocol;
    private final Executor eventLoop;
    private final Map<String, Object> auth;

    /**
     * @param joinedByProtocol whether netty-socketio joined the client to this namespace by itself (Engine.IO 3 on
     *                         {@code /}, at transport open): its own CONNECT is held back ({@link RootConnectHold}),
     *                         and a refusal leaves the namespace as it is until the transport ends
     * @param auth             the auth payload of the client's CONNECT for this namespace, or empty
     */
    NettyLink(NamespaceClient client, boolean joinedByProtocol, Map<String, Object> auth) {
        this.head = client.getBaseClient();
        this.client = client;
        this.generation = Generation.of(head);
        this.joinedByProtocol = joinedByProtocol;
        this.eventLoop = ThreadExecutorMap.currentExecutor(); // the event loop reading the client's CONNECT, if any
        this.auth = auth.isEmpty() ? Map.of() : Collections.unmodifiableMap(auth);
    }

    @Override
    public String sessionId() {
        return head.getSessionId().toString();
    }

    @Override
    public String namespace() {
        return RootName.toConfig(client.getNamespace().getName());
    }

    @Override
    public Map<String, List<String>> query() {
        return head.getHandshakeData().getUrlParams();
    }

    @Override
    public Map<String, Object> auth() {
        return auth;
    }

    @Override
    public String remoteAddress() {
        return String.valueOf(head.getRemoteAddress());
    }

    @Override
    public Executor eventLoop() {
        return eventLoop;
    }

    @Override
    public boolean writable() {
        return head.isWritable() || !head.isConnected(); // a client that has gone takes nothing: waiting is pointless
    }

    @Override
    public void connect() {
        head.send(generation.connect(client.getNamespace().getName(), head.getSessionId()));
    }

    @Override
    public void refuse(String reason) {
        head.send(generation.connectError(client.getNamespace().getName(), reason));
        // never connected: nothing more to tell the client. The session stays: the same client may still ask for
        // other namespaces, each with its own middleware.
        if (!joinedByProtocol) {
            forget();
        }
        // else (Engine.IO 3 on "/"), as socket.io 2: the refusal alone, and the namespace is left as the protocol
        // joined it until the transport ends; leaving it now would end a session whose only namespace it is before
        // a polling client has fetched its refusal
    }

    @Override
    public void emit(String event, Object[] args) {
        client.sendEvent(event, args);
    }

    @Override
    public void leave() {
        client.disconnect(); // sends the namespace's DISCONNECT; netty-socketio leaves the rest to the client
        forget();            // so we do not wait for a client that may never answer
    }

    /**
     * Out of the namespace, and the core told (netty-socketio's disconnect listener), the session kept: socket.io
     * keeps a client's connection when it leaves a namespace, its last one too. netty-socketio's own way out
     * (NamespaceClient.onDisconnect) ends the whole session with the last namespace, Engine.IO 3 keeps it.
     */
    private void forget() {
        if (generation == Generation.V4) {
            client.getNamespace().onDisconnect(client);
        } else {
            client.onDisconnect();
        }
    }

    @Override
    public void close() {
        head.disconnect();
    }

    /** The same transport client: a client that asks for a namespace again gets a new one. */
    @Override
    public boolean equals(Object other) {
        return other instanceof NettyLink link && link.client == client;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(client);
    }

    @Override
    public String toString() {
        return sessionId() + " on " + namespace();
    }
}
