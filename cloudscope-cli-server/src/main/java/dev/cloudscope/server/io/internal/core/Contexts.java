package dev.cloudscope.server.io.internal.core;

import dev.cloudscope.server.io.IoContext;
import dev.cloudscope.server.io.IoSocket;
import dev.cloudscope.server.io.Packet;
import java.util.List;

/** The two kinds of {@code ctx}: one per connection (no packet, nothing to acknowledge), one per packet. */
final class Contexts {

    private Contexts() {
    }

    private record Context(IoSocket socket, Packet packet, Ack acknowledgement) implements IoContext {

        @Override
        public List<Object> args() {
            return packet == null ? List.of() : packet.args();
        }

        @Override
        public void ack(Object... data) {
            acknowledgement.send(data);
        }
    }

    static IoContext connection(IoSocket socket) {
        return new Context(socket, null, Ack.NONE);
    }

    static IoContext packet(IoSocket socket, Packet packet, Ack ack) {
        return new Context(socket, packet, ack);
    }
}
