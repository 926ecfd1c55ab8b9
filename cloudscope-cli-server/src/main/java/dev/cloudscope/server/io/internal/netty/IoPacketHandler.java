package dev.cloudscope.server.io.internal.netty;

import com.corundumstudio.socketio.AckRequest;
import com.corundumstudio.socketio.Transport;
import com.corundumstudio.socketio.ack.AckManager;
import com.corundumstudio.socketio.handler.ClientHead;
import com.corundumstudio.socketio.handler.InPacketHandler;
import com.corundumstudio.socketio.listener.ExceptionListener;
import com.corundumstudio.socketio.messages.PacketsMessage;
import com.corundumstudio.socketio.namespace.Namespace;
import com.corundumstudio.socketio.namespace.NamespacesHub;
import com.corundumstudio.socketio.protocol.Packet;
import com.corundumstudio.socketio.protocol.PacketDecoder;
import com.corundumstudio.socketio.protocol.PacketType;
import com.corundumstudio.socketio.transport.NamespaceClient;
import dev.cloudscope.server.io.internal.core.Connections;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.EventExecutor;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * netty-socketio's inbound packet handler. What Engine.IO 4 clients send is read by {@link EngineIo4Reader}. For
 * Engine.IO 3 clients (socket.io-client 2.x), netty-socketio's decoder stays, with the two packets that carry our
 * semantics taken over:
 * <ul>
 *   <li>CONNECT: netty-socketio answers it before (Engine.IO 4) or after (Engine.IO 3) running connect listeners,
 *       at once; we answer it only once the namespace's connection middleware has let the client in.
 *   <li>EVENT: netty-socketio drops events nobody listens to and acks as soon as a listener returns; we hand
 *       every event to its connection, which runs the packet middleware and the routed controller.
 * </ul>
 * Every other packet (ping, pong, ack, disconnect, upgrade, close) goes to netty-socketio's own listener; an
 * upgrade probe also starts a {@link PollingNudge}, and a close also answers a pending poll.
 */
final class IoPacketHandler extends InPacketHandler {

    private static final Logger log = LoggerFactory.getLogger(IoPacketHandler.class);

    private final NettyParts netty;
    private final ClientEvents clients;
    private final Connections connections;
    private final EngineIo4Reader engineIo4;

    IoPacketHandler(NettyParts netty, NamespacesHub namespacesHub, ExceptionListener exceptionListener,
                    ClientEvents clients, Connections connections, Sessions sessions) {
        super(netty.packetListener(), netty.decoder(), namespacesHub, exceptionListener);
        this.netty = netty;
        this.clients = clients;
        this.connections = connections;
        this.engineIo4 = new EngineIo4Reader(netty, clients, connections, sessions);
    }

    /** netty-socketio's packet decoding and handling, created by its channel initializer. */
    record NettyParts(com.corundumstudio.socketio.handler.PacketListener packetListener, PacketDecoder decoder,
                      AckManager ackManager, NamespacesHub namespacesHub) {
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, PacketsMessage message) {
        ClientHead client = message.getClient();
        if (Generation.of(client) == Generation.V4) {
            engineIo4.read(ctx, message);
            return;
        }
        // Engine.IO 3: netty-socketio's decoder, with the fixes below
        ByteBuf content = message.getContent();
        Packet waiting = waitingForAttachments(client);
        boolean frame = message instanceof WebSocketFrames.Frame;
        boolean binary = frame && ((WebSocketFrames.Frame) message).binary();
        if (binary && waiting != null) {
            // an attachment, bytes as they are: not to be cut at \u001e or read as a packet's header
            try {
                handle(netty.decoder().decodePackets(content, client), client, message, ctx.executor());
            } catch (Exception e) {
                dropped(client, e);
            }
            return;
        }
        if (frame && !binary && waiting != null) {
            // netty-socketio's decoder would take this text frame for an attachment. A socket.io packet means the
            // attachments are not coming: the binary packet is dropped and this one served. An Engine.IO packet (a
            // ping, a pong) may come in between: it is served, and the binary packet still waits.
            boolean socketIoPacket = content.isReadable() && content.getByte(content.readerIndex()) == '4';
            if (socketIoPacket) {
                log.warn("dropped a binary packet from socket {} ({}): a text packet came before its attachments",
                        client.getSessionId(), client.getRemoteAddress());
            }
            client.setLastBinaryPacket(null);
            try {
                read(ctx, message, content, client);
            } finally {
                if (!socketIoPacket) {
                    client.setLastBinaryPacket(waiting);
                }
            }
            return;
        }
        read(ctx, message, content, client);
    }

