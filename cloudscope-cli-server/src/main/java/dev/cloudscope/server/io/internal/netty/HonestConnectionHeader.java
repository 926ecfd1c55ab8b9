package dev.cloudscope.server.io.internal.netty;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import java.util.List;

/**
 * netty-socketio answers every long-polling request with {@code Connection: keep-alive} and then closes the
 * connection. A client that believes it (Node 19+ keeps connections alive by default) sends its next poll on a
 * socket being closed and gets a reset: socket.io-client 2.x reports "xhr poll error" and gives up. We say
 * {@code Connection: close}, which is what happens. The WebSocket handshake ({@code Connection: Upgrade}) is left
 * alone.
 *
 * <p>netty-socketio also sets a cookie {@code io=SID} on every long-polling answer; engine.io 4 sets none (socket.io
 * 3+: {@code cookie: false}), and a browser would send it to every page of the server. It is dropped here (the
 * server never reads it: every handshake gets a new sid, {@code Configuration.setRandomSession}).
 */
@Sharable
final class HonestConnectionHeader extends ChannelOutboundHandlerAdapter {

    static final HonestConnectionHeader INSTANCE = new HonestConnectionHeader();

    private static final String SESSION_COOKIE = "io=";

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (msg instanceof HttpResponse response
                && response.headers().containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE, true)) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        if (msg instanceof HttpResponse response && response.headers().contains(HttpHeaderNames.SET_COOKIE)) {
            List<String> cookies = response.headers().getAll(HttpHeaderNames.SET_COOKIE);
            response.headers().remove(HttpHeaderNames.SET_COOKIE);
            for (String cookie : cookies) {
                if (!cookie.startsWith(SESSION_COOKIE)) {
                    response.headers().add(HttpHeaderNames.SET_COOKIE, cookie);
                }
            }
        }
        super.write(ctx, msg, promise);
    }
}
