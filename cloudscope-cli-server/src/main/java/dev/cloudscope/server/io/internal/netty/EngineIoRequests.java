package dev.cloudscope.server.io.internal.netty;

import com.corundumstudio.socketio.Configuration;
import com.corundumstudio.socketio.Transport;
import com.corundumstudio.socketio.handler.ClientHead;
import com.corundumstudio.socketio.handler.EncoderHandler;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Engine.IO's rules for the HTTP requests on the socket.io path, checked against netty-socketio's sessions before its
 * authorize handler and transports see a request, and refused as engine.io refuses them ({@link EngineIoError}), in
 * engine.io's order:
 * <ol>
 *   <li>{@code transport} is polling or websocket (code 0), websocket only in an upgrade request (code 3:
 *       netty-socketio opens a session for a plain GET, answers 426 and leaves the session behind);
 *   <li>a handshake (no {@code sid}) is a GET (code 2; an OPTIONS preflight too when CORS is on) with {@code EIO}
 *       3 or 4 (code 5): netty-socketio opens a session for any method, and serves a missing or unknown EIO as if it
 *       were Engine.IO 3;
 *   <li>a {@code sid} names a live session (code 1): netty-socketio answers an unknown one with 500, one that is
 *       not a UUID with nothing, and one whose session ended (ping timeout, close) with 500;
 *   <li>the session's own transport (code 3): no polling once it has upgraded, no second WebSocket once it has one
 *       (engine.io opens that one and closes it; we refuse the upgrade, which the client sees the same way).
 *       netty-socketio's {@code ClientHead.bindChannel} silently puts the newcomer in the place of the transport's
 *       channel: the WebSocket the client uses, or the poll it waits on, stops getting packets;
 *   <li>one pending poll per session: a second GET while one waits ends the session (the waiting poll gets a close
 *       packet, the second 400, code 3), as the protocol says.
 * </ol>
 * Also engine.io's: a polling POST over io.maxPayloadBytes ends its session; netty's aggregator, which answers it
 * 413 before any handler here sees it, is {@link #aggregator our subclass}.
 */
@Sharable
final class EngineIoRequests extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(EngineIoRequests.class);

    private static final Set<String> SPOKEN = Set.of("3", "4");
    private static final String POLLING = "polling";
    private static final String WEBSOCKET = "websocket";

    private final String path;
    private final Set<String> transports;
    private final boolean cors;
    private final int maxContentLength;
    private final Sessions sessions;
    /** The sessions a POST of which is being read now. */
    private final Set<String> postsInFlight = java.util.concurrent.ConcurrentHashMap.newKeySet();

    EngineIoRequests(Configuration configuration, Sessions sessions) {
        this.path = configuration.getContext() + "/"; // netty-socketio's connect path
        this.transports = configuration.getTransports().stream()
                .map(transport -> transport.name().toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
        this.cors = configuration.isEnableCors();
        this.maxContentLength = configuration.getMaxHttpContentLength();
        this.sessions = sessions;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof FullHttpRequest request) {
            QueryStringDecoder query = new QueryStringDecoder(request.uri());
            if (query.path().startsWith(path)) {
                EngineIoError refusal = refusal(request, query, ctx.channel());
                if (refusal != null) {
                    if (log.isDebugEnabled()) {
                        // the path only: the query may hold a token
                        log.debug("refused {} {} from {}: {}", request.method(),
                                query.path().replaceAll("\\p{Cntrl}", "?"), ctx.channel().remoteAddress(), refusal);
                    }
                    request.release();
                    refusal.answer(ctx);
                    return;
                }
            }
        }
        if (msg instanceof FullHttpRequest request && HttpMethod.POST.equals(request.method())) {
            String sid = first(new QueryStringDecoder(request.uri()), "sid");
            if (sid != null && !postsInFlight.add(sid)) {
                // engine.io's "data request overlap": two POSTs of one session read at once on two event loops
                request.release();
                ClientHead session = sessions.live(sid);
                if (session != null) {
                    EngineIo4Reader.logClosed(session, "two POSTs at once");
                    sessions.end(session);
                }
                EngineIoError.BAD_REQUEST.answer(ctx);
                return;
            }
            try {
                ctx.fireChannelRead(msg); // read to its end on this thread: netty-socketio hands its packets on at once
            } finally {
                if (sid != null) {
                    postsInFlight.remove(sid);
                }
            }
            return;
        }
        ctx.fireChannelRead(msg);
    }

    /** Why engine.io would refuse {@code request}, or null. */
    private EngineIoError refusal(HttpRequest request, QueryStringDecoder query, Channel channel) {
        String transport = first(query, "transport");
        if (transport == null || !transports.contains(transport)) {
            return EngineIoError.UNKNOWN_TRANSPORT;
        }
        boolean webSocket = transport.equals(WEBSOCKET);
        if (webSocket && !isUpgrade(request)) {
            return EngineIoError.BAD_REQUEST;
        }
        String sid = first(query, "sid");
        if (sid == null) {
            if (!isHandshakeMethod(request.method())) {
                return EngineIoError.BAD_HANDSHAKE_METHOD;
            }
            String eio = first(query, "EIO");
            return eio != null && SPOKEN.contains(eio) ? null : EngineIoError.UNSUPPORTED_PROTOCOL_VERSION;
        }
        ClientHead session = sessions.live(sid);
        if (session == null) {
            return EngineIoError.UNKNOWN_SID;
        }
        if (webSocket) {
            Channel bound = sessions.channel(session, Transport.WEBSOCKET);
            boolean hasOne = session.getCurrentTransport() == Transport.WEBSOCKET || bound != null && bound.isActive();
            return hasOne ? EngineIoError.BAD_REQUEST : null;
        }
        if (session.getCurrentTransport() != Transport.POLLING) {
            return EngineIoError.BAD_REQUEST;
        }
        if (HttpMethod.GET.equals(request.method()) && hasPendingPoll(session, channel)) {
            log.debug("ended session {}: a second poll while one was pending", sid);
            sessions.end(session);
            return EngineIoError.BAD_REQUEST;
        }
        if (HttpMethod.POST.equals(request.method()) && Generation.of(session) == Generation.V4
                && request instanceof FullHttpRequest full) {
            // checked before netty-socketio answers "ok" and reads it: a payload that breaks the protocol gets 400
            String problem = EngineIo4Reader.problemWith(full.content());
            if (problem != null) {
                EngineIo4Reader.logClosed(session, problem);
                sessions.end(session);
                return EngineIoError.BAD_REQUEST;
            }
        }
        return null;
    }

    /**
     * GET; and OPTIONS when CORS is on, a browser's preflight, which netty-socketio answers (engine.io's CORS
     * middleware answers it before its checks; without CORS, engine.io refuses it as a handshake).
     */
    private boolean isHandshakeMethod(HttpMethod method) {
        return HttpMethod.GET.equals(method) || cors && HttpMethod.OPTIONS.equals(method);
    }

    private static boolean isUpgrade(HttpRequest request) {
        return request.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true);
    }

    /** A poll of {@code session} other than {@code channel}'s that is still open and not answered yet. */
    private boolean hasPendingPoll(ClientHead session, Channel channel) {
        Channel poll = sessions.channel(session, Transport.POLLING);
        // netty-socketio marks a poll answered (its channel is closed right after) with WRITE_ONCE
        return poll != null && poll != channel && poll.isActive() && poll.attr(EncoderHandler.WRITE_ONCE).get() == null;
    }

    /** A polling POST over io.maxPayloadBytes, which the aggregator answers with 413: engine.io ends its session. */
    private void tooLarge(HttpRequest request) {
        QueryStringDecoder query = new QueryStringDecoder(request.uri());
        String sid = first(query, "sid");
        if (query.path().startsWith(path) && HttpMethod.POST.equals(request.method())
                && POLLING.equals(first(query, "transport")) && sid != null) {
            ClientHead session = sessions.live(sid);
            if (session != null && session.getCurrentTransport() == Transport.POLLING) {
                log.debug("ended session {}: a POST over {} bytes", sid, maxContentLength);
                sessions.end(session);
            }
        }
    }

    /** netty-socketio's HTTP aggregator, for one channel, which also ends the session of a POST it finds too large. */
    HttpObjectAggregator aggregator() {
        return new HttpObjectAggregator(maxContentLength) {
            @Override
            protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
                return null; // as netty-socketio's: no "100 Continue"
            }

            @Override
            protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) throws Exception {
                if (oversized instanceof HttpRequest request) {
                    tooLarge(request);
                }
                super.handleOversizedMessage(ctx, oversized);
            }
        };
    }

    private static String first(QueryStringDecoder query, String name) {
        List<String> values = query.parameters().get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }
}
