package dev.cloudscope.server.protocol;

import com.google.inject.AbstractModule;
import dev.cloudscope.server.io.ConnectionMiddleware;
import dev.cloudscope.server.io.Controller;
import dev.cloudscope.server.io.IoBindings;
import dev.cloudscope.server.io.Routes;
import dev.cloudscope.server.testing.TestServer;
import java.util.concurrent.CompletableFuture;

/**
 * The server the official test suites expect (socket.io-protocol's Readme, "Test suite"), as an app of our framework:
 * <ul>
 *   <li>on every connection, to {@code /} and to {@code /custom}, it emits {@code auth} with the client's auth
 *       payload ({@code socket.handshake.auth}, {@code {}} when none), then lets the client in;
 *   <li>on {@code /}, event {@code message}: emits {@code message-back} with the same arguments;
 *   <li>on {@code /}, event {@code message-with-ack}: answers the ack with the same arguments.
 * </ul>
 * And one event the suites' app does not have: on {@code /}, {@code bytes} emits {@code bytes} with the binary
 * argument {@code <01 02 03 04>}, so that the server's encoding of binary data is checked on its own, whatever
 * becomes of the client's binary data on the way in.
 * With the suites' settings: pingInterval 300 ms, pingTimeout 200 ms, maxPayload 1,000,000 bytes, connectTimeout 1 s.
 */
final class ReferenceApp extends AbstractModule {

    static final int PING_INTERVAL = 300;
    static final int PING_TIMEOUT = 200;
    static final int MAX_PAYLOAD = 1_000_000;

    /** Only "/" and "/custom": the embedded defaults' namespaces are dropped (null, then the suites' own). */
    static final String CONFIG = """
            io {
              pingInterval = 300ms
              pingTimeout = 200ms
              maxPayloadBytes = 1000000
              connectTimeout = 1s
              shutdownTimeout = 2s
              namespace = null
              namespace {
                "/"       { connectionMiddleware = [authEcho], packetMiddleware = [] }
                "/custom" { connectionMiddleware = [authEcho], packetMiddleware = [] }
              }
            }
            """;

    /** {@code socket.emit("auth", socket.handshake.auth)}, then {@code next}. */
    static final ConnectionMiddleware AUTH_ECHO = (ctx, next) -> {
        ctx.socket().emit("auth", ctx.socket().auth());
        return next.call();
    };

    /** {@code socket.emit("message-back", ...args)}. */
    static final Controller MESSAGE = ctx -> {
        ctx.socket().emit("message-back", ctx.args().toArray());
        return CompletableFuture.completedFuture(null);
    };

    /** {@code ack(...args)}. */
    static final Controller MESSAGE_WITH_ACK = ctx -> {
        ctx.ack(ctx.args().toArray());
        return CompletableFuture.completedFuture(null);
    };

    /** Not in the suites' app: {@code socket.emit("bytes", Buffer.from([1, 2, 3, 4]))}. */
    static final Controller BYTES = ctx -> {
        ctx.socket().emit("bytes", (Object) new byte[] {1, 2, 3, 4});
        return CompletableFuture.completedFuture(null);
    };

    static final Routes ROUTES = io -> io.route("message", MESSAGE).route("message-with-ack", MESSAGE_WITH_ACK)
            .route("bytes", BYTES);

    @Override
    protected void configure() {
        IoBindings.connectionMiddleware(binder()).addBinding("authEcho").toInstance(AUTH_ECHO);
        IoBindings.packetMiddleware(binder()); // none, but the map must exist
        bind(Routes.class).toInstance(ROUTES);
    }

    /** The reference server on a free port. */
    static TestServer start() {
        return TestServer.start(CONFIG, new ReferenceApp());
    }

    /**
     * The reference server for the Engine.IO rules: Engine.IO has no connect timeout (socket.io's, 1 s here, would
     * close sessions that test heartbeats for longer than that without ever asking for a namespace).
     */
    static TestServer startForEngineIo() {
        return TestServer.start(CONFIG + "\nio.connectTimeout = 1h\n", new ReferenceApp());
    }
}
