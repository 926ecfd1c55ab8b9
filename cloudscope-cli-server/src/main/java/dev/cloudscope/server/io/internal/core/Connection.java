package dev.cloudscope.server.io.internal.core;

import dev.cloudscope.server.io.Controller;
import dev.cloudscope.server.io.IoContext;
import dev.cloudscope.server.io.Packet;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client on one namespace, from its CONNECT to its disconnect path.
 *
 * <p>The life of a connection, in order:
 * <ol>
 *   <li>CONNECTING: the connection middleware runs. What it emits is held, and so are the packets that arrive.
 *   <li>The innermost {@code next} establishes it (OPEN): the namespace's CONNECT goes out, then the held emits,
 *       then the held packets run, in arrival order.
 *       Or the chain fails, or ends without calling {@code next}: the client gets a connect error, and nothing else runs.
 *   <li>Each event packet runs the packet middleware and its controller; then it is acknowledged if it asked to be.
 *   <li>Disconnect (CLOSING): the socket leaves its rooms; once the packets in flight have finished, the innermost
 *       {@code next} completes, so the connection middleware's code after {@code next} runs, once (CLOSED).
 * </ol>
 * All app code runs on {@code lane}, a sequential executor: the connection's event loop, or its own slice of the
 * worker pool ({@code io.appThreads}).
 */
final class Connection {

    private static final Logger log = LoggerFactory.getLogger(Connection.class);

    private enum State { CONNECTING, OPEN, CLOSING, CLOSED }

    static final String INTERNAL_ERROR = "internal server error";

    private record HeldEmit(String event, Object[] args) {
    }

    private record HeldPacket(Packet packet, Ack ack) {
    }

    private final Link link;
    private final NamespaceChain chain;
    private final Executor lane;
    private final SocketOnNamespace socket;
    private final String errorEvent;
    private final CompletableFuture<Void> disconnected = new CompletableFuture<>();
    private final CompletableFuture<Void> finished = new CompletableFuture<>();

    // guarded by this
    private State state = State.CONNECTING;
    private boolean connectSent;
    private int inFlight;
    // created when something is held (a connection middleware still running), dropped once established: an idle
    // connection keeps neither
    private List<HeldEmit> heldEmits;
    private Queue<HeldPacket> heldPackets;

    /** @param errorEvent the event the client is sent when one of its packets fails, or empty for none */
    Connection(Link link, NamespaceChain chain, Executor lane, Rooms rooms, String errorEvent) {
        this.link = link;
        this.chain = chain;
        this.lane = lane;
        this.errorEvent = errorEvent;
        this.socket = new SocketOnNamespace(this, link, rooms);
    }

    String namespace() {
        return chain.name();
    }

    String id() {
        return link.sessionId();
    }

    Link link() {
        return link;
    }

    SocketOnNamespace socket() {
        return socket;
    }

    /** Completes when the connection's whole chain, disconnect path included, has run. */
    CompletableFuture<Void> finished() {
        return finished;
    }

    synchronized boolean isOpen() {
        return state == State.OPEN;
    }

    /** Whether a new CONNECT for this namespace is a duplicate (rather than a reconnect after a disconnect). */
    synchronized boolean isConnectingOrOpen() {
        return state == State.CONNECTING || state == State.OPEN;
    }

    /** Runs the connection middleware; the connection is established when it reaches the innermost {@code next}. */
    void start() {
        lane.execute(() -> Onion.run(chain.connectionMiddleware(), Contexts.connection(socket), this::establish)
                .whenComplete((ignored, failure) -> end(failure)));
    }

    /** The innermost step of the connection onion: establish, then wait for the disconnect. */
    private CompletionStage<Void> establish() {
        synchronized (this) {
            if (state == State.CONNECTING) {
                state = State.OPEN;
                link.connect();
                connectSent = true;
                if (heldEmits != null) {
                    for (HeldEmit emit : heldEmits) {
                        link.emit(emit.event(), emit.args());
                    }
                }
                // queued under the lock, so that a packet arriving now cannot overtake them
                if (heldPackets != null) {
                    for (HeldPacket held : heldPackets) {
                        inFlight++;
                        lane.execute(() -> runPacket(held.packet(), held.ack()));
                    }
                }
            }
            heldEmits = null;
            heldPackets = null;
        }
        // the code after the innermost next runs on the lane too, not on the thread that saw the disconnect:
        // disconnected is completed on the lane (completeDisconnected)
        return disconnected;
    }

    /** Completes {@link #disconnected} on the lane, so that the code after the innermost next runs there. */
    private void completeDisconnected() {
        lane.execute(() -> disconnected.complete(null));
    }

