package dev.cloudscope.server.io.internal.netty;

import com.corundumstudio.socketio.AckRequest;
import com.corundumstudio.socketio.Transport;
import com.corundumstudio.socketio.handler.ClientHead;
import com.corundumstudio.socketio.messages.PacketsMessage;
import com.corundumstudio.socketio.namespace.Namespace;
import com.corundumstudio.socketio.protocol.Packet;
import com.corundumstudio.socketio.protocol.PacketType;
import com.corundumstudio.socketio.transport.NamespaceClient;
import dev.cloudscope.server.io.internal.core.Connections;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an Engine.IO 4 client sends (socket.io-client 3.x and 4.x, the Java client 2.x), read as the Engine.IO v4
 * and socket.io v5 documents state it: Engine.IO packets (a WebSocket text frame each, or separated by
 * {@code \u001e} in a polling body), the socket.io packets inside their messages, and binary attachments (WebSocket
 * binary frames, or {@code b} + base64 over polling). A packet that breaks the protocol closes the connection, as
 * socket.io 4 does. netty-socketio's own decoder, which takes {@code 4abc} for a DISCONNECT and {@code abc} for an
 * ack id, reads Engine.IO 3 clients only.
 */
final class EngineIo4Reader {

    private static final Logger log = LoggerFactory.getLogger(EngineIo4Reader.class);

    private static final byte RECORD_SEPARATOR = 0x1E;

    /** A binary event or ack waiting for its attachments, kept where netty-socketio keeps its own: on the client. */
    private static final class PendingBinary extends Packet {
        final SocketIoPacket packet;
        final List<byte[]> attachments = new ArrayList<>();

        PendingBinary(SocketIoPacket packet) {
            super(PacketType.MESSAGE, Generation.V4.engineIo());
            this.packet = packet;
        }
    }

    private final IoPacketHandler.NettyParts netty;
    private final ClientEvents clients;
    private final Connections connections;
    private final Sessions sessions;

    EngineIo4Reader(IoPacketHandler.NettyParts netty, ClientEvents clients, Connections connections, Sessions sessions) {
        this.netty = netty;
        this.clients = clients;
        this.connections = connections;
        this.sessions = sessions;
    }

    void read(ChannelHandlerContext ctx, PacketsMessage message) {
        ClientHead client = message.getClient();
        ByteBuf content = message.getContent();
        try {
            if (message instanceof WebSocketFrames.Frame frame) {
                if (frame.binary()) {
                    attachment(client, ByteBufUtil.getBytes(content));
                } else {
                    engineIoPacket(ctx, client, content.toString(StandardCharsets.UTF_8), Transport.WEBSOCKET);
                }
                return;
            }
            while (content.isReadable() && client.isConnected()) {
                int separator = content.bytesBefore(RECORD_SEPARATOR);
                ByteBuf one = separator < 0 ? content.readSlice(content.readableBytes()) : content.readSlice(separator);
                if (separator >= 0) {
                    content.skipBytes(1);
                }
                if (one.isReadable() && one.getByte(one.readerIndex()) == 'b') {
                    attachment(client, base64(one.skipBytes(1)));
                } else {
                    engineIoPacket(ctx, client, one.toString(StandardCharsets.UTF_8), message.getTransport());
                }
            }
        } catch (SocketIoPacket.Invalid e) {
            close(client, e.getMessage());
        }
    }

    /**
     * Why a polling body is not a well-formed Engine.IO 4 payload, or null if it is: checked before the POST is
     * answered, so that a bad one gets 400 (netty-socketio answers "ok" before it reads the body).
     */
    static String problemWith(ByteBuf body) {
        int from = body.readerIndex();
        int end = body.writerIndex();
        while (from <= end) {
            int separator = body.indexOf(from, end, RECORD_SEPARATOR);
            int to = separator < 0 ? end : separator;
            String packet = body.toString(from, to - from, StandardCharsets.UTF_8);
            try {
                if (packet.startsWith("b")) {
                    Base64.getDecoder().decode(packet.substring(1));
                } else if (packet.startsWith("4")) {
                    SocketIoPacket.parse(packet.substring(1));
                } else if (packet.isEmpty() || "123456".indexOf(packet.charAt(0)) < 0) {
                    return "an unknown Engine.IO packet type";
                }
            } catch (SocketIoPacket.Invalid e) {
                return e.getMessage();
            } catch (IllegalArgumentException e) {
                return "a binary packet that is not base64";
            }
            if (separator < 0) {
                break;
            }
            from = separator + 1;
        }
        return null;
    }

    private static byte[] base64(ByteBuf text) throws SocketIoPacket.Invalid {
        try {
            return Base64.getDecoder().decode(text.toString(StandardCharsets.US_ASCII));
        } catch (IllegalArgumentException e) {
            throw new SocketIoPacket.Invalid("a binary packet that is not base64");
        }
    }

    /** One Engine.IO packet: its type, then its data. */
    private void engineIoPacket(ChannelHandlerContext ctx, ClientHead client, String packet, Transport transport)
            throws SocketIoPacket.Invalid {
        char type = packet.isEmpty() ? ' ' : packet.charAt(0);
        switch (type) {
            case '1' -> { // close: the session ends, a pending poll is answered, a WebSocket closed
                if (transport == Transport.POLLING) {
                    client.send(Generation.V4.noop(), Transport.POLLING);
                }
                toNetty(client, new Packet(PacketType.CLOSE, Generation.V4.engineIo()), transport);
                if (transport == Transport.WEBSOCKET) {
                    ctx.channel().close();
                }
            }
            case '2' -> { // a client pings only to probe a WebSocket it upgrades to
                if (!packet.equals("2probe")) {
                    throw new SocketIoPacket.Invalid("a ping from the client (Engine.IO 4 servers ping, clients answer)");
                }
                Packet ping = new Packet(PacketType.PING, Generation.V4.engineIo());
                ping.setData("probe");
                toNetty(client, ping, transport);
                PollingNudge.start(client, ctx.executor());
            }
            case '3' -> toNetty(client, new Packet(PacketType.PONG, Generation.V4.engineIo()), transport);
            case '4' -> socketIoPacket(client, SocketIoPacket.parse(packet.substring(1)));
            case '5' -> toNetty(client, new Packet(PacketType.UPGRADE, Generation.V4.engineIo()), transport);
            case '6' -> { } // noop
            default -> throw new SocketIoPacket.Invalid("an unknown Engine.IO packet type");
        }
    }

