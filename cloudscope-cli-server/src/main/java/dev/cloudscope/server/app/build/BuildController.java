package dev.cloudscope.server.app.build;

import dev.cloudscope.server.io.IoContext;
import jakarta.inject.Inject;
import java.io.IOException;
import dev.cloudscope.protocol.BuildEvents;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cloud build on {@code /build} (docs/cloudbuild.md): {@code build}, {@code detach}, {@code follow},
 * {@code cancel}, {@code status}, {@code list}, each answered through its acknowledgement ({@code {error}} when it
 * cannot be done). Work that touches the disk runs on the worker pool, never on the event loop.
 */
public class BuildController {

    private static final Logger log = LoggerFactory.getLogger(BuildController.class);

    /** A {@code follow} page: at most this many entries (each line is at most 8 KiB), or in batch mode (one event). */
    static final int PAGE_ENTRIES = 500;
    static final int BATCH_PAGE_ENTRIES = 2000;
    /** How long a {@code follow} with nothing new waits for more before it answers empty. */
    static final long FOLLOW_WAIT_SECONDS = 25;
    /**
     * The same for a socket that owns a build it has not detached: the framework runs a socket's disconnect path
     * (here: cancel the builds it owns) only once its packets in flight have finished, so a 25 s wait would let such
     * a build run on up to 25 s after its owner left.
     */
    static final long OWNER_FOLLOW_WAIT_MILLIS = 1000;

    private static final String FOLLOWING = "build.following:";

    private final Builds builds;
    private final Executor workers;

    @Inject
    BuildController(Builds builds, Executor workers) {
        this.builds = builds;
        this.workers = workers;
    }

    /** {@code build {repo, branch, command?}}: ack {@code {id}} or {@code {error}}. */
    public CompletionStage<Void> build(IoContext ctx) {
        return onWorkers(ctx, () -> {
            try {
                return Map.of("id", builds.submit(ctx.args().isEmpty() ? null : ctx.args().get(0), ctx.socket().id()).value());
            } catch (Builds.Busy e) {
                return error(e.getMessage());
            }
        });
    }

    /** {@code detach {id}}: the build goes on when this client leaves. */
    public CompletionStage<Void> detach(IoContext ctx) {
        return onWorkers(ctx, () -> {
            BuildId id = id(ctx);
            return builds.detach(id) ? Map.of("id", id.value()) : unknown(id);
        });
    }

    /**
     * {@code cancel {id}}: ack {@code {id, status}}, once a running build has ended (its status then CANCELLED), not
     * holding a worker meanwhile.
     */
    public CompletionStage<Void> cancel(IoContext ctx) {
        BuildId id;
        try {
            id = id(ctx);
        } catch (InvalidInputException e) {
            ctx.ack(error(e.getMessage()));
            return CompletableFuture.completedFuture(null);
        }
        return CompletableFuture.supplyAsync(() -> {
                    try {
                        return builds.cancel(id);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }, workers)
                .thenCompose(status -> status)
                .handleAsync((status, failure) -> {
                    if (failure != null) {
                        log.warn("cancel of build {} failed: {}", id.value(), failure.toString());
                        ctx.ack(error("the server could not read its builds"));
                    } else {
                        ctx.ack(status.<Map<String, Object>>map(s -> Map.of("id", id.value(), "status", s.name()))
                                .orElseGet(() -> unknown(id)));
                    }
                    return null;
                }, workers);
    }

    /** {@code status {id}}. */
    public CompletionStage<Void> status(IoContext ctx) {
        return onWorkers(ctx, () -> {
            BuildId id = id(ctx);
            return builds.status(id).orElseGet(() -> unknown(id));
        });
    }

    /** {@code list}: ack {@code {builds: [...]}}, newest first. */
    public CompletionStage<Void> list(IoContext ctx) {
        return onWorkers(ctx, () -> Map.of("builds", builds.list()));
    }

    /**
     * {@code follow {id, after}}: the entries after {@code after}, in order, as {@code stage}, {@code log} and
     * {@code status} events, then ack {@code {id, lastSeq, finished}}; with none yet, it waits for some first (25 s at
     * most; 1 s for a socket that owns an unfinished build it has not detached, see OWNER_FOLLOW_WAIT_MILLIS). One
     * page per request and one request in flight per build and socket: a client that does not read gets nothing more,
     * so a slow follower costs the server one page at most.
     */
    public CompletionStage<Void> follow(IoContext ctx) {
        BuildId id;
        long after;
        try {
            id = id(ctx);
            after = after(ctx);
        } catch (InvalidInputException e) {
            ctx.ack(error(e.getMessage()));
            return CompletableFuture.completedFuture(null);
        }
        String following = FOLLOWING + id.value();
        if (ctx.socket().data().putIfAbsent(following, Boolean.TRUE) != null) {
            ctx.ack(error("this connection already follows build " + id.value() + ": wait for its answer"));
            return CompletableFuture.completedFuture(null);
        }
        long waitMillis = builds.ownsUnfinished(ctx.socket().id()) ? OWNER_FOLLOW_WAIT_MILLIS
                : TimeUnit.SECONDS.toMillis(FOLLOW_WAIT_SECONDS);
        int pageEntries = batch(ctx) ? BATCH_PAGE_ENTRIES : PAGE_ENTRIES;
        // a client that has not taken the last page yet gets the next one once it has: the server holds one at most
        return whenWritable(ctx, System.nanoTime() + TimeUnit.SECONDS.toNanos(FOLLOW_WAIT_SECONDS))
                .thenApplyAsync(ignored -> page(id, after, pageEntries), workers)
                .thenCompose(page -> page == null || !page.entries().isEmpty() || page.finished()
                        ? CompletableFuture.completedFuture(page)
                        : builds.logs().awaitAfter(id, after).toCompletableFuture()
                                .completeOnTimeout(null, waitMillis, TimeUnit.MILLISECONDS)
                                .thenApplyAsync(ignored -> page(id, after, pageEntries), workers))
                .handle((page, failure) -> {
                    ctx.socket().data().remove(following);
                    if (failure != null) {
                        log.warn("follow of build {} failed: {}", id.value(), failure.toString());
                        ctx.ack(error("cannot read the log of build " + id.value()));
                    } else if (page == null) {
                        ctx.ack(unknown(id));
                    } else {
                        List<Map<String, Object>> batch = batch(ctx) ? new ArrayList<>(page.entries().size()) : null;
                        for (LogEntry entry : page.entries()) {
                            Map<String, Object> event = new LinkedHashMap<>();
                            event.put("id", id.value());
                            event.putAll(entry.toMap());
                            if (batch != null) {
                                batch.add(event);
                            } else {
                                Object type = event.remove("type");
                                ctx.socket().emit(String.valueOf(type), event);
                            }
                        }
                        if (batch != null && !batch.isEmpty()) {
                            // one event for the page: a socket.io event per line costs the server and the client
                            // far more than the line itself
                            ctx.socket().emit(BuildEvents.ENTRIES, Map.of("id", id.value(), "entries", batch));
                        }
                        // more: the page was full, so the log may hold more already (a client reading "up to now" goes on)
                        ctx.ack(Map.of("id", id.value(), "lastSeq", page.lastSeq(), "finished", page.finished(),
                                "more", full(page, pageEntries)));
                    }
                    return null;
                });
    }

    /** Completes once the client's send buffer has room again, or at {@code deadline} (then it is answered anyway). */
    private CompletableFuture<Void> whenWritable(IoContext ctx, long deadline) {
        if (ctx.socket().writable() || System.nanoTime() > deadline) {
            return CompletableFuture.completedFuture(null);
        }
        return CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(20, TimeUnit.MILLISECONDS, workers))
                .thenCompose(ignored -> whenWritable(ctx, deadline));
    }

