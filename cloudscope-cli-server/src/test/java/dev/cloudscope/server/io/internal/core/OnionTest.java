package dev.cloudscope.server.io.internal.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cloudscope.server.io.IoContext;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** {@link Onion}: koa-compose for CompletionStages. */
class OnionTest {

    private final List<String> journal = new CopyOnWriteArrayList<>();
    private final IoContext ctx = Contexts.connection(null);

    /** A layer that records "name-in", calls next, and records "name-out" once next's stage has completed. */
    private Onion.Layer layer(String name) {
        return (ctx, next) -> {
            journal.add(name + "-in");
            return next.call().thenRun(() -> journal.add(name + "-out"));
        };
    }

    private Supplier<CompletionStage<Void>> core() {
        return () -> {
            journal.add("core");
            return CompletableFuture.completedFuture(null);
        };
    }

    /** The failure the chain completed with, CompletionException wrappers taken off. */
    private static Throwable failureOf(CompletionStage<Void> stage) {
        CompletableFuture<Void> future = stage.toCompletableFuture();
        assertThat(future).isCompletedExceptionally();
        Throwable failure = future.handle((ignored, e) -> e).join();
        while (failure instanceof CompletionException && failure.getCause() != null) {
            failure = failure.getCause();
        }
        return failure;
    }

    @Test
    void layersRunOutermostFirstAndTheirCodeAfterNextRunsInnermostFirst() {
        CompletionStage<Void> chain = Onion.run(List.of(layer("a"), layer("b")), ctx, core());

        assertThat(chain.toCompletableFuture()).isCompleted().isNotCompletedExceptionally();
        assertThat(journal).containsExactly("a-in", "b-in", "core", "b-out", "a-out");
    }

    @Test
    void withoutLayersTheChainIsTheCore() {
        CompletionStage<Void> chain = Onion.run(List.of(), ctx, core());

        assertThat(chain.toCompletableFuture()).isCompleted().isNotCompletedExceptionally();
        assertThat(journal).containsExactly("core");
    }

    @Test
    void nextCompletesOnlyWhenTheCoresStageCompletes() {
        CompletableFuture<Void> coreWork = new CompletableFuture<>();

        CompletionStage<Void> chain = Onion.run(List.of(layer("a"), layer("b")), ctx, () -> {
            journal.add("core");
            return coreWork;
        });

        assertThat(journal).containsExactly("a-in", "b-in", "core");
        assertThat(chain.toCompletableFuture()).isNotDone();

        coreWork.complete(null);

        assertThat(journal).containsExactly("a-in", "b-in", "core", "b-out", "a-out");
        assertThat(chain.toCompletableFuture()).isCompleted().isNotCompletedExceptionally();
    }

    @Test
    void aLayerThatThrowsFailsTheChainAndNothingInsideItRuns() {
        IllegalStateException broken = new IllegalStateException("broken");
        Onion.Layer throwing = (ctx, next) -> {
            journal.add("thrower-in");
            throw broken;
        };

        CompletionStage<Void> chain = Onion.run(List.of(layer("a"), throwing, layer("c")), ctx, core());

        assertThat(failureOf(chain)).isSameAs(broken);
        assertThat(journal).containsExactly("a-in", "thrower-in");
    }

    @Test
    void aFailedStageFromTheCorePropagatesThroughEveryLayer() {
        CompletableFuture<Void> coreWork = new CompletableFuture<>();
        CompletionStage<Void> chain = Onion.run(List.of(layer("a"), layer("b")), ctx, () -> coreWork);

        coreWork.completeExceptionally(new IllegalStateException("core failed"));

        assertThat(failureOf(chain)).isInstanceOf(IllegalStateException.class).hasMessage("core failed");
        assertThat(journal).containsExactly("a-in", "b-in"); // thenRun skips the code after next on failure
    }

    @Test
    void aFailedStageFromALayerFailsTheChain() {
        Onion.Layer failing = (ctx, next) -> CompletableFuture.failedFuture(new IllegalArgumentException("refused"));

        CompletionStage<Void> chain = Onion.run(List.of(layer("a"), failing, layer("c")), ctx, core());

        assertThat(failureOf(chain)).isInstanceOf(IllegalArgumentException.class).hasMessage("refused");
        assertThat(journal).containsExactly("a-in");
    }

    @Test
    void aLayerThatCatchesTheFailureOfNextRecoversTheChain() {
        Onion.Layer recovering = (ctx, next) -> next.call().exceptionally(failure -> {
            journal.add("recovered: " + failure.getMessage());
            return null;
        });

        CompletionStage<Void> chain = Onion.run(List.of(recovering),
                ctx, () -> CompletableFuture.failedFuture(new IllegalStateException("core failed")));

        assertThat(chain.toCompletableFuture()).isCompleted().isNotCompletedExceptionally();
        assertThat(journal).containsExactly("recovered: core failed");
    }

    @Test
    void callingNextTwiceFailsTheChainAndRunsTheRestOnce() {
        Onion.Layer twice = (ctx, next) -> next.call().thenCompose(done -> next.call());

        CompletionStage<Void> chain = Onion.run(List.of(twice, layer("b")), ctx, core());

        assertThat(failureOf(chain)).isInstanceOf(IllegalStateException.class)
                .hasMessage("next() called multiple times");
        assertThat(journal).containsExactly("b-in", "core", "b-out");
    }

    @Test
    void aLayerThatDoesNotCallNextEndsTheChainWithoutTheCore() {
        Onion.Layer stopping = (ctx, next) -> {
            journal.add("stopper");
            return CompletableFuture.completedFuture(null);
        };

        CompletionStage<Void> chain = Onion.run(List.of(layer("a"), stopping, layer("c")), ctx, core());

        assertThat(chain.toCompletableFuture()).isCompleted().isNotCompletedExceptionally();
        assertThat(journal).containsExactly("a-in", "stopper", "a-out");
    }

    @Test
    void aLayerReturningNullFailsTheChainWithAClearMessage() {
        Onion.Layer nullish = (ctx, next) -> null;

        CompletionStage<Void> chain = Onion.run(List.of(layer("a"), nullish), ctx, core());

        assertThat(failureOf(chain)).isInstanceOf(IllegalStateException.class)
                .hasMessageEndingWith("returned null instead of a CompletionStage");
        assertThat(journal).containsExactly("a-in");
    }

    @Test
    void aCoreReturningNullFailsTheChainWithAClearMessage() {
        CompletionStage<Void> chain = Onion.run(List.of(layer("a")), ctx, () -> null);

        assertThat(failureOf(chain)).isInstanceOf(IllegalStateException.class)
                .hasMessage("the innermost step returned null instead of a CompletionStage");
    }

    @Test
    void everyLayerGetsTheSameContext() {
        List<IoContext> seen = new CopyOnWriteArrayList<>();
        Onion.Layer looking = (ctx, next) -> {
            seen.add(ctx);
            return next.call();
        };

        Onion.run(List.of(looking, looking), ctx, core());

        assertThat(seen).containsExactly(ctx, ctx);
    }
}
