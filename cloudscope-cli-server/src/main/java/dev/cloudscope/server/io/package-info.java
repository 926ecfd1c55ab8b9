/**
 * What an app author writes against: the twin of egg-socket.io's {@code app.io}.
 *
 * <p>An app writes {@link dev.cloudscope.server.io.ConnectionMiddleware connection middleware} and
 * {@link dev.cloudscope.server.io.PacketMiddleware packet middleware} (onions, Koa style),
 * {@link dev.cloudscope.server.io.Controller controllers}, {@link dev.cloudscope.server.io.Routes routes}
 * and a config entry; it binds middleware by the name config uses ({@link dev.cloudscope.server.io.IoBindings}).
 *
 * <p>Rooms and broadcast, in egg's words: {@link dev.cloudscope.server.io.IoSocket#join},
 * {@link dev.cloudscope.server.io.IoSocket#to}, {@link dev.cloudscope.server.io.IoSocket#broadcast},
 * {@link dev.cloudscope.server.io.IoNamespace} (every socket of a namespace) and, outside a packet's chain, the
 * injectable {@link dev.cloudscope.server.io.Io}. Plain HTTP GETs beside socket.io:
 * {@link dev.cloudscope.server.io.HttpHandler}.
 *
 * <p>Threading ({@code io.appThreads}): by default every chain runs on the Netty event loop that serves its
 * connection, as a Node app runs on its one thread: it must not block there; blocking work goes to the injected
 * {@link java.util.concurrent.Executor} (the worker pool) and completes the chain's stage from there. With
 * {@code io.appThreads = workers} the chains run on the connection's own sequential lane of the worker pool instead.
 * Either way code of one connection never runs on two threads at once unless it hands work elsewhere itself, and
 * its packets start their chains in arrival order. Async work is expressed as {@link java.util.concurrent.CompletionStage}.
 */
package dev.cloudscope.server.io;
