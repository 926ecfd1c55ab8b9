package dev.cloudscope.server.io.internal.netty;

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
import java.util.List;
import java.util.Set;

/**
 * Refuses an Engine.IO version we do not speak, as engine.io does: 400 {@code {"code":5,"message":"Unsupported
 * protocol version"}}. netty-socketio would serve {@code EIO=9} as if it were Engine.IO 3.
 */
@Sharable
final class ProtocolVersionCheck extends ChannelInboundHandlerAdapter {

    static final ProtocolVersionCheck INSTANCE = new ProtocolVersionCheck();

    private static final Set<String> SPOKEN = Set.of("3", "4");

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof FullHttpRequest request) {
            List<String> eio = new QueryStringDecoder(request.uri()).parameters().get("EIO");
            if (eio != null && !eio.isEmpty() && !SPOKEN.contains(eio.get(0))) {
                request.release();
                byte[] body = "{\"code\":5,\"message\":\"Unsupported protocol version\"}".getBytes(StandardCharsets.UTF_8);
                FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                        HttpResponseStatus.BAD_REQUEST, Unpooled.wrappedBuffer(body));
                response.headers()
                        .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                        .set(HttpHeaderNames.CONTENT_LENGTH, body.length)
                        .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                ctx.channel().writeAndFlush(response).addListener(ChannelFutureListener.CLOSE); // through the encoder
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }
}
