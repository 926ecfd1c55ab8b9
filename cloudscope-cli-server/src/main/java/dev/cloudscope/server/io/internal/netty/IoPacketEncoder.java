package dev.cloudscope.server.io.internal.netty;

import com.corundumstudio.socketio.Configuration;
import com.corundumstudio.socketio.protocol.JsonSupport;
import com.corundumstudio.socketio.protocol.Packet;
import com.corundumstudio.socketio.protocol.PacketEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.base64.Base64;
import io.netty.handler.codec.base64.Base64Dialect;
import java.io.IOException;
import java.util.Queue;

/**
 * netty-socketio's packet encoder (a packet's text, a binary event's placeholders and attachments), with the framing
 * around packets done per {@link Generation}: netty-socketio frames every generation's polling payloads and binary
 * attachments the Engine.IO 3 way. {@link IoEncoderHandler} uses it for WebSocket frames, netty-socketio's
 * {@code EncoderHandler} (which it extends) for polling responses.
 */
final class IoPacketEncoder extends PacketEncoder {

    /** Engine.IO 4's packet separator in a polling payload. */
    private static final byte SEPARATOR = 0x1e;
    /** Engine.IO 3's MESSAGE packet type: an attachment is a binary MESSAGE packet. */
    private static final byte MESSAGE = 4;

    IoPacketEncoder(Configuration configuration, JsonSupport jsonSupport) {
        super(configuration, jsonSupport);
    }

    /**
     * A polling response's packets. Engine.IO 4: text, {@code 0x1e} between packets, each attachment a packet of its
     * own ({@code b} + base64). Engine.IO 3: each packet length-prefixed, back to back: netty-socketio puts a
     * {@code 0x1e} between them, which engine.io-parser 2.x reads as the start of a packet, and a 2.x client then
     * loses the packets after it.
     */
    @Override
    public void encodePackets(Queue<Packet> packets, ByteBuf buffer, ByteBufAllocator allocator, int limit)
            throws IOException {
        // at most limit packets, the rest left queued for the next poll (netty-socketio polls one more and drops it)
        for (int i = 0; i < limit; i++) {
            Packet packet = packets.poll();
            if (packet == null) {
                return;
            }
            if (Generation.of(packet).pollingPayloadIsText()) {
                if (i > 0) {
                    buffer.writeByte(SEPARATOR);
                }
                encodePacket(packet, buffer, allocator, true); // no length prefix: straight into the payload
                for (ByteBuf attachment : packet.getAttachments()) {
                    buffer.writeByte(SEPARATOR).writeByte('b');
                    ByteBuf base64 = Base64.encode(attachment, attachment.readerIndex(), attachment.readableBytes(),
                            false, Base64Dialect.STANDARD, allocator);
                    buffer.writeBytes(base64);
                    base64.release();
                }
            } else {
                encodePacket(packet, buffer, allocator, false); // <0><length digits><0xFF><packet>
                for (ByteBuf attachment : packet.getAttachments()) {
                    buffer.writeByte(1).writeBytes(longToBytes(attachment.readableBytes() + 1)).writeByte(0xff)
                            .writeByte(MESSAGE)
                            .writeBytes(attachment, attachment.readerIndex(), attachment.readableBytes());
                }
            }
        }
    }

    /**
     * A polling response for a client that asked for base64 ({@code b64=1}, or JSONP). That is Engine.IO 3's text
     * payload ({@code <length>:<packet>}); Engine.IO 4 has one payload format and ignores {@code b64} (engine.io's
     * server too), so an Engine.IO 4 client not using JSONP gets the text payload all others get.
     */
    @Override
    public void encodeJsonP(Integer jsonpIndex, Queue<Packet> packets, ByteBuf out, ByteBufAllocator allocator,
            int limit) throws IOException {
        Packet first = packets.peek();
        if (jsonpIndex == null && first != null && Generation.of(first).pollingPayloadIsText()) {
            encodePackets(packets, out, allocator, limit);
        } else {
            super.encodeJsonP(jsonpIndex, packets, out, allocator, limit);
        }
    }

    /**
     * An attachment as one WebSocket binary frame's content: Engine.IO 4 sends the bytes as they are (the packet's
     * own buffer, shared); Engine.IO 3 a binary MESSAGE packet, {@code 4} then the bytes (netty-socketio's framing).
     */
    ByteBuf webSocketBinary(ByteBuf attachment, Generation generation, ByteBufAllocator allocator) {
        if (!generation.binaryIsAMessagePacket()) {
            return attachment.retainedDuplicate();
        }
        ByteBuf frame = allocateBuffer(allocator);
        frame.writeByte(MESSAGE).writeBytes(attachment, attachment.readerIndex(), attachment.readableBytes());
        return frame;
    }
}
