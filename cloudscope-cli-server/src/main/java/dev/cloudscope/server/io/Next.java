package dev.cloudscope.server.io;

import java.util.concurrent.CompletionStage;

/**
 * The rest of the onion. Call it once; what the returned stage completes with is the rest of the chain's outcome.
 * In connection middleware it completes when the socket disconnects; in packet middleware, when the controller
 * (and every middleware inside this one) has finished with the packet.
 */
@FunctionalInterface
public interface Next {
    CompletionStage<Void> call();
}
