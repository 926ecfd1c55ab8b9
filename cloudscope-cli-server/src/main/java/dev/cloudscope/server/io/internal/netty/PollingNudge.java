package dev.cloudscope.server.io.internal.netty;

import com.corundumstudio.socketio.Transport;
import com.corundumstudio.socketio.handler.ClientHead;
import com.corundumstudio.socketio.protocol.Packet;
import com.corundumstudio.socketio.protocol.PacketType;
import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * During a polling-to-WebSocket upgrade, answers the client's pending poll until the upgrade is done.
 *
 * <p>A client that upgrades pauses polling and waits for its outstanding poll to return before it sends the
 * upgrade packet. netty-socketio answers one poll with a NOOP when the probe arrives; if the client had already
 * sent another poll by the time it read the probe's answer, that poll never returns, and the client hangs in
 * mid-upgrade (seen with socket.io-client 2.5.0 closing right after its first ack). engine.io's own server
 * sends a NOOP every 100 ms while upgrading; so do we, at most one queued at a time, for at most 5 s.
 */
final class PollingNudge {

    private static final long PERIOD_MS = 100;
    private static final int MAX_NUDGES = 50;

    private PollingNudge() {
    }

    static void start(ClientHead client, EventExecutor executor) {
        AtomicInteger left = new AtomicInteger(MAX_NUDGES);
        AtomicReference<ScheduledFuture<?>> task = new AtomicReference<>();
        task.set(executor.scheduleAtFixedRate(() -> {
            boolean done = !client.isConnected()
                    || client.getCurrentTransport() == Transport.WEBSOCKET
                    || left.decrementAndGet() < 0;
            if (done) {
                task.get().cancel(false);
            } else if (client.getPacketsQueue(Transport.POLLING).isEmpty()) {
                client.send(Generation.of(client).noop(), Transport.POLLING);
            }
        }, PERIOD_MS, PERIOD_MS, TimeUnit.MILLISECONDS));
    }
}
