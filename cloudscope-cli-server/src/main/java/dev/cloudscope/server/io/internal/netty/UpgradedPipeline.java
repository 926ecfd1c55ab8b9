package dev.cloudscope.server.io.internal.netty;

import com.corundumstudio.socketio.SocketIOChannelInitializer;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.List;

/**
 * Once a channel has become a WebSocket (its 101 response is out), removes the handlers only HTTP requests need:
 * they stay in the pipeline of every WebSocket connection for its life otherwise (a context of 56 bytes each, and
 * netty-socketio's authorize handler cancels a timer on every frame it sees). The handshaker's own frame encoder
 * goes too: ours at the head of the pipeline encodes every frame written (see {@link IoChannelInitializer}).
 */
@Sharable
final class UpgradedPipeline extends ChannelOutboundHandlerAdapter {

    static final UpgradedPipeline INSTANCE = new UpgradedPipeline();

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (msg instanceof HttpResponse response
                && HttpResponseStatus.SWITCHING_PROTOCOLS.equals(response.status())) {
            ChannelPipeline pipeline = ctx.pipeline();
            promise = promise.unvoid();
            promise.addListener(written -> {
                if (written.isSuccess()) {
                    for (String name : HandlerNames.HTTP_ONLY) {
                        if (pipeline.context(name) != null) {
                            pipeline.remove(name);
                        }
                    }
                }
            });
        }
        super.write(ctx, msg, promise);
    }
}
