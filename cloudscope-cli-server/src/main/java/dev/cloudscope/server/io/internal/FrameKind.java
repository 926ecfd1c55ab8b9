package dev.cloudscope.server.io.internal;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.util.concurrent.FastThreadLocal;

/**
 * Before netty-socketio's WebSocket transport: tells {@link IoPacketHandler} whether the message it is decoding came
 * in a text or a binary WebSocket frame, which netty-socketio's {@code PacketsMessage} forgets. Socket.io sends a
 * binary event's attachments as binary frames and everything else as text; netty-socketio's decoder takes whatever
 * follows a binary event as its attachments. The transport hands the message on synchronously, on this thread, so a
 * thread-local for the duration of the read is enough: nothing is kept per connection.
 */
@Sharable
final class FrameKind extends ChannelInboundHandlerAdapter {

    static final FrameKind INSTANCE = new FrameKind();

    static final String NAME = "frameKind";

    enum Kind { NOT_A_FRAME, TEXT, BINARY }

    private static final FastThreadLocal<Kind> CURRENT = new FastThreadLocal<>() {
        @Override
        protected Kind initialValue() {
            return Kind.NOT_A_FRAME;
        }
    };

    /** The kind of WebSocket frame being read on this thread, or NOT_A_FRAME (polling, or outside a read). */
    static Kind current() {
        return CURRENT.get();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Kind kind = msg instanceof TextWebSocketFrame ? Kind.TEXT
                : msg instanceof BinaryWebSocketFrame ? Kind.BINARY : Kind.NOT_A_FRAME;
        if (kind == Kind.NOT_A_FRAME) {
            ctx.fireChannelRead(msg);
            return;
        }
        CURRENT.set(kind);
        try {
            ctx.fireChannelRead(msg);
        } finally {
            CURRENT.set(Kind.NOT_A_FRAME);
        }
    }
}
