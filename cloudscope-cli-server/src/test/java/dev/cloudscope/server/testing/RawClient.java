package dev.cloudscope.server.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;

/**
 * A client that speaks the socket.io wire protocol by hand, over a real Engine.IO 4 websocket
 * (io.socket:engine.io-client): it can send packets the socket.io client would hold back, e.g. events before its
 * namespace's CONNECT came back, and it sees every packet the server sends, e.g. a second ack.
 *
 * <p>Socket.io packets as socket.io v5 writes them inside an Engine.IO message: {@code 0/x,} connect to /x (the
 * answer: {@code 0/x,{"sid":..}}); {@code 2/x,7["ev",1]} event with ack id 7; {@code 3/x,7[]} its ack;
 * {@code 4/x,{"message":..}} connect error; {@code 1/x,} disconnect. On the main namespace, without {@code /x,}.
 */
public final class RawClient implements AutoCloseable {

    /** What the server sent, in arrival order. */
    public final List<String> received = new CopyOnWriteArrayList<>();
    private final OkHttpClient http;
    private final io.socket.engineio.client.Socket socket;

    public RawClient(int port, String query) {
        http = new OkHttpClient.Builder().readTimeout(1, TimeUnit.MINUTES).build();
        io.socket.engineio.client.Socket.Options options = new io.socket.engineio.client.Socket.Options();
        options.hostname = "127.0.0.1";
        options.port = port;
        options.path = "/socket.io";
        options.transports = new String[] {"websocket"};
        options.query = query;
        options.callFactory = http;
        options.webSocketFactory = http;
        socket = new io.socket.engineio.client.Socket(options);
        socket.on(io.socket.engineio.client.Socket.EVENT_MESSAGE, args -> received.add(String.valueOf(args[0])));
        socket.open();
    }

    /** Sends socket.io packets, in order, each as its own Engine.IO message (held until the transport is open). */
    public void send(String... packets) {
        for (String packet : packets) {
            socket.send(packet);
        }
    }

    /** What the server sent on {@code namespace} ("/" for the main one), with the namespace taken out. */
    public List<String> receivedOn(String namespace) {
        return Namespaced.on(namespace, received);
    }

    @Override
    public void close() {
        socket.close();
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }
}
