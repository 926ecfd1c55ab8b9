package dev.cloudscope.server.io.internal.netty;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/** The errors an Engine.IO server answers a bad request with: its status, and engine.io's {@code {code, message}}. */
enum EngineIoError {
    UNKNOWN_TRANSPORT(HttpResponseStatus.BAD_REQUEST, 0, "Transport unknown"),
    UNKNOWN_SID(HttpResponseStatus.BAD_REQUEST, 1, "Session ID unknown"),
    BAD_HANDSHAKE_METHOD(HttpResponseStatus.BAD_REQUEST, 2, "Bad handshake method"),
    BAD_REQUEST(HttpResponseStatus.BAD_REQUEST, 3, "Bad request"),
    FORBIDDEN(HttpResponseStatus.FORBIDDEN, 4, "Forbidden"),
    UNSUPPORTED_PROTOCOL_VERSION(HttpResponseStatus.BAD_REQUEST, 5, "Unsupported protocol version");

    private final HttpResponseStatus status;
    private final byte[] body;

    EngineIoError(HttpResponseStatus status, int code, String message) {
        this.status = status;
        this.body = ("{\"code\":" + code + ",\"message\":\"" + message + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    /** Answers the request being read on {@code ctx} with this error, then closes the connection. */
    void answer(ChannelHandlerContext ctx) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .set(HttpHeaderNames.CONTENT_LENGTH, body.length)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        // from the channel's tail, through the HTTP encoder
        ctx.channel().writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
}
