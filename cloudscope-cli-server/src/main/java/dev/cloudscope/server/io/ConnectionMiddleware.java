package dev.cloudscope.server.io;

import java.util.concurrent.CompletionStage;

/**
 * Runs when a client connects to a namespace, before the connection counts as established (the twin of egg's
 * {@code connectionMiddleware}). Calling {@code next} establishes it; code after {@code next} runs when the socket
 * disconnects. A middleware whose stage fails before {@code next}, or that never calls it, refuses the connection:
 * the client gets a connect error with the failure's message.
 *
 * <p>Bound by the name config lists it under: {@code IoBindings.connectionMiddleware(binder()).addBinding("auth")}.
 */
@FunctionalInterface
public interface ConnectionMiddleware {
    CompletionStage<Void> handle(IoContext ctx, Next next);
}
