package dev.cloudscope.server.io.internal.core;

import dev.cloudscope.server.io.Packet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live connections, by session and namespace: what the transport tells the core (a client asks for a
 * namespace, sends an event, leaves) becomes a {@link Connection}'s business here.
 */
public final class Connections {

    private static final Logger log = LoggerFactory.getLogger(Connections.class);

    /** What became of a client's request for a namespace. */
    public enum Admission {
        /** Its connection middleware runs; the CONNECT or the refusal goes out through its link. */
        STARTED,
        /** The client is connected to it, or connecting, already. */
        ALREADY_CONNECTED,
        /** Config has no such namespace. */
        UNKNOWN_NAMESPACE
    }

    private record Key(String session, String namespace) {
    }

    private final Map<String, NamespaceChain> chains;
    private final Executor workers;
    private final boolean onEventLoop;
    private final String errorEvent;
    private final Rooms rooms;
    private final LocalSockets sockets;
    /** The current connection per socket and namespace, the one packets go to. */
    private final ConcurrentMap<Key, Connection> live = new ConcurrentHashMap<>();
    /** Every connection whose chain has not finished, also one still closing that a reconnect replaced. */
    private final Set<Connection> running = ConcurrentHashMap.newKeySet();

    /**
     * @param onEventLoop whether each connection's chains run on its link's event loop (else on a lane of
     *                    {@code workers})
     * @param errorEvent  the event a client is sent when one of its packets fails, or empty for none
     */
    public Connections(Map<String, NamespaceChain> chains, Executor workers, boolean onEventLoop, String errorEvent,
                       Rooms rooms, LocalSockets sockets) {
        this.chains = Map.copyOf(chains);
        this.workers = workers;
        this.onEventLoop = onEventLoop;
        this.errorEvent = errorEvent;
        this.rooms = rooms;
        this.sockets = sockets;
    }

    /** Whether config has {@code namespace}. */
    public boolean serves(String namespace) {
        return chains.containsKey(namespace);
    }

    /** A client asks for its link's namespace: its connection middleware starts, unless it is there already. */
    public Admission connect(Link link) {
        NamespaceChain chain = chains.get(link.namespace());
        if (chain == null) {
            return Admission.UNKNOWN_NAMESPACE;
        }
        Key key = new Key(link.sessionId(), link.namespace());
        Connection created = new Connection(link, chain, lane(link), rooms, errorEvent);
        // one step: two CONNECTs of one client read at once on two threads must not both start a connection
        Connection connection = live.compute(key, (k, old) -> old != null && old.isConnectingOrOpen() ? old : created);
        if (connection != created) {
            return Admission.ALREADY_CONNECTED;
        }
        running.add(connection);
        sockets.add(connection);
        connection.socket().joinOwnRoom();
        connection.finished().whenComplete((ignored, failure) -> {
            live.remove(key, connection);
            running.remove(connection);
            sockets.remove(connection);
        });
        log.debug("socket {} connecting to namespace {}", link.sessionId(), link.namespace());
        connection.start();
        return Admission.STARTED;
    }

    /**
     * Where a new connection's chains run, one at a time: the event loop that serves its transport, which is a
     * sequential executor already; or a lane of the worker pool.
     */
    private Executor lane(Link link) {
        if (onEventLoop && link.eventLoop() != null) {
            return link.eventLoop();
        }
        return new Lane(workers);
    }

    /** Whether the client has a connection to {@code namespace}, connecting or open. */
    public boolean isConnected(String sessionId, String namespace) {
        Connection connection = live.get(new Key(sessionId, namespace));
        return connection != null && connection.isConnectingOrOpen();
    }

    /** Whether the client has a connection to any namespace, connecting or open. */
    public boolean isConnectedAnywhere(String sessionId) {
        return sockets.hasSession(sessionId);
    }

    /**
     * An event packet: to its connection, which runs it, holds it or drops it.
     *
     * @return false if the client has no connection to the namespace
     */
    public boolean event(String sessionId, String namespace, Packet packet, Ack ack) {
        Connection connection = live.get(new Key(sessionId, namespace));
        if (connection == null) {
            log.debug("dropped '{}' from socket {}: not connected to namespace {}", packet.event(), sessionId, namespace);
            return false;
        }
        connection.onEvent(packet, ack);
        return true;
    }

    /** The client behind {@code link} left its namespace, or its transport closed. */
    public void disconnected(Link link) {
        Connection connection = live.get(new Key(link.sessionId(), link.namespace()));
        if (connection != null && connection.link().equals(link)) {
            connection.onDisconnect();
            sockets.remove(connection); // no longer one of the namespace's sockets, whatever its packets in flight
        }
    }

    /** Connections whose chain has not finished yet, disconnect paths included. */
    public int count() {
        return running.size();
    }

    /** Disconnects every client; completes when every connection's disconnect path has run. */
    public CompletableFuture<Void> disconnectAll() {
        List<Connection> connections = List.copyOf(running);
        for (Connection connection : connections) {
            connection.closeTransport();
        }
        return CompletableFuture.allOf(connections.stream().map(Connection::finished).toArray(CompletableFuture[]::new));
    }
}
