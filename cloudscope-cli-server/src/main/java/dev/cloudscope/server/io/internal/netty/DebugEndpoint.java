package dev.cloudscope.server.io.internal.netty;

import dev.cloudscope.server.io.internal.core.Connections;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /debug/connections}: {@code {"connections": N}}, the connections whose disconnect path has not run
 * yet. Off unless {@code io.debugEndpoint = true}; for tests and operators, on the server's own port.
 */
@Sharable
final class DebugEndpoint extends ChannelInboundHandlerAdapter {

    static final String PATH = "/debug/connections";

    private final Connections connections;

    DebugEndpoint(Connections connections) {
        this.connections = connections;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof FullHttpRequest request && new QueryStringDecoder(request.uri()).path().equals(PATH)) {
            request.release();
            byte[] body = ("{\"connections\":" + connections.count() + "}\n").getBytes(StandardCharsets.UTF_8);
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.wrappedBuffer(body));
            response.headers()
                    .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                    .set(HttpHeaderNames.CONTENT_LENGTH, body.length)
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.channel().writeAndFlush(response).addListener(ChannelFutureListener.CLOSE); // through the HTTP encoder
            return;
        }
        ctx.fireChannelRead(msg);
    }
}