    /** The connection onion has completed: at disconnect, or early, which refuses the connection. */
    private void end(Throwable failure) {
        boolean refused;
        synchronized (this) {
            refused = state == State.CONNECTING; // ended without reaching the innermost next
            if (refused) {
                state = State.CLOSED;
                heldEmits = null;
                heldPackets = null;
            }
        }
        if (refused) {
            socket.leaveAllRooms();
            String reason = failure == null ? "connection refused by namespace " + namespace() : describe(failure);
            log.warn("connection of socket {} from {} to namespace {} refused: {}",
                    id(), link.remoteAddress(), namespace(), reason);
            link.refuse(reason);
        } else if (failure != null) {
            log.error("connection middleware of namespace {} failed for socket {}: {}",
                    namespace(), id(), describe(failure), unwrap(failure));
        }
        finished.complete(null);
    }

    /** Sends an event to the client, or holds it until the namespace's CONNECT has gone out. */
    synchronized void emit(String event, Object[] args) {
        if (connectSent) {
            link.emit(event, args);
        } else if (state == State.CONNECTING) {
            if (heldEmits == null) {
                heldEmits = new ArrayList<>(2);
            }
            heldEmits.add(new HeldEmit(event, args));
        } else {
            log.debug("dropped '{}' to socket {} on {}: never connected", event, id(), namespace());
        }
    }

    /** An event packet from the client: run now, hold until established, or drop after disconnect. */
    void onEvent(Packet packet, Ack ack) {
        synchronized (this) {
            switch (state) {
                case CONNECTING -> {
                    if (heldPackets == null) {
                        heldPackets = new ArrayDeque<>(2);
                    }
                    heldPackets.add(new HeldPacket(packet, ack));
                    return;
                }
                case OPEN -> inFlight++;
                default -> {
                    log.debug("dropped packet {} from socket {} on {}: disconnected", packet, id(), namespace());
                    return;
                }
            }
        }
        lane.execute(() -> runPacket(packet, ack));
    }

    private void runPacket(Packet packet, Ack ack) {
        IoContext ctx = Contexts.packet(socket, packet, ack);
        Onion.run(chain.packetMiddleware(), ctx, () -> route(ctx))
                .whenComplete((ignored, failure) -> {
                    if (failure != null) {
                        log.error("packet {} on namespace {} from socket {} failed: {}",
                                packet.event(), namespace(), id(), describe(failure), unwrap(failure));
                        ack.send(Map.of("error", INTERNAL_ERROR)); // the details stay in the log
                        if (!errorEvent.isEmpty()) {
                            emit(errorEvent, new Object[] {Map.of("message", INTERNAL_ERROR, "event", packet.event())});
                        }
                    } else {
                        ack.send(); // a no-op if the controller answered the ack itself
                    }
                    packetDone();
                });
    }

    private CompletionStage<Void> route(IoContext ctx) {
        Controller controller = chain.routes().get(ctx.packet().event());
        if (controller == null) {
            log.debug("no route for event '{}' on namespace {}", ctx.packet().event(), namespace());
            return CompletableFuture.completedFuture(null);
        }
        return controller.handle(ctx);
    }

    private void packetDone() {
        boolean last;
        synchronized (this) {
            inFlight--;
            last = state == State.CLOSING && inFlight == 0;
            if (last) {
                state = State.CLOSED;
            }
        }
        if (last) {
            completeDisconnected();
        }
    }

    /** The socket left the namespace: it leaves its rooms; its disconnect path runs once its packets have finished. */
    void onDisconnect() {
        boolean now;
        synchronized (this) {
            switch (state) {
                case CONNECTING -> {
                    state = State.CLOSED;
                    now = true;
                }
                case OPEN -> {
                    now = inFlight == 0;
                    state = now ? State.CLOSED : State.CLOSING;
                }
                default -> now = false;
            }
            heldPackets = null;
        }
        socket.leaveAllRooms();
        if (now) {
            completeDisconnected();
        }
    }

    /** Closes the client's whole transport (every namespace of it), as at server shutdown. */
    void closeTransport() {
        link.close();
    }

    /** Leaves this namespace only: tells the client, then runs the disconnect path. */
    void leave() {
        link.leave();
    }

    private static Throwable unwrap(Throwable failure) {
        while (failure instanceof CompletionException && failure.getCause() != null) {
            failure = failure.getCause();
        }
        return failure;
    }

    static String describe(Throwable failure) {
        Throwable cause = unwrap(failure);
        return cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
    }
}
