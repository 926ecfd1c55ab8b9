package dev.cloudscope.server.io.internal.netty;

import dev.cloudscope.server.io.HttpGet;
import dev.cloudscope.server.io.HttpHandler;
import dev.cloudscope.server.io.HttpReply;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.DefaultFileRegion;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpContentCompressor;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plain HTTP beside socket.io: a GET under a bound prefix goes to its {@link HttpHandler}, on the worker pool;
 * everything else goes on to netty-socketio. The longest matching prefix wins; {@code "/x/"} also takes {@code /x}.
 * The prefix {@code "/"} takes the path {@code /} alone: every path is under it, and socket.io's, other handlers'
 * and netty-socketio's must stay theirs.
 */
@Sharable
final class HttpRoutes extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(HttpRoutes.class);

    private static final String ROOT = "/";

    private record Route(String prefix, HttpHandler handler) {
    }

    private final List<Route> routes;
    private final Executor workers;

    HttpRoutes(Map<String, HttpHandler> handlers, Executor workers) {
        this.routes = handlers.entrySet().stream().map(e -> new Route(e.getKey(), e.getValue()))
                .sorted(Comparator.comparingInt((Route r) -> r.prefix().length()).reversed()).toList();
        this.workers = workers;
    }

    boolean isEmpty() {
        return routes.isEmpty();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof FullHttpRequest request) {
            QueryStringDecoder uri = new QueryStringDecoder(request.uri());
            Route route = route(uri.path());
            if (route != null) {
                answer(ctx, request, uri, route);
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }

    private Route route(String path) {
        for (Route route : routes) {
            if (matches(route.prefix(), path)) {
                return route;
            }
        }
        return null;
    }

    static boolean matches(String prefix, String path) {
        if (prefix.equals(ROOT)) {
            return path.equals(ROOT);
        }
        return path.startsWith(prefix) || path.equals(prefix.substring(0, prefix.length() - 1));
    }

    private void answer(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder uri, Route route) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        boolean head = HttpMethod.HEAD.equals(request.method());
        if (!HttpMethod.GET.equals(request.method()) && !head) {
            request.release();
            send(ctx, HttpReply.text(405, "text/plain", "method not allowed\n").with("Allow", "GET, HEAD"), false, false);
            return;
        }
        Map<String, String> headers = new LinkedHashMap<>();
        request.headers().forEach(h -> headers.put(h.getKey().toLowerCase(Locale.ROOT), h.getValue()));
        String rawPath = request.uri().split("[?#]", 2)[0];
        HttpGet get = new HttpGet(uri.path(), rawPath, uri.parameters(), headers);
        request.release();
        try {
            workers.execute(() -> {
                HttpReply reply;
                try {
                    reply = route.handler().get(get);
                } catch (IOException | RuntimeException e) {
                    log.warn("GET {} failed: {}", uri.path().replaceAll("\\p{Cntrl}", "?"), e.toString());
                    reply = HttpReply.text(500, "text/plain", "internal server error\n");
                }
                HttpReply answer = sized(ctx, reply);
                ctx.channel().eventLoop().execute(() -> send(ctx, answer, keepAlive, head));
            });
        } catch (RejectedExecutionException stopping) {
            send(ctx, HttpReply.text(503, "text/plain", "stopping\n"), false, false);
        }
    }

    /**
     * On the worker: a file is read into memory where the HTTP compressor would have to compress it (it passes a
     * file sent from disk as it is, under a gzip header), and a file that is gone is a 404 now, not on the event loop.
     */
    private static HttpReply sized(ChannelHandlerContext ctx, HttpReply reply) {
        if (reply.file() == null) {
            return reply;
        }
        try {
            if (ctx.pipeline().get(HttpContentCompressor.class) != null) {
                return new HttpReply(reply.status(), reply.contentType(), Files.readAllBytes(reply.file()), null,
                        reply.headers());
            }
            Files.size(reply.file());
            return reply;
        } catch (IOException e) {
            return HttpReply.notFound();
        }
    }

    private static void send(ChannelHandlerContext ctx, HttpReply reply, boolean keepAlive, boolean head) {
        HttpResponseStatus status = HttpResponseStatus.valueOf(reply.status());
        long length;
        try {
            length = reply.file() != null ? Files.size(reply.file()) : reply.body().length;
        } catch (IOException e) {
            reply = HttpReply.notFound();
            status = HttpResponseStatus.NOT_FOUND;
            length = reply.body().length;
        }
        HttpResponse response = reply.file() == null && !head
                ? new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(reply.body()))
                : new DefaultHttpResponse(HttpVersion.HTTP_1_1, status);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, reply.contentType())
                .set(HttpHeaderNames.CONTENT_LENGTH, length)
                .set("X-Content-Type-Options", "nosniff")
                .set(HttpHeaderNames.CONNECTION, keepAlive ? HttpHeaderValues.KEEP_ALIVE : HttpHeaderValues.CLOSE);
        reply.headers().forEach(response.headers()::set);
        // from the channel's tail, through the HTTP encoder
        ChannelFuture written;
        if (response instanceof DefaultFullHttpResponse) {
            written = ctx.channel().writeAndFlush(response);
        } else {
            ctx.channel().write(response);
            if (!head && reply.file() != null) {
                ctx.channel().write(new DefaultFileRegion(reply.file().toFile(), 0, length));
            }
            written = ctx.channel().writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        }
        if (!keepAlive) {
            written.addListener(ChannelFutureListener.CLOSE);
        }
    }
}
