package dev.cloudscope.server.io.internal.netty;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses socket.io requests from browser pages of other sites (io.cors.origins), as socket.io 4 does by default:
 * 403 to a long-polling request or a WebSocket upgrade whose {@code Origin} is neither listed nor this server's own.
 * Without the check any page on any site could use the server from its visitors' browsers: netty-socketio answers
 * every origin with CORS headers that let it in. Requests without an {@code Origin} (command-line clients, same-origin
 * GETs) are not affected.
 */
@Sharable
final class OriginCheck extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(OriginCheck.class);

    private final String path;
    private final Set<String> allowed;
    private final boolean any;

    /** @param origins normalized {@code scheme://host[:port]}, or {@code *} for any */
    OriginCheck(String socketIoPath, List<String> origins) {
        this.path = socketIoPath;
        this.allowed = Set.copyOf(origins);
        this.any = origins.contains("*");
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof FullHttpRequest request && !any) {
            String origin = request.headers().get(HttpHeaderNames.ORIGIN);
            if (origin != null && isSocketIo(request) && !allows(origin, request.headers().get(HttpHeaderNames.HOST))) {
                log.warn("refused a request from {} with origin {} (not in io.cors.origins)",
                        ctx.channel().remoteAddress(), origin.replaceAll("\\p{Cntrl}", "?"));
                request.release();
                EngineIoError.FORBIDDEN.answer(ctx);
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }

    private boolean isSocketIo(FullHttpRequest request) {
        String requestPath = new QueryStringDecoder(request.uri()).path();
        return requestPath.equals(path) || requestPath.startsWith(path + "/");
    }

    private boolean allows(String origin, String host) {
        String normalized = origin.toLowerCase(Locale.ROOT);
        if (allowed.contains(normalized)) {
            return true;
        }
        // the server's own pages: the origin names the host the request was sent to
        int scheme = normalized.indexOf("://");
        return host != null && scheme > 0 && normalized.substring(scheme + 3).equals(host.toLowerCase(Locale.ROOT));
    }
}
