package dev.cloudscope.server.io.internal.netty;

import com.corundumstudio.socketio.Transport;
import com.corundumstudio.socketio.handler.ClientHead;
import com.corundumstudio.socketio.handler.ClientsBox;
import com.corundumstudio.socketio.protocol.Packet;
import com.corundumstudio.socketio.protocol.PacketType;
import io.netty.channel.Channel;
import java.util.UUID;

/**
 * netty-socketio's Engine.IO sessions as engine.io sees them: the live session a sid names, the channel bound to each
 * of its transports, and ending one as engine.io ends a session on a transport error.
 */
final class Sessions {

    /** The channel netty-socketio has bound to a session's transport, or null (it keeps them private). */
    @FunctionalInterface
    interface TransportChannels {
        Channel of(ClientHead session, Transport transport);
    }

    private final ClientsBox box;
    private final TransportChannels channels;

    Sessions(ClientsBox box, TransportChannels channels) {
        this.box = box;
        this.channels = channels;
    }

    /** The session {@code sid} names, unless it has ended (netty-socketio may keep an ended one in its box). */
    ClientHead live(String sid) {
        UUID id;
        try {
            id = UUID.fromString(sid);
        } catch (IllegalArgumentException notAUuid) {
            return null;
        }
        ClientHead session = box.get(id);
        return session != null && session.isConnected() ? session : null;
    }

    /** The channel bound to {@code session}'s {@code transport}, or null. */
    Channel channel(ClientHead session, Transport transport) {
        return channels.of(session, transport);
    }

    /**
     * Ends {@code session}: a pending poll is answered with a close packet, a WebSocket is closed, and the session's
     * disconnect path runs (netty-socketio's own, which closes no channel).
     */
    void end(ClientHead session) {
        session.setLastBinaryPacket(null);
        session.send(new Packet(PacketType.CLOSE, session.getEngineIOVersion()), Transport.POLLING);
        Channel webSocket = channels.of(session, Transport.WEBSOCKET);
        if (webSocket != null) {
            webSocket.close();
        }
        session.onChannelDisconnect();
    }
}
