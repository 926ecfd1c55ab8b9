package dev.cloudscope.server.io.internal.netty;

import com.corundumstudio.socketio.handler.ClientHead;
import com.corundumstudio.socketio.protocol.ConnPacket;
import com.corundumstudio.socketio.protocol.EngineIOVersion;
import com.corundumstudio.socketio.protocol.Packet;
import com.corundumstudio.socketio.protocol.PacketType;
import java.util.Map;
import java.util.UUID;

/**
 * How we speak to each protocol generation, in one place: socket.io v4 over Engine.IO 3 (socket.io-client 2.x) and
 * socket.io v5 over Engine.IO 4 (socket.io-client 3.x and 4.x, the Java client 2.x).
 */
enum Generation {
    /** Engine.IO 3: the client is put in {@code /} by the protocol at transport open; errors carry a plain string. */
    V3,
    /** Engine.IO 4: the client asks for every namespace, {@code /} too; CONNECT carries the socket id. */
    V4;

    static Generation of(ClientHead client) {
        return of(client.getEngineIOVersion());
    }

    /** The generation a packet was made for: netty-socketio stamps each with its client's. */
    static Generation of(Packet packet) {
        return of(packet.getEngineIOVersion());
    }

    private static Generation of(EngineIOVersion version) {
        return EngineIOVersion.V4.equals(version) ? V4 : V3;
    }

    EngineIOVersion engineIo() {
        return this == V4 ? EngineIOVersion.V4 : EngineIOVersion.V3;
    }

    /** Whether the protocol connects the client to {@code /} at transport open, without its asking. */
    boolean joinsRootAtOpen() {
        return this == V3;
    }

    /** The namespace's CONNECT, as the framework sends it (see {@link RootConnectHold}). */
    Packet connect(String nettyNamespace, UUID sessionId) {
        Packet connect = new RootConnectHold.OwnConnect(engineIo());
        connect.setNsp(nettyNamespace);
        if (this == V4) {
            connect.setData(new ConnPacket(sessionId));
        }
        return connect;
    }

    /** A connect error: v5 clients read the reason from {@code {message}}, v4 clients take the data as it is. */
    Packet connectError(String nettyNamespace, String reason) {
        Packet error = new Packet(PacketType.MESSAGE, engineIo());
        error.setSubType(PacketType.ERROR);
        error.setNsp(nettyNamespace);
        error.setData(this == V4 ? Map.of("message", reason) : reason);
        return error;
    }

    /** An Engine.IO NOOP: answers a pending poll without saying anything. */
    Packet noop() {
        return new Packet(PacketType.NOOP, engineIo());
    }

    /**
     * How a polling response carries packets ({@link IoPacketEncoder}). Engine.IO 4: a text payload, packets joined
     * by the byte 0x1E, binary data as {@code b} + base64. Engine.IO 3 (engine.io-parser 2.x, XHR2): a binary
     * payload, each packet {@code <0 text|1 binary><length as digit bytes><0xFF><packet>}, back to back.
     */
    boolean pollingPayloadIsText() {
        return this == V4;
    }

    /**
     * Whether binary data (a socket.io attachment) goes as an Engine.IO MESSAGE packet, type byte {@code 4} first,
     * as Engine.IO 3 sends it; Engine.IO 4 has no packet type for it and sends the bytes as they are.
     */
    boolean binaryIsAMessagePacket() {
        return this == V3;
    }
}
