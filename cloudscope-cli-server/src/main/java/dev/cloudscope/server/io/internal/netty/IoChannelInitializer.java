package dev.cloudscope.server.io.internal.netty;

import com.corundumstudio.socketio.Configuration;
import com.corundumstudio.socketio.SocketIOChannelInitializer;
import com.corundumstudio.socketio.SocketIOServer;
import com.corundumstudio.socketio.ack.AckManager;
import com.corundumstudio.socketio.handler.ClientHead;
import com.corundumstudio.socketio.handler.ClientsBox;
import com.corundumstudio.socketio.handler.InPacketHandler;
import dev.cloudscope.server.config.IoSettings;
import dev.cloudscope.server.io.internal.core.Connections;
import com.corundumstudio.socketio.handler.PacketListener;
import com.corundumstudio.socketio.handler.TransportState;
import com.corundumstudio.socketio.namespace.NamespacesHub;
import com.corundumstudio.socketio.protocol.PacketDecoder;
import com.corundumstudio.socketio.scheduler.CancelableScheduler;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.flush.FlushConsolidationHandler;
import java.lang.reflect.Field;
import java.util.Map;

/**
 * netty-socketio's pipeline with its packet handler replaced by {@link IoPacketHandler}.
 *
 * <p>netty-socketio 2.0.14 builds its decoder, ack manager and packet listener inside {@code start} and keeps them
 * private; the replacement must share them (the ack manager holds the acks of every client), so they are read
 * once, here, by reflection; so are its sessions ({@code ClientsBox}) and the field where each keeps its
 * transports' channels, which {@link EngineIoRequests} checks requests against. A netty-socketio upgrade that renames
 * them fails at start-up with the field's name.
 */
final class IoChannelInitializer extends SocketIOChannelInitializer {

    private final ClientEvents clients;
    private final Connections connections;
    private final IoSettings io;
    private final DebugEndpoint debugEndpoint;
    private IoPacketHandler packetHandler;
    private WebSocketFrames webSocketFrames;
    private OriginCheck originCheck;
    private IoEncoderHandler encoder;
    private EngineIoRequests engineIoRequests;

    private final HttpRoutes http;

    private IoChannelInitializer(ClientEvents clients, Connections connections, IoSettings io, HttpRoutes http) {
        this.clients = clients;
        this.http = http;
        this.connections = connections;
        this.io = io;
        this.debugEndpoint = io.debugEndpoint() ? new DebugEndpoint(connections) : null;
    }

    /** Puts our initializer in {@code server}, and stops the timer of the default one it replaces. */
    static void install(SocketIOServer server, ClientEvents clients, Connections connections, IoSettings io,
                        HttpRoutes http) {
        SocketIOChannelInitializer replaced = read(SocketIOServer.class, server, "pipelineFactory",
                SocketIOChannelInitializer.class);
        // its timer thread is started already; netty reports it as a leak once the initializer is collected
        read(SocketIOChannelInitializer.class, replaced, "scheduler", CancelableScheduler.class).shutdown();
        server.setPipelineFactory(new IoChannelInitializer(clients, connections, io, http));
    }

    @Override
    public void start(Configuration configuration, NamespacesHub namespacesHub) {
        super.start(configuration, namespacesHub);
        InPacketHandler original = read(SocketIOChannelInitializer.class, this, "packetHandler", InPacketHandler.class);
        IoPacketHandler.NettyParts parts = new IoPacketHandler.NettyParts(
                read(InPacketHandler.class, original, "packetListener", PacketListener.class),
                read(InPacketHandler.class, original, "decoder", PacketDecoder.class),
                read(SocketIOChannelInitializer.class, this, "ackManager", AckManager.class),
                namespacesHub);
        ClientsBox box = read(SocketIOChannelInitializer.class, this, "clientsBox", ClientsBox.class);
        Sessions sessions = new Sessions(box, transportChannels());
        packetHandler = new IoPacketHandler(parts, namespacesHub, configuration.getExceptionListener(), clients, connections,
                sessions);
        originCheck = new OriginCheck(configuration.getContext(), io.corsOrigins());
        webSocketFrames = new WebSocketFrames(box);
        engineIoRequests = new EngineIoRequests(configuration, sessions);
        encoder = IoEncoderHandler.create(configuration);
    }

    /** One for all channels: netty's default creates one per channel (the per-channel state is in its handle). */
    private static final RecvByteBufAllocator RECV_ALLOCATOR = new AdaptiveRecvByteBufAllocator();

    @Override
    protected void initChannel(Channel ch) throws Exception {
        ch.config().setRecvByteBufAllocator(RECV_ALLOCATOR);
        super.initChannel(ch);
    }

