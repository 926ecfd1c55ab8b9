/**
 * What an app author writes against: the twin of egg-socket.io's {@code app.io}.
 *
 * <p>An app writes {@link dev.cloudscope.server.io.ConnectionMiddleware connection middleware} and
 * {@link dev.cloudscope.server.io.PacketMiddleware packet middleware} (onions, Koa style),
 * {@link dev.cloudscope.server.io.Controller controllers}, {@link dev.cloudscope.server.io.Routes routes}
 * and a config entry; it binds middleware by the name config uses ({@link dev.cloudscope.server.io.IoBindings}).
 *
 * <p>Threading: the framework never runs app code on a Netty event loop. Every chain starts on the
 * connection's own sequential lane of a worker pool, so code of one connection never runs on two threads
 * at once unless it hands work elsewhere itself. Async work is expressed as {@link java.util.concurrent.CompletionStage}.
 */
package dev.cloudscope.server.io;
