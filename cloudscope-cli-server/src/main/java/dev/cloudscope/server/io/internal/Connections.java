package dev.cloudscope.server.io.internal;

import com.corundumstudio.socketio.AckRequest;
import com.corundumstudio.socketio.SocketIOClient;
import com.corundumstudio.socketio.handler.ClientHead;
import com.corundumstudio.socketio.namespace.Namespace;
import com.corundumstudio.socketio.protocol.EngineIOVersion;
import com.corundumstudio.socketio.transport.NamespaceClient;
import dev.cloudscope.server.io.Packet;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.internal.ThreadExecutorMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live connections, by socket and namespace, and the one place where netty-socketio's events become ours.
 *
 * <p>When a connection starts depends on the protocol generation (see netty-socketio's connect flow):
 * an Engine.IO 3 client is connected to {@code /} at transport open, CONNECT already sent; every other
 * connection starts with the client's own CONNECT packet, and its CONNECT goes out only once established.
 */
final class Connections {

    private static final Logger log = LoggerFactory.getLogger(Connections.class);

    private record Key(UUID session, String namespace) {
    }

    private final Map<String, NamespaceChain> chains;
    private final Executor workers;
    private final boolean onEventLoop;
    private final String errorEvent;
    /** The current connection per socket and namespace, the one packets go to. */
    private final ConcurrentMap<Key, Connection> live = new ConcurrentHashMap<>();
    /** Every connection whose chain has not finished, also one still closing that a reconnect replaced. */
    private final Set<Connection> running = ConcurrentHashMap.newKeySet();

    /**
     * @param onEventLoop whether each connection's chains run on the event loop that opened it (else on a lane of
     *                    {@code workers})
     * @param errorEvent  the event a client is sent when one of its packets fails, or empty for none
     */
    Connections(Map<String, NamespaceChain> chains, Executor workers, boolean onEventLoop, String errorEvent) {
        this.chains = Map.copyOf(chains);
        this.workers = workers;
        this.onEventLoop = onEventLoop;
        this.errorEvent = errorEvent;
    }

    /** Whether the config has "/": then its connections, Engine.IO 3 ones included, send their own CONNECT. */
    boolean servesRoot() {
        return chains.containsKey("/");
    }

    /** netty-socketio calls the default namespace "", socket.io and our config "/". */
    static String configName(String nettyName) {
        return nettyName.isEmpty() ? "/" : nettyName;
    }

    static String nettyName(String configName) {
        return configName.equals("/") ? Namespace.DEFAULT_NAME : configName;
    }

    /** A client's CONNECT packet for {@code namespace} (Engine.IO 4: any namespace; Engine.IO 3: not {@code /}). */
    void onConnectPacket(ClientHead head, Namespace namespace) {
        Connection existing = live.get(new Key(head.getSessionId(), namespace.getName()));
        if (existing != null && existing.isConnectingOrOpen()) {
            log.debug("socket {} asked again for namespace {}; still connected", head.getSessionId(), namespace.getName());
            return;
        }
        if (!chains.containsKey(configName(namespace.getName()))) {
            // netty-socketio always has "/"; without it in config, it is a namespace like any unknown one
            IoPacketHandler.sendInvalidNamespace(head, namespace.getName());
            return;
        }
        open(head, head.addNamespaceClient(namespace), false);
    }

    /** netty-socketio's connect listener of {@code /}: the start of an Engine.IO 3 client's root connection. */
    void onRootConnect(SocketIOClient client) {
        if (EngineIOVersion.V4.equals(client.getEngineIOVersion())) {
            return; // joined to "/" at transport open without asking: its own CONNECT for "/" starts it, if it sends one
        }
        NamespaceClient namespaceClient = (NamespaceClient) client;
        open(namespaceClient.getBaseClient(), namespaceClient, true);
    }

    /** @param joinedByProtocol netty-socketio joined it at transport open (Engine.IO 3 on "/") */
    private void open(ClientHead head, NamespaceClient client, boolean joinedByProtocol) {
        NamespaceChain chain = chains.get(configName(client.getNamespace().getName()));
        slim(head);
        Connection connection = new Connection(head, client, chain, lane(), joinedByProtocol, errorEvent);
        Key key = new Key(head.getSessionId(), client.getNamespace().getName());
        running.add(connection);
        live.put(key, connection);
        connection.finished().whenComplete((ignored, failure) -> {
            live.remove(key, connection);
            running.remove(connection);
        });
        log.debug("socket {} connecting to namespace {}", head.getSessionId(), chain.name());
        connection.start();
    }

    /**
     * Where a new connection's chains run, one at a time: the event loop that is opening it (a connection opens on
     * the event loop that read its CONNECT, or its handshake), which is a sequential executor already; or a lane of
     * the worker pool.
     */
    private Executor lane() {
        if (onEventLoop) {
            EventExecutor loop = ThreadExecutorMap.currentExecutor();
            if (loop != null) {
                return loop;
            }
        }
        return new Lane(workers);
    }

    /**
     * Drops what netty-socketio keeps per client for life and we do not use (about 1 KB per client): the
     * handshake request's headers (netty-socketio reads only Origin from them, for each packet it sends), and,
     * for an Engine.IO 3 client, its PING timer (netty-socketio schedules it for every client, but only Engine.IO
     * 4 clients are pinged by the server: for 3 it only reschedules itself every pingInterval). By the time a
     * connection opens, the transport's handshake (the WebSocket upgrade included) is done with the headers.
     */
    static void slim(ClientHead head) {
        HttpHeaders headers = head.getHandshakeData().getHttpHeaders();
        if (headers.size() > 1 || headers.size() == 1 && !headers.contains(HttpHeaderNames.ORIGIN)) {
            String origin = headers.get(HttpHeaderNames.ORIGIN);
            headers.clear();
            if (origin != null) {
                headers.set(HttpHeaderNames.ORIGIN, origin);
            }
        }
        if (!EngineIOVersion.V4.equals(head.getEngineIOVersion())) {
            head.cancelPing();
        }
    }

    /** An event packet: to its connection, which runs it, holds it or drops it. */
    void onEvent(ClientHead head, Namespace namespace, String event, List<Object> args, AckRequest ack) {
        Connection connection = live.get(new Key(head.getSessionId(), namespace.getName()));
        if (connection == null) {
            log.debug("dropped '{}' from socket {}: not connected to namespace {}", event, head.getSessionId(),
                    configName(namespace.getName()));
            return;
        }
        connection.onEvent(new Packet(event, args), ack);
    }

    /** netty-socketio's disconnect listener, for every namespace. */
    void onDisconnect(SocketIOClient client) {
        Connection connection = live.get(new Key(client.getSessionId(), client.getNamespace().getName()));
        if (connection != null && connection.isFor(client)) {
            connection.onDisconnect();
        }
    }

    /** Connections whose chain has not finished yet, disconnect paths included. */
    int count() {
        return running.size();
    }

    /** Disconnects every client; completes when every connection's disconnect path has run. */
    CompletableFuture<Void> disconnectAll() {
        List<Connection> connections = List.copyOf(running);
        for (Connection connection : connections) {
            connection.closeTransport();
        }
        return CompletableFuture.allOf(connections.stream().map(Connection::finished).toArray(CompletableFuture[]::new));
    }
}
