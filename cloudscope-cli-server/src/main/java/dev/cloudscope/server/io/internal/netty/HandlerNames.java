package dev.cloudscope.server.io.internal.netty;

import com.corundumstudio.socketio.SocketIOChannelInitializer;
import java.util.List;

/** The names of the handlers we add to netty-socketio's pipeline, and which of its own we rely on. */
final class HandlerNames {

    private HandlerNames() {
    }

    static final String STDOUT_BEFORE_REPLIES = "stdoutBeforeReplies";
    static final String FLUSH_CONSOLIDATION = "flushConsolidation";
    static final String WEB_SOCKET_CLOSE_ENCODER = "webSocketCloseEncoder";
    static final String HONEST_CONNECTION_HEADER = "honestConnectionHeader";
    static final String UPGRADED_PIPELINE = "upgradedPipeline";
    static final String ORIGIN_CHECK = "originCheck";
    static final String ENGINE_IO_REQUESTS = "engineIoRequests";
    static final String DEBUG_ENDPOINT = "debugEndpoint";
    static final String HTTP_ROUTES = "httpRoutes";
    static final String WEB_SOCKET_FRAMES = "webSocketFrames";
    static final String ROOT_CONNECT_HOLD = "rootConnectHold";

    /** Netty's WebSocketServerHandshaker names its frame encoder so. */
    static final String HANDSHAKER_ENCODER = "wsencoder";

    /** Handlers only HTTP requests need: removed once a channel has become a WebSocket. */
    static final List<String> HTTP_ONLY = List.of(
            HONEST_CONNECTION_HEADER, ORIGIN_CHECK, ENGINE_IO_REQUESTS, DEBUG_ENDPOINT, HTTP_ROUTES,
            SocketIOChannelInitializer.AUTHORIZE_HANDLER, SocketIOChannelInitializer.XHR_POLLING_TRANSPORT,
            SocketIOChannelInitializer.WRONG_URL_HANDLER, HANDSHAKER_ENCODER, UPGRADED_PIPELINE);
}
