package dev.cloudscope.server.io.internal.netty;

import com.corundumstudio.socketio.SocketIOClient;
import com.corundumstudio.socketio.listener.ExceptionListenerAdapter;
import io.netty.channel.ChannelHandlerContext;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * netty-socketio's channel errors, logged in one line: a client that went away (connection reset, broken pipe) is
 * normal for a server and logged at debug; anything else at warn, with the stack trace only at debug.
 */
final class QuietExceptionListener extends ExceptionListenerAdapter {

    private static final Logger log = LoggerFactory.getLogger(QuietExceptionListener.class);

    @Override
    public boolean exceptionCaught(ChannelHandlerContext ctx, Throwable e) {
        if (e instanceof IOException) {
            log.debug("{}: {}", ctx.channel().remoteAddress(), e.toString());
        } else if (log.isDebugEnabled()) {
            log.warn("{}: {}", ctx.channel().remoteAddress(), e.toString(), e);
        } else {
            log.warn("{}: {}", ctx.channel().remoteAddress(), e.toString());
        }
        return true; // handled: netty-socketio goes on as with its default listener
    }

    @Override
    public void onAuthException(Throwable e, SocketIOClient client) {
        log.warn("auth listener failed for socket {}: {}", client.getSessionId(), e.toString());
    }
}
