package dev.cloudscope.server.io;

import java.util.concurrent.CompletionStage;

/**
 * Runs for every event packet of a namespace, in config order, around the routed controller (the twin of egg's
 * {@code packetMiddleware}). Code after {@code next} runs once the controller's work has completed. A failure is
 * logged with namespace, event and socket id; the socket stays connected.
 *
 * <p>Bound by the name config lists it under: {@code IoBindings.packetMiddleware(binder()).addBinding("filter")}.
 */
@FunctionalInterface
public interface PacketMiddleware {
    CompletionStage<Void> handle(IoContext ctx, Next next);
}
