package dev.cloudscope.cli;

import com.corundumstudio.socketio.AckMode;
import com.corundumstudio.socketio.Configuration;
import com.corundumstudio.socketio.SocketIONamespace;
import com.corundumstudio.socketio.SocketIOServer;
import dev.cloudscope.protocol.Events;
import dev.cloudscope.protocol.Namespaces;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;

/**
 * A real socket.io server in the test's JVM, on a free port, with plain listeners on {@code chat}:
 * <ul>
 *   <li>{@code /chat}: {@code res} "a", {@code res} "b", then the ack;</li>
 *   <li>{@code /echo}: {@code res} with the message, then the ack; on {@code echo}, the ack with the message;</li>
 *   <li>{@code /mute}: nothing, never an ack;</li>
 *   <li>{@code /rude}: disconnects the socket instead of answering.</li>
 * </ul>
 */
final class ChatServer implements AutoCloseable {
    private final SocketIOServer server;
    final int port;

    ChatServer() {
        port = freePort();
        Configuration config = new Configuration();
        config.setHostname("127.0.0.1");
        config.setPort(port);
        config.setBossThreads(1);
        config.setWorkerThreads(2);
        config.setAckMode(AckMode.MANUAL); // acks only where a listener sends one, as the lesson's server
        server = new SocketIOServer(config);
        server.addNamespace(Namespaces.CHAT).addEventListener(Events.CHAT, String.class, (client, msg, ack) -> {
            client.sendEvent(Events.RES, "a");
            client.sendEvent(Events.RES, "b");
            ack.sendAckData();
        });
        SocketIONamespace echo = server.addNamespace("/echo");
        echo.addEventListener(Events.CHAT, String.class, (client, msg, ack) -> {
            client.sendEvent(Events.RES, msg);
            ack.sendAckData();
        });
        echo.addEventListener(Events.ECHO, String.class, (client, msg, ack) -> ack.sendAckData(msg));
        server.addNamespace("/mute").addEventListener(Events.CHAT, String.class, (client, msg, ack) -> { });
        server.addNamespace("/rude").addEventListener(Events.CHAT, String.class,
                (client, msg, ack) -> client.disconnect());
        server.start();
    }

    String url(String namespace) {
        return "http://127.0.0.1:" + port + namespace;
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        server.stop();
    }
}