    @Override
    protected void addSocketioHandlers(ChannelPipeline pipeline) {
        super.addSocketioHandlers(pipeline);
        pipeline.replace(PACKET_HANDLER, PACKET_HANDLER, packetHandler);
        pipeline.replace(SOCKETIO_ENCODER, SOCKETIO_ENCODER, encoder); // frames per Engine.IO generation
        // the HTTP encoder right after the decoder, so that what the aggregator answers (413 for a body over
        // io.maxPayloadBytes) is encoded too; netty-socketio puts it after the aggregator, where its 413 is lost
        pipeline.remove(HTTP_ENCODER);
        pipeline.addAfter(HTTP_REQUEST_DECODER, HTTP_ENCODER, new HttpResponseEncoder());
        // outbound messages pass it before the HTTP encoder
        pipeline.addAfter(HTTP_ENCODER, HandlerNames.HONEST_CONNECTION_HEADER, HonestConnectionHeader.INSTANCE);
        // after the upgrade to WebSocket, drops the handlers above that only HTTP requests need
        pipeline.addAfter(HTTP_ENCODER, HandlerNames.UPGRADED_PIPELINE, UpgradedPipeline.INSTANCE);
        pipeline.addBefore(PACKET_HANDLER, HandlerNames.ORIGIN_CHECK, originCheck);
        pipeline.addBefore(PACKET_HANDLER, HandlerNames.ENGINE_IO_REQUESTS, engineIoRequests);
        pipeline.replace(HTTP_AGGREGATOR, HTTP_AGGREGATOR, engineIoRequests.aggregator());
        pipeline.addBefore(WEB_SOCKET_TRANSPORT, HandlerNames.WEB_SOCKET_FRAMES, webSocketFrames);
        if (clients.servesRoot()) { // else "/" is netty-socketio's alone, its CONNECT too
            pipeline.addAfter(SOCKETIO_ENCODER, HandlerNames.ROOT_CONNECT_HOLD, RootConnectHold.INSTANCE);
        }
        // the WebSocket decoder takes the HTTP decoder's place at the head of the pipeline and answers a frame
        // over io.maxPayloadBytes with a close frame (1009) written from there, where no encoder would see it
        WebSocket13FrameEncoder closeFrames = new WebSocket13FrameEncoder(false);
        if (pipeline.get(SSL_HANDLER) != null) {
            pipeline.addAfter(SSL_HANDLER, HandlerNames.WEB_SOCKET_CLOSE_ENCODER, closeFrames);
        } else {
            pipeline.addFirst(HandlerNames.WEB_SOCKET_CLOSE_ENCODER, closeFrames);
        }
        // netty-socketio flushes every frame it writes; a round trip's replies then cost one write syscall each.
        // Flushes made outside a read (app code runs in a task after it, or on a worker) are deferred to one flush
        // task on the event loop, and those made while a read is in progress to its end: one write.
        pipeline.addFirst(HandlerNames.FLUSH_CONSOLIDATION, new FlushConsolidationHandler(
                FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true));
        // closest to the socket: the flushes that really go out, after consolidation
        pipeline.addFirst(HandlerNames.STDOUT_BEFORE_REPLIES, StdoutBeforeReplies.INSTANCE);
        if (!http.isEmpty()) { // after the HTTP handlers, before socket.io's
            pipeline.addBefore(PACKET_HANDLER, HandlerNames.HTTP_ROUTES, http);
        }
        if (debugEndpoint != null) {
            // after the HTTP handlers (the compressor must see the request it answers), before socket.io's
            pipeline.addBefore(PACKET_HANDLER, HandlerNames.DEBUG_ENDPOINT, debugEndpoint);
        }
    }

    private static <T> T read(Class<?> owner, Object target, String name, Class<T> type) {
        try {
            Field field = owner.getDeclaredField(name);
            field.setAccessible(true);
            return type.cast(field.get(target));
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("netty-socketio internals changed: cannot read "
                    + owner.getSimpleName() + "." + name + " (built against netty-socketio 2.0.14)", e);
        }
    }

    /** The channel bound to each transport of a session: ClientHead keeps them private, in a map of states. */
    private static Sessions.TransportChannels transportChannels() {
        Field channels;
        try {
            channels = ClientHead.class.getDeclaredField("channels");
            channels.setAccessible(true);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("netty-socketio internals changed: cannot read ClientHead.channels"
                    + " (built against netty-socketio 2.0.14)", e);
        }
        return (session, transport) -> {
            try {
                TransportState state = (TransportState) ((Map<?, ?>) channels.get(session)).get(transport);
                return state == null ? null : state.getChannel();
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e); // made accessible above
            }
        };
    }
}
