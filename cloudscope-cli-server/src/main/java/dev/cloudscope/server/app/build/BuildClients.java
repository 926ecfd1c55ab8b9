package dev.cloudscope.server.app.build;

import dev.cloudscope.server.io.ConnectionMiddleware;
import dev.cloudscope.server.io.IoContext;
import dev.cloudscope.server.io.Next;
import jakarta.inject.Inject;
import jakarta.inject.Provider;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * {@code /build}'s connection middleware ({@code builds} in config): refuses clients while cloud build is off, and
 * when a client leaves, cancels the builds it asked for and did not detach.
 */
public class BuildClients implements ConnectionMiddleware {

    static final String OFF = "cloud build is off on this server (build.enabled = false)";

    private final boolean enabled;
    private final Provider<Builds> builds;
    private final Executor workers;

    @Inject
    BuildClients(dev.cloudscope.server.config.BuildSettings settings, Provider<Builds> builds, Executor workers) {
        this.enabled = settings.enabled();
        this.builds = builds;
        this.workers = workers;
    }

    @Override
    public CompletionStage<Void> handle(IoContext ctx, Next next) {
        if (!enabled) {
            return CompletableFuture.failedFuture(new IllegalStateException(OFF));
        }
        // cancelling kills processes and writes logs: on the worker pool, never on the connection's event loop
        return next.call().thenRunAsync(() -> builds.get().ownerLeft(ctx.socket().id()), workers);
    }
}
