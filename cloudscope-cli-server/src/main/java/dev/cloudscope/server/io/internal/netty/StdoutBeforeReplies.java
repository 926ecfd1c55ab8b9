package dev.cloudscope.server.io.internal.netty;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;

/**
 * At the head of the pipeline: flushes the process's stdout before bytes go to a client, so that what the app
 * printed before an emit (the lesson's {@code console.log} lines) is written before the client can see the reply,
 * also when stdout is buffered ({@code AppStdout}). Flushing an empty stdout costs no system call.
 */
@Sharable
final class StdoutBeforeReplies extends ChannelOutboundHandlerAdapter {

    static final StdoutBeforeReplies INSTANCE = new StdoutBeforeReplies();

    @Override
    public void flush(ChannelHandlerContext ctx) {
        System.out.flush();
        ctx.flush();
    }
}
