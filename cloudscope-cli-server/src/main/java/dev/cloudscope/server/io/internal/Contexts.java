package dev.cloudscope.server.io.internal;

import com.corundumstudio.socketio.AckRequest;
import dev.cloudscope.server.io.IoContext;
import dev.cloudscope.server.io.IoSocket;
import dev.cloudscope.server.io.Packet;
import java.util.List;

/** The two kinds of {@code ctx}: one per connection, one per packet. */
final class Contexts {

    private Contexts() {
    }

    static IoContext connection(IoSocket socket) {
        return new IoContext() {
            @Override
            public IoSocket socket() {
                return socket;
            }

            @Override
            public List<Object> args() {
                return List.of();
            }

            @Override
            public Packet packet() {
                return null;
            }

            @Override
            public void ack(Object... data) {
                // a connection has no acknowledgement to answer
            }
        };
    }

    static IoContext packet(IoSocket socket, Packet packet, AckRequest ackRequest) {
        return new IoContext() {
            @Override
            public IoSocket socket() {
                return socket;
            }

            @Override
            public List<Object> args() {
                return packet.args();
            }

            @Override
            public Packet packet() {
                return packet;
            }

            @Override
            public void ack(Object... data) {
                ackRequest.sendAckData(data);
            }
        };
    }
}
