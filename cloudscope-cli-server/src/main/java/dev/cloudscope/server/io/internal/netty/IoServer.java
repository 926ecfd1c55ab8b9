package dev.cloudscope.server.io.internal.netty;

import com.corundumstudio.socketio.AckMode;
import com.corundumstudio.socketio.Configuration;
import com.corundumstudio.socketio.SocketConfig;
import com.corundumstudio.socketio.SocketIONamespace;
import com.corundumstudio.socketio.SocketIOServer;
import dev.cloudscope.server.config.IoSettings;
import dev.cloudscope.server.config.ServerSettings;
import dev.cloudscope.server.io.HttpHandler;
import dev.cloudscope.server.io.internal.core.Connections;
import io.netty.util.concurrent.Future;
import java.net.BindException;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The socket.io server: netty-socketio, set up for our framework, serving the configured namespaces. */
public final class IoServer {

    private static final Logger log = LoggerFactory.getLogger(IoServer.class);

    private final ServerSettings settings;
    private final Collection<String> namespaces;
    private final Connections connections;
    private final ExecutorService workers;
    private final IoSettings io;
    private final HttpRoutes http;
    private SocketIOServer server;

    public IoServer(ServerSettings settings, IoSettings io, Collection<String> namespaces, Connections connections,
                    ExecutorService workers, Map<String, HttpHandler> http) {
        this.http = new HttpRoutes(http, workers);
        this.settings = settings;
        this.io = io;
        this.namespaces = namespaces;
        this.connections = connections;
        this.workers = workers;
    }

    /** Binds and serves. Throws {@link IoServerException} with one clear line if it cannot. */
    public void start() {
        Configuration config = new Configuration();
        config.setHostname(settings.host());
        config.setPort(settings.port());
        config.setJsonSupport(new AllArgsJsonSupport(io.maxPayloadBytes())); // maxPayload: in the handshake too
        config.setAckMode(AckMode.MANUAL); // our chain acks once the packet is done, not when a listener returns
        config.setExceptionListener(new QuietExceptionListener());
        config.setMaxFramePayloadLength(io.maxPayloadBytes());
        config.setMaxHttpContentLength(io.maxPayloadBytes());
        config.setPingInterval((int) io.pingInterval().toMillis());
        config.setPingTimeout((int) io.pingTimeout().toMillis());
        // socket.io 3+ leaves permessage-deflate off by default; netty-socketio turns it on, and it costs about half
        // the server's CPU per lesson round trip and 8x the memory per idle connection (bench/, docs/benchmarks.md)
        config.setWebsocketCompression(io.perMessageDeflate());
        config.setHttpCompression(io.httpCompression());
        // CORS headers only for origins config lets in (OriginCheck refuses the others), as socket.io 4: none by default
        config.setEnableCors(!io.corsOrigins().isEmpty());
        config.setStoreFactory(new LazyStoreFactory()); // netty-socketio's store per client, created only if used
        // a handshake always opens a new session, as engine.io's: netty-socketio would take the sid from the request's
        // "io" cookie (which it sets itself) or header, so a browser's second tab got the first tab's session, closing
        // both, and any client could name the session it gets; the cookie is dropped too (HonestConnectionHeader)
        config.setRandomSession(true);
        // Netty's default is two event loops per core (and as many acceptor threads); one loop per core keeps every
        // core busy with fewer threads sharing them (fewer context switches per packet)
        int cores = Runtime.getRuntime().availableProcessors();
        config.setBossThreads(1);
        config.setWorkerThreads(cores);
        SocketConfig socket = new SocketConfig();
        socket.setReuseAddress(true); // a restart right after many clients left must not wait for TIME_WAIT
        socket.setTcpNoDelay(true);
        config.setSocketConfig(socket);

        server = new SocketIOServer(config);
        ClientEvents clients = new ClientEvents(connections, io.connectTimeout());
        IoChannelInitializer.install(server, clients, connections, io, http);
        for (String configName : namespaces) {
            String name = RootName.toNetty(configName);
            SocketIONamespace namespace = name.isEmpty() ? server.getNamespace(name) : server.addNamespace(name);
            namespace.addDisconnectListener(clients::onDisconnect);
        }
        // every client is put in "/" at transport open, whether or not "/" is configured
        server.getNamespace(RootName.toNetty("/")).addConnectListener(clients::onTransportOpen);

        Future<Void> bound = server.startAsync().awaitUninterruptibly();
        if (!bound.isSuccess()) {
            server.stop();
            workers.shutdownNow();
            throw new IoServerException(bindProblem(bound.cause()), bound.cause());
        }
        log.info("serving namespaces {}", namespaces);
    }

    private String bindProblem(Throwable cause) {
        String where = settings.host() + ":" + settings.port();
        if (cause instanceof BindException && String.valueOf(cause.getMessage()).contains("in use")) {
            return "cannot listen on " + where + ": address already in use (is another server running?)";
        }
        return "cannot listen on " + where + ": " + (cause == null ? "unknown error" : cause.getMessage());
    }

    /**
     * netty-socketio's stop waits for its event loops without a bound, and once in a while (seen here, after
     * polling sessions) one of them never finishes: the process then hung after SIGTERM. Every client has had its
     * disconnect path by now, so we give it what is left of io.shutdownTimeout (at least 5 s) and go on.
     */
    private static void stopNetty(SocketIOServer server, long millis) {
        Thread stopper = new Thread(server::stop, "socketio-stop");
        stopper.setDaemon(true);
        stopper.start();
        try {
            stopper.join(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (stopper.isAlive()) {
            log.info("netty-socketio's event loops did not stop within {} ms; leaving them to the exit", millis);
        }
    }

    private static final long NETTY_STOP_MILLIS = 5000;

    /** Live connections (each client on each namespace) whose disconnect path has not run yet. */
    public int connectionCount() {
        return connections.count();
    }

    /**
     * Disconnects every client, waits (up to the configured shutdown timeout) for their disconnect paths, then
     * stops the server.
     */
    public void stop() {
        if (server == null) {
            return;
        }
        long deadline = System.nanoTime() + io.shutdownTimeout().toNanos();
        try {
            connections.disconnectAll().get(io.shutdownTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            log.warn("{} connections still running their disconnect path after {}; stopping anyway",
                    connections.count(), io.shutdownTimeout());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.warn("while disconnecting clients: {}", e.toString());
        }
        // what is left of the shutdown timeout, but at least what netty's graceful stop takes (2 x 2 s quiet)
        stopNetty(server, Math.max(NETTY_STOP_MILLIS, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        workers.shutdown();
        server = null;
    }
}