    /** Engine.IO's own packets (heartbeat, upgrade, close) stay netty-socketio's. */
    private void toNetty(ClientHead client, Packet packet, Transport transport) {
        NamespaceClient anchor = client.getChildClient(netty.namespacesHub().get(RootName.toNetty("/")));
        if (anchor != null) {
            netty.packetListener().onPacket(packet, anchor, transport);
        }
    }

    private void socketIoPacket(ClientHead client, SocketIoPacket packet) throws SocketIoPacket.Invalid {
        if (client.getLastBinaryPacket() instanceof PendingBinary) {
            throw new SocketIoPacket.Invalid("a packet before the attachments of a binary one");
        }
        client.schedulePingTimeout(); // any message shows the client is alive, as in netty-socketio
        switch (packet.type()) {
            case CONNECT -> connect(client, packet);
            case DISCONNECT -> leave(client, packet);
            case EVENT, ACK -> dispatch(client, packet, List.of());
            case BINARY_EVENT, BINARY_ACK -> {
                if (packet.attachments() == 0) {
                    dispatch(client, packet, List.of());
                } else {
                    client.setLastBinaryPacket(new PendingBinary(packet));
                }
            }
            case CONNECT_ERROR -> throw new SocketIoPacket.Invalid("a CONNECT_ERROR from the client");
        }
    }

    private void attachment(ClientHead client, byte[] bytes) throws SocketIoPacket.Invalid {
        if (!(client.getLastBinaryPacket() instanceof PendingBinary pending)) {
            throw new SocketIoPacket.Invalid("binary data with no binary packet waiting for it");
        }
        pending.attachments.add(bytes);
        if (pending.attachments.size() == pending.packet.attachments()) {
            client.setLastBinaryPacket(null);
            dispatch(client, pending.packet, pending.attachments);
        }
    }

    @SuppressWarnings("unchecked")
    private void connect(ClientHead client, SocketIoPacket packet) throws SocketIoPacket.Invalid {
        Namespace namespace = netty.namespacesHub().get(RootName.toNetty(packet.namespace()));
        if (namespace == null || !connections.serves(packet.namespace())) {
            client.send(Generation.V4.connectError(RootName.toNetty(packet.namespace()), "Invalid namespace"));
            return;
        }
        if (connections.isConnected(client.getSessionId().toString(), packet.namespace())) {
            throw new SocketIoPacket.Invalid("a CONNECT to " + packet.namespace() + ", already connected");
        }
        Map<String, Object> auth = packet.data() == null ? Map.of() : (Map<String, Object>) packet.data();
        clients.onConnectPacket(client, namespace, auth);
    }

    private void leave(ClientHead client, SocketIoPacket packet) throws SocketIoPacket.Invalid {
        NamespaceClient socket = connectedSocket(client, packet);
        socket.getNamespace().onDisconnect(socket); // the disconnect listener tells the core; the session stays
    }

    private void dispatch(ClientHead client, SocketIoPacket packet, List<byte[]> attachments) throws SocketIoPacket.Invalid {
        NamespaceClient socket = connectedSocket(client, packet);
        if (packet.type() == SocketIoPacket.Type.ACK || packet.type() == SocketIoPacket.Type.BINARY_ACK) {
            log.debug("ignored an ack from socket {}: the server asks for none", client.getSessionId());
            return;
        }
        List<Object> args = packet.arguments(attachments);
        Packet answered = new Packet(PacketType.MESSAGE, Generation.V4.engineIo());
        answered.setSubType(PacketType.EVENT);
        answered.setAckId(packet.ackId());
        AckRequest ack = new AckRequest(answered, socket);
        connections.event(client.getSessionId().toString(), packet.namespace(),
                new dev.cloudscope.server.io.Packet(packet.eventName(), args), ack::sendAckData);
    }

    /** The client's socket on the packet's namespace; a packet for a namespace it is not in breaks the protocol. */
    private NamespaceClient connectedSocket(ClientHead client, SocketIoPacket packet) throws SocketIoPacket.Invalid {
        Namespace namespace = netty.namespacesHub().get(RootName.toNetty(packet.namespace()));
        NamespaceClient socket = namespace == null ? null : client.getChildClient(namespace);
        if (socket == null || !connections.isConnected(client.getSessionId().toString(), packet.namespace())) {
            throw new SocketIoPacket.Invalid("a " + packet.type() + " packet for " + packet.namespace()
                    + ", which the client is not connected to");
        }
        return socket;
    }

    /** Ends a client that broke the protocol: an Engine.IO close to it, then its transport and session. */
    private void close(ClientHead client, String reason) {
        logClosed(client, reason);
        sessions.end(client);
    }

    /** The one line an operator gets for a client that broke the protocol: what it did, never what it sent. */
    static void logClosed(ClientHead client, String reason) {
        log.warn("closed the connection of socket {} ({}): it sent {}", client.getSessionId(), client.getRemoteAddress(),
                reason);
    }
}
