package dev.cloudscope.server.io.internal.netty;

import com.corundumstudio.socketio.Configuration;
import com.corundumstudio.socketio.Transport;
import com.corundumstudio.socketio.handler.ClientHead;
import com.corundumstudio.socketio.handler.EncoderHandler;
import com.corundumstudio.socketio.messages.OutPacketMessage;
import com.corundumstudio.socketio.protocol.Packet;
import com.corundumstudio.socketio.protocol.PacketType;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Queue;

/**
 * netty-socketio's encoder (in its place, {@code socketioEncoder}), writing a client's WebSocket packets itself:
 * its attachments framed per {@link Generation} ({@link IoPacketEncoder#webSocketBinary}), where netty-socketio
 * frames them the Engine.IO 3 way for every client. Polling responses and HTTP answers are netty-socketio's, with
 * {@link IoPacketEncoder}'s payloads.
 *
 * <p>A packet is one text frame (fragmented in 8 KB frames above the frame size limit, as netty-socketio does),
 * then one binary frame per attachment. The frames are not flushed here: netty-socketio writes its message with
 * {@code writeAndFlush}, whose flush follows. The message's promise is the last frame's.
 */
@Sharable
final class IoEncoderHandler extends EncoderHandler {

    private static final int FRAGMENT_SIZE = 8192;

    private final IoPacketEncoder encoder;
    private final int maxFramePayload;

    private IoEncoderHandler(Configuration configuration, IoPacketEncoder encoder) throws IOException {
        super(configuration, encoder);
        this.encoder = encoder;
        this.maxFramePayload = configuration.getMaxFramePayloadLength();
    }

    /** One for all channels, with the server's JSON. */
    static IoEncoderHandler create(Configuration configuration) {
        try {
            IoPacketEncoder encoder = new IoPacketEncoder(configuration, configuration.getJsonSupport());
            return new IoEncoderHandler(configuration, encoder);
        } catch (IOException e) { // reading netty-socketio's version for its Server header
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (msg instanceof OutPacketMessage out && out.getTransport() == Transport.WEBSOCKET) {
            writeFrames(ctx, out.getClientHead(), promise);
        } else {
            super.write(ctx, msg, promise);
        }
    }

    private void writeFrames(ChannelHandlerContext ctx, ClientHead client, ChannelPromise promise) throws IOException {
        Generation generation = Generation.of(client);
        Queue<Packet> queue = client.getPacketsQueue(Transport.WEBSOCKET);
        WebSocketFrame last = null; // written once the next is known, so that the last one gets the promise
        try {
            for (Packet packet = queue.poll(); packet != null; packet = queue.poll()) {
                if (packet.getType() == PacketType.NOOP) {
                    // a NOOP only answers a pending poll; those queued for polling during an upgrade (the probe's,
                    // PollingNudge's) are moved here by netty-socketio when it completes, and mean nothing here
                    continue;
                }
                ByteBuf text = encoder.allocateBuffer(ctx.alloc());
                try {
                    encoder.encodePacket(packet, text, ctx.alloc(), true);
                } catch (IOException | RuntimeException e) {
                    text.release();
                    throw e;
                }
                if (text.readableBytes() > maxFramePayload) {
                    ByteBuf first = text.readRetainedSlice(FRAGMENT_SIZE);
                    last = writeBefore(ctx, last, new TextWebSocketFrame(false, 0, first));
                    while (text.isReadable()) {
                        ByteBuf fragment = text.readRetainedSlice(Math.min(text.readableBytes(), FRAGMENT_SIZE));
                        last = writeBefore(ctx, last, new ContinuationWebSocketFrame(!text.isReadable(), 0, fragment));
                    }
                    text.release();
                } else if (text.isReadable()) {
                    last = writeBefore(ctx, last, new TextWebSocketFrame(text));
                } else {
                    text.release();
                }
                for (ByteBuf attachment : packet.getAttachments()) {
                    last = writeBefore(ctx, last,
                            new BinaryWebSocketFrame(encoder.webSocketBinary(attachment, generation, ctx.alloc())));
                }
            }
        } catch (IOException | RuntimeException e) {
            if (last != null) {
                ctx.write(last);
            }
            throw e; // netty fails the promise with it
        }
        if (last != null) {
            ctx.write(last, promise);
        } else {
            promise.trySuccess();
        }
    }

    /** Writes {@code previous}, if any, and returns {@code next}, the frame to write after it. */
    private static WebSocketFrame writeBefore(ChannelHandlerContext ctx, WebSocketFrame previous, WebSocketFrame next) {
        if (previous != null) {
            ctx.write(previous);
        }
        return next;
    }
}
