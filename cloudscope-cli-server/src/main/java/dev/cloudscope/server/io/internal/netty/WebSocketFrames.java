package dev.cloudscope.server.io.internal.netty;

import com.corundumstudio.socketio.Transport;
import com.corundumstudio.socketio.handler.ClientHead;
import com.corundumstudio.socketio.handler.ClientsBox;
import com.corundumstudio.socketio.messages.PacketsMessage;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;

/**
 * Just before netty-socketio's WebSocket transport: turns a text or binary frame into a {@link Frame}, which,
 * unlike netty-socketio's {@code PacketsMessage}, remembers which of the two it was. Socket.io sends a binary
 * event's attachments as binary frames and everything else as text; netty-socketio's decoder takes whatever follows
 * a binary event for its attachments.
 */
@Sharable
final class WebSocketFrames extends ChannelInboundHandlerAdapter {

    /** A WebSocket message, with its frame kind. */
    static final class Frame extends PacketsMessage {

        private final boolean binary;

        Frame(ClientHead client, ByteBuf content, boolean binary) {
            super(client, content, Transport.WEBSOCKET);
            this.binary = binary;
        }

        boolean binary() {
            return binary;
        }
    }

    private final ClientsBox clients;

    WebSocketFrames(ClientsBox clients) {
        this.clients = clients;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof TextWebSocketFrame) && !(msg instanceof BinaryWebSocketFrame)) {
            ctx.fireChannelRead(msg);
            return;
        }
        WebSocketFrame frame = (WebSocketFrame) msg;
        try {
            ClientHead client = clients.get(ctx.channel());
            if (client == null) { // as netty-socketio: a frame on a channel whose client is gone
                ctx.channel().close();
                return;
            }
            // from the head, as netty-socketio's transport does: the packet handler sits before the transports
            ctx.pipeline().fireChannelRead(new Frame(client, frame.content(), msg instanceof BinaryWebSocketFrame));
        } finally {
            frame.release();
        }
    }
}
