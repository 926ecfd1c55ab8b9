package dev.cloudscope.server.io.internal.core;

import dev.cloudscope.server.io.IoContext;
import dev.cloudscope.server.io.Next;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * koa-compose for {@link CompletionStage}s: layer {@code i} gets a {@code next} that runs layer {@code i + 1}, the
 * last one's runs {@code core}. A layer that throws, or calls {@code next} twice, fails the whole chain.
 */
public final class Onion {

    /** One layer of the onion: a connection or packet middleware, seen the same way. */
    @FunctionalInterface
    public interface Layer {
        CompletionStage<Void> handle(IoContext ctx, Next next);

        /** This layer under the name that errors call it by, e.g. {@code packetMiddleware 'filter'}. */
        default Layer named(String name) {
            Layer layer = this;
            return new Layer() {
                @Override
                public CompletionStage<Void> handle(IoContext ctx, Next next) {
                    return layer.handle(ctx, next);
                }

                @Override
                public String toString() {
                    return name;
                }
            };
        }
    }

    private Onion() {
    }

    static CompletionStage<Void> run(List<? extends Layer> layers, IoContext ctx, Supplier<CompletionStage<Void>> core) {
        return dispatch(layers, 0, ctx, core);
    }

    private static CompletionStage<Void> dispatch(List<? extends Layer> layers, int i, IoContext ctx,
                                                  Supplier<CompletionStage<Void>> core) {
        try {
            if (i == layers.size()) {
                return nonNull(core.get(), "the innermost step");
            }
            AtomicBoolean called = new AtomicBoolean();
            Next next = () -> {
                if (!called.compareAndSet(false, true)) {
                    return CompletableFuture.failedFuture(new IllegalStateException("next() called multiple times"));
                }
                return dispatch(layers, i + 1, ctx, core);
            };
            Layer layer = layers.get(i);
            return nonNull(layer.handle(ctx, next), String.valueOf(layer));
        } catch (Throwable e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static CompletionStage<Void> nonNull(CompletionStage<Void> stage, String who) {
        if (stage == null) {
            return CompletableFuture.failedFuture(new IllegalStateException(who + " returned null instead of a CompletionStage"));
        }
        return stage;
    }
}
