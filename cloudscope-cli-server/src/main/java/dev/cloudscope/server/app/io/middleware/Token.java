package dev.cloudscope.server.app.io.middleware;

import dev.cloudscope.server.app.service.Tokens;
import dev.cloudscope.server.io.ConnectionMiddleware;
import dev.cloudscope.server.io.IoContext;
import dev.cloudscope.server.io.Next;
import jakarta.inject.Inject;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** {@code auth.tokens} alone, without the lesson's greeting: for the namespaces that are not the lesson's. */
public class Token implements ConnectionMiddleware {

    private final Tokens tokens;

    @Inject
    public Token(Tokens tokens) {
        this.tokens = tokens;
    }

    @Override
    public CompletionStage<Void> handle(IoContext ctx, Next next) {
        if (!tokens.admits(ctx.socket())) {
            return CompletableFuture.failedFuture(new SecurityException("unauthorized"));
        }
        return next.call();
    }
}
