package dev.cloudscope.server.io.internal.netty;

import com.corundumstudio.socketio.messages.OutPacketMessage;
import com.corundumstudio.socketio.namespace.Namespace;
import com.corundumstudio.socketio.protocol.EngineIOVersion;
import com.corundumstudio.socketio.protocol.Packet;
import com.corundumstudio.socketio.protocol.PacketType;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import java.util.Queue;

/**
 * Just before netty-socketio's encoder: takes out of an Engine.IO 3 client's queue the CONNECT of {@code /} that
 * netty-socketio sends by itself when the transport opens, before any connection middleware has run. The client's
 * {@link Connection} on {@code /} sends its own ({@link OwnConnect}) once the middleware has let it in, as for every
 * other namespace and protocol: so a 2.x client refused on {@code /} gets only the refusal, as socket.io 2 sends it,
 * not a {@code connect} first; and one let in sees {@code connect} before the auth reply.
 */
@Sharable
final class RootConnectHold extends ChannelOutboundHandlerAdapter {

    static final RootConnectHold INSTANCE = new RootConnectHold();

    /** A namespace's CONNECT that the framework sends: the one to let through. */
    static final class OwnConnect extends Packet {
        OwnConnect(EngineIOVersion version) {
            super(PacketType.MESSAGE, version);
            setSubType(PacketType.CONNECT);
        }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (msg instanceof OutPacketMessage out && Generation.of(out.getClientHead()).joinsRootAtOpen()) {
            Queue<Packet> queue = out.getClientHead().getPacketsQueue(out.getTransport());
            queue.removeIf(RootConnectHold::isProtocolsRootConnect);
        }
        super.write(ctx, msg, promise);
    }

    private static boolean isProtocolsRootConnect(Packet packet) {
        return !(packet instanceof OwnConnect) && packet.getType() == PacketType.MESSAGE
                && packet.getSubType() == PacketType.CONNECT && Namespace.DEFAULT_NAME.equals(packet.getNsp());
    }
}
