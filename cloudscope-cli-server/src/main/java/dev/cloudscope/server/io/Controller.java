package dev.cloudscope.server.io;

import java.util.concurrent.CompletionStage;

/** Handles one routed event ({@code chat::index}). The returned stage completes when its work is done. */
@FunctionalInterface
public interface Controller {
    CompletionStage<Void> handle(IoContext ctx);
}
