package dev.cloudscope.server.io.internal.netty;

import com.corundumstudio.socketio.SocketIOClient;
import com.corundumstudio.socketio.handler.ClientHead;
import com.corundumstudio.socketio.namespace.Namespace;
import com.corundumstudio.socketio.transport.NamespaceClient;
import dev.cloudscope.server.io.internal.core.Connections;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.internal.ThreadExecutorMap;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What netty-socketio tells of a client's namespaces, passed on to the core as {@link NettyLink}s.
 *
 * <p>When a connection starts depends on the protocol generation (see netty-socketio's connect flow): an Engine.IO 3
 * client is connected to {@code /} at transport open; every other connection starts with the client's own CONNECT
 * packet. Either way its CONNECT goes out only once the core has let it in.
 */
final class ClientEvents {

    private static final Logger log = LoggerFactory.getLogger(ClientEvents.class);

    private final Connections connections;
    private final Duration connectTimeout;

    ClientEvents(Connections connections, Duration connectTimeout) {
        this.connections = connections;
        this.connectTimeout = connectTimeout;
    }

    /** Whether config has "/": then its connections, Engine.IO 3 ones included, send their own CONNECT. */
    boolean servesRoot() {
        return connections.serves("/");
    }

    /**
     * A client's CONNECT packet for {@code namespace} (Engine.IO 4: any namespace; Engine.IO 3: not {@code /}).
     *
     * @param auth the CONNECT's auth payload (socket.io v5), or empty
     */
    void onConnectPacket(ClientHead head, Namespace namespace, Map<String, Object> auth) {
        if (!connections.serves(RootName.toConfig(namespace.getName()))) {
            // netty-socketio always has "/"; without it in config, it is a namespace like any unknown one
            head.send(Generation.of(head).connectError(namespace.getName(), "Invalid namespace"));
            return;
        }
        if (connections.isConnected(head.getSessionId().toString(), RootName.toConfig(namespace.getName()))) {
            log.debug("socket {} asked again for namespace {}; still connected", head.getSessionId(), namespace.getName());
            return;
        }
        slim(head);
        connections.connect(new NettyLink(head.addNamespaceClient(namespace), false, auth));
    }

    /**
     * netty-socketio's connect listener of {@code /}, run at every transport open: the start of an Engine.IO 3
     * client's root connection. An Engine.IO 4 client is put in "/" too without asking: its own CONNECT starts its
     * connection, and if none comes within io.connectTimeout, the client is closed (as socket.io does).
     */
    void onTransportOpen(SocketIOClient client) {
        NamespaceClient namespaceClient = (NamespaceClient) client;
        ClientHead head = namespaceClient.getBaseClient();
        if (!Generation.of(head).joinsRootAtOpen()) {
            closeUnlessConnected(head);
        } else if (servesRoot()) {
            slim(head);
            connections.connect(new NettyLink(namespaceClient, true, Map.of()));
        }
    }

    private void closeUnlessConnected(ClientHead head) {
        EventExecutor loop = ThreadExecutorMap.currentExecutor();
        if (loop == null) {
            return;
        }
        loop.schedule(() -> {
            if (head.isConnected() && !connections.isConnectedAnywhere(head.getSessionId().toString())) {
                log.debug("closing socket {} ({}): no namespace within {}", head.getSessionId(), head.getRemoteAddress(),
                        connectTimeout);
                head.disconnect();
            }
        }, connectTimeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** netty-socketio's disconnect listener, for every namespace. */
    void onDisconnect(SocketIOClient client) {
        connections.disconnected(new NettyLink((NamespaceClient) client, false, Map.of()));
    }

    /**
     * Drops what netty-socketio keeps per client for life and we do not use (about 1 KB per client): the
     * handshake request's headers (netty-socketio reads only Origin from them, for each packet it sends), and,
     * for an Engine.IO 3 client, its PING timer (netty-socketio schedules it for every client, but only Engine.IO
     * 4 clients are pinged by the server: for 3 it only reschedules itself every pingInterval). By the time a
     * connection opens, the transport's handshake (the WebSocket upgrade included) is done with the headers.
     */
    private static void slim(ClientHead head) {
        HttpHeaders headers = head.getHandshakeData().getHttpHeaders();
        if (headers.size() > 1 || headers.size() == 1 && !headers.contains(HttpHeaderNames.ORIGIN)) {
            String origin = headers.get(HttpHeaderNames.ORIGIN);
            headers.clear();
            if (origin != null) {
                headers.set(HttpHeaderNames.ORIGIN, origin);
            }
        }
        if (Generation.of(head) == Generation.V3) {
            head.cancelPing();
        }
    }
}