    private void read(ChannelHandlerContext ctx, PacketsMessage message, ByteBuf content, ClientHead client) {
        while (content.isReadable()) {
            // One packet at a time: netty-socketio's decoder copies each packet after the first out of a message
            // that joins several with \u001e, and never releases the copy (a leak per packet). A raw \u001e cannot
            // occur inside a valid packet (JSON escapes control characters), so cutting there is safe.
            int separator = content.bytesBefore(RECORD_SEPARATOR);
            ByteBuf one = separator < 0 ? content : content.readSlice(separator);
            long attachments = declaredAttachments(one);
            if (attachments > MAX_ATTACHMENTS) {
                // every later frame would be taken for one of them, and kept: refused before it waits for any
                log.warn("dropped a binary packet from socket {} ({}): it declares {} attachments (at most {})",
                        client.getSessionId(), client.getRemoteAddress(), attachments, MAX_ATTACHMENTS);
                return;
            }
            try {
                while (one.isReadable()) {
                    Packet packet = netty.decoder().decodePackets(one, client);
                    if (!handle(packet, client, message, ctx.executor())) {
                        return;
                    }
                }
            } catch (Exception e) {
                dropped(client, e);
                return;
            }
            if (separator >= 0) {
                content.skipBytes(1);
            }
        }
    }

    private static final byte RECORD_SEPARATOR = 0x1E;

    /**
     * The most attachments a binary packet may declare: each is one more frame of up to io.maxPayloadBytes, held
     * until the last one arrives; socket.io clients send one per binary argument.
     */
    static final int MAX_ATTACHMENTS = 64;

    /** The attachment count a binary event or ack ({@code 45N-}, {@code 46N-}) declares, else 0. */
    private static long declaredAttachments(ByteBuf packet) {
        int from = packet.readerIndex();
        if (packet.readableBytes() < 3 || packet.getByte(from) != '4'
                || packet.getByte(from + 1) != '5' && packet.getByte(from + 1) != '6') {
            return 0;
        }
        long count = 0;
        for (int i = from + 2; i < packet.writerIndex() && i < from + 22; i++) {
            byte b = packet.getByte(i);
            if (b == '-') {
                return count;
            }
            if (b < '0' || b > '9') {
                return 0; // not a count: the decoder judges the packet
            }
            count = count * 10 + (b - '0');
        }
        return count; // digits only, or too many of them: a count too large in any case
    }

    /**
     * A client's bad packet: the rest of its message is dropped; the operator gets one line (the kind of error
     * only: parser messages quote the content, which may hold a token); everyone is still served.
     */
    private static void dropped(ClientHead client, Exception e) {
        log.warn("dropped a malformed packet from socket {} ({}): {}", client.getSessionId(),
                client.getRemoteAddress(), rootCause(e).getClass().getSimpleName());
        log.debug("the malformed packet's error", e);
    }

    /** The binary packet still waiting for attachments from {@code client}, or null. */
    private static Packet waitingForAttachments(ClientHead client) {
        Packet last = client.getLastBinaryPacket();
        return last != null && last.hasAttachments() && !last.isAttachmentsLoaded() ? last : null;
    }

    private static Throwable rootCause(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root;
    }

    /** @return false when the rest of the message must be dropped, as netty-socketio does */
    private boolean handle(Packet packet, ClientHead client, PacketsMessage message, EventExecutor executor) {
        Namespace namespace = netty.namespacesHub().get(packet.getNsp());
        boolean connect = packet.getType() == PacketType.MESSAGE && packet.getSubType() == PacketType.CONNECT;
        if (namespace == null) {
            if (connect) {
                client.send(Generation.of(client).connectError(packet.getNsp(), "Invalid namespace"));
            } else {
                log.debug("no namespace {} for socket {}", packet.getNsp(), client.getSessionId());
            }
            return false;
        }
        if (connect && !packet.getNsp().isEmpty()) { // "/" is joined by the protocol at transport open
            client.schedulePingTimeout();
            clients.onConnectPacket(client, namespace, Map.of());
            return true;
        }
        NamespaceClient namespaceClient = client.getChildClient(namespace);
        if (namespaceClient == null) {
            log.debug("socket {} is not in namespace {}", client.getSessionId(), packet.getNsp());
            return false;
        }
        if (packet.hasAttachments() && !packet.isAttachmentsLoaded()) {
            return false;
        }
        if (packet.getType() == PacketType.MESSAGE
                && (packet.getSubType() == PacketType.EVENT || packet.getSubType() == PacketType.BINARY_EVENT)) {
            client.schedulePingTimeout();
            if (packet.isAckRequested()) {
                netty.ackManager().initAckIndex(client.getSessionId(), packet.getAckId());
            }
            List<Object> args = packet.getData() == null ? List.of() : packet.getData();
            AckRequest ack = new AckRequest(packet, namespaceClient);
            connections.event(client.getSessionId().toString(), RootName.toConfig(namespace.getName()),
                    new dev.cloudscope.server.io.Packet(packet.getName(), args), ack::sendAckData);
            return true;
        }
        netty.packetListener().onPacket(packet, namespaceClient, message.getTransport());
        if (packet.getType() == PacketType.PING && "probe".equals(packet.getData())) {
            PollingNudge.start(client, executor);
        } else if (packet.getType() == PacketType.CLOSE) {
            // netty-socketio leaves a poll that is still pending unanswered, so the client's request (and
            // the client, waiting for it) hangs; engine.io answers it, and so do we
            client.send(Generation.of(client).noop(), Transport.POLLING);
        }
        return true;
    }
}