    /** A page of the log, or null for an unknown build. */
    private LogPage page(BuildId id, long after, int entries) {
        try {
            return builds.logs().read(id, after, entries);
        } catch (UnknownBuildException e) {
            return null;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @FunctionalInterface
    private interface Answer {
        Map<String, Object> get() throws InvalidInputException, IOException;
    }

    /** Runs {@code answer} on the worker pool and acknowledges with what it returns, or {@code {error}}. */
    private CompletionStage<Void> onWorkers(IoContext ctx, Answer answer) {
        return CompletableFuture.runAsync(() -> {
            try {
                ctx.ack(answer.get());
            } catch (InvalidInputException e) {
                ctx.ack(error(e.getMessage()));
            } catch (IOException e) {
                log.warn("{} failed: {}", ctx.packet().event(), e.toString());
                ctx.ack(error("the server could not read its builds"));
            }
        }, workers);
    }

    private static BuildId id(IoContext ctx) throws InvalidInputException {
        Object id = field(ctx, "id");
        if (!(id instanceof String text)) {
            throw new InvalidInputException("id: a build id is needed");
        }
        return BuildId.parse(text);
    }

    private static long after(IoContext ctx) throws InvalidInputException {
        Object after = field(ctx, "after");
        if (after == null) {
            return 0;
        }
        if (!(after instanceof Number number) || number.longValue() < 0 || number.doubleValue() != number.longValue()) {
            throw new InvalidInputException("after: a sequence number (0 or more) is needed");
        }
        return number.longValue();
    }

    private static Object field(IoContext ctx, String name) {
        return !ctx.args().isEmpty() && ctx.args().get(0) instanceof Map<?, ?> map ? map.get(name) : null;
    }

    /** Whether the store cut the page (at its entries or its bytes): the log may hold more already. */
    private static boolean full(LogPage page, int pageEntries) {
        if (page.entries().size() >= pageEntries) {
            return true;
        }
        long bytes = 0;
        for (LogEntry entry : page.entries()) {
            bytes += entry instanceof LogEntry.Line line ? line.line().length() + 64 : 64;
        }
        return bytes >= FileLogStore.PAGE_BYTES - BuildProcess.MAX_LINE_BYTES - 1024;
    }

    /** {@code follow {..., batch: true}}: the page as one {@code entries} event. */
    private static boolean batch(IoContext ctx) {
        return Boolean.TRUE.equals(field(ctx, "batch"));
    }

    private static Map<String, Object> unknown(BuildId id) {
        return error("no build " + id.value());
    }

    private static Map<String, Object> error(String message) {
        return Map.of("error", message);
    }
}
