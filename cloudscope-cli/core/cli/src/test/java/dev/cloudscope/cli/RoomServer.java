package dev.cloudscope.cli;

import com.corundumstudio.socketio.AckRequest;
import com.corundumstudio.socketio.AckMode;
import com.corundumstudio.socketio.AuthTokenResult;
import com.corundumstudio.socketio.Configuration;
import com.corundumstudio.socketio.SocketIONamespace;
import com.corundumstudio.socketio.SocketIOServer;
import dev.cloudscope.protocol.Events;
import dev.cloudscope.protocol.Namespaces;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A room-capable socket.io server in the test's JVM, on a free port, on bare netty-socketio, to the rooms contract:
 * {@code join (room, name)} acks {@code {room, members}} or {@code {error}}; {@code say (room, text)} sends
 * {@code said {room, from, text}} to every other member and acks {@code {room}} (or {@code {error}}: not a member);
 * {@code leave (room)} acks {@code {room, members}}. Namespaces:
 * <ul>
 *   <li>{@code /chat}: the rooms;</li>
 *   <li>{@code /secret}: the rooms; a client presenting another token than {@value #TOKEN} is refused,
 *       {@code unauthorized} (netty-socketio asks only when a client sends an auth payload);</li>
 *   <li>{@code /rude}: acks a join, then disconnects the socket;</li>
 *   <li>{@code /norooms}: acks every packet with nothing, as a server without rooms whose framework acks any
 *       packet once its chain is done (the lesson's server does).</li>
 * </ul>
 * Every packet it receives is logged, e.g. {@code /chat join lobby alice}, {@code /chat leave lobby}.
 */
final class RoomServer implements AutoCloseable {
    static final String TOKEN = "s3cret";

    private final SocketIOServer server;
    private final BlockingQueue<String> log = new LinkedBlockingQueue<>();
    final int port;

    RoomServer() {
        port = ChatServer.freePort();
        Configuration config = new Configuration();
        config.setHostname("127.0.0.1");
        config.setPort(port);
        config.setBossThreads(1);
        config.setWorkerThreads(2);
        config.setAckMode(AckMode.MANUAL);
        server = new SocketIOServer(config);
        rooms(server.addNamespace(Namespaces.CHAT));
        SocketIONamespace secret = server.addNamespace("/secret");
        secret.addAuthTokenListener((auth, client) -> auth instanceof Map<?, ?> map && TOKEN.equals(map.get("token"))
                ? AuthTokenResult.AuthTokenResultSuccess
                : new AuthTokenResult(false, "unauthorized"));
        rooms(secret);
        server.addNamespace("/rude").addMultiTypeEventListener(Events.JOIN, (client, args, ack) -> {
            String room = args.get(0);
            String name = args.get(1);
            log.add("/rude join " + room + " " + name);
            ack.sendAckData(Map.of("room", room, "members", 1));
            client.disconnect();
        }, String.class, String.class);
        SocketIONamespace noRooms = server.addNamespace("/norooms");
        for (String event : List.of(Events.JOIN, Events.SAY, Events.LEAVE)) {
            noRooms.addEventListener(event, Object.class, (client, data, ack) -> ack.sendAckData());
        }
        server.start();
    }

    private void rooms(SocketIONamespace ns) {
        String nsp = ns.getName();
        ns.addMultiTypeEventListener(Events.JOIN, (client, args, ack) -> {
            String room = args.get(0);
            String name = args.get(1);
            log.add(nsp + " join " + room + " " + name);
            String error = !valid(room, 64) ? "bad room name" : !valid(name, 32) ? "bad name" : null;
            if (error != null) {
                ack(ack, Map.of("error", error));
                return;
            }
            client.set(key(room), name);
            client.joinRoom(room);
            ack(ack, Map.of("room", room, "members", ns.getRoomOperations(room).getClients().size()));
        }, String.class, String.class);
        ns.addMultiTypeEventListener(Events.SAY, (client, args, ack) -> {
            String room = args.get(0);
            String text = args.get(1);
            log.add(nsp + " say " + room + " " + text);
            if (!client.getAllRooms().contains(room)) {
                ack(ack, Map.of("error", "not a member of " + room));
                return;
            }
            String from = client.get(key(room));
            ns.getRoomOperations(room).sendEvent(Events.SAID, client, Map.of("room", room, "from", from, "text", text));
            ack(ack, Map.of("room", room));
        }, String.class, String.class);
        ns.addEventListener(Events.LEAVE, String.class, (client, room, ack) -> {
            log.add(nsp + " leave " + room);
            client.leaveRoom(room);
            client.del(key(room));
            ack(ack, Map.of("room", room, "members", ns.getRoomOperations(room).getClients().size()));
        });
    }

    private static void ack(AckRequest ack, Object data) {
        if (ack.isAckRequested()) {
            ack.sendAckData(data);
        }
    }

    private static String key(String room) {
        return "name@" + room;
    }

    /** The contract's rule for room names and member names: 1 to max characters, no control characters. */
    private static boolean valid(String s, int max) {
        return s != null && !s.isEmpty() && s.length() <= max && s.chars().noneMatch(Character::isISOControl);
    }

    String url(String namespace) {
        return "http://127.0.0.1:" + port + namespace;
    }

    /** How many sockets are in {@code room} on {@code /chat}. */
    int members(String room) {
        return server.getNamespace(Namespaces.CHAT).getRoomOperations(room).getClients().size();
    }

    /** Everything logged so far, taken out of the log. */
    List<String> drainLog() {
        List<String> all = new ArrayList<>();
        log.drainTo(all);
        return all;
    }

    @Override
    public void close() {
        server.stop();
    }
}
