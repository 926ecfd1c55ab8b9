package dev.cloudscope.cloudbuild;

import com.corundumstudio.socketio.AuthTokenResult;
import com.corundumstudio.socketio.AckMode;
import com.corundumstudio.socketio.Configuration;
import com.corundumstudio.socketio.SocketIONamespace;
import com.corundumstudio.socketio.SocketIOServer;
import com.corundumstudio.socketio.namespace.Namespace;
import dev.cloudscope.protocol.Events;
import dev.cloudscope.protocol.Namespaces;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.Map;

/**
 * A real socket.io server in the test's JVM, on a free port, with plain listeners:
 * <ul>
 *   <li>{@code /} and {@code /chat}: on {@code chat}, reply {@code res} "x: MSG", {@code res} "y", then ack "done";
 *       on {@code kick}, disconnect the socket; on {@code silent}, do nothing at all.</li>
 *   <li>{@code /private}: refuses every CONNECT carrying auth unless its {@code token} is {@code secret}.</li>
 * </ul>
 */
final class TestServer implements AutoCloseable {
    static final String PRIVATE = "/private";

    private final SocketIOServer server;
    final int port;

    TestServer() {
        this.port = freePort();
        Configuration config = new Configuration();
        config.setHostname("127.0.0.1");
        config.setPort(port);
        config.setBossThreads(1);
        config.setWorkerThreads(2);
        config.setAckMode(AckMode.MANUAL); // acks only where a listener sends one, as the lesson's server
        server = new SocketIOServer(config);
        addChatListeners(server.getNamespace(Namespace.DEFAULT_NAME)); // netty-socketio names "/" ""
        addChatListeners(server.addNamespace(Namespaces.CHAT));
        SocketIONamespace priv = server.addNamespace(PRIVATE);
        priv.addAuthTokenListener((token, client) -> {
            if (token instanceof Map<?, ?> map && "secret".equals(map.get("token"))) {
                return AuthTokenResult.AuthTokenResultSuccess;
            }
            return new AuthTokenResult(false, Map.of("message", "unauthorized"));
        });
        addChatListeners(priv);
        server.start();
    }

    private static void addChatListeners(SocketIONamespace ns) {
        ns.addEventListener(Events.CHAT, String.class, (client, msg, ack) -> {
            client.sendEvent(Events.RES, "x: " + msg);
            client.sendEvent(Events.RES, "y");
            ack.sendAckData("done");
        });
        ns.addEventListener("kick", String.class, (client, msg, ack) -> client.disconnect());
        ns.addEventListener("silent", String.class, (client, msg, ack) -> { });
    }

    String url(String namespace) {
        return "http://127.0.0.1:" + port + (Namespaces.ROOT.equals(namespace) ? "" : namespace);
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
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
