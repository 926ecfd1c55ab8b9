package dev.cloudscope.it;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A gate a fixture build waits at, so that a test acts at a known point of a build rather than after a sleep: the
 * build (its sandbox shares the host's network) connects to this loopback port and waits until it reads a line
 * ({@link BuildFixtures#awaitGate}); the test sees it arrive ({@link #arrived}) and lets it through ({@link #open}).
 * Once open, every build that comes later goes straight through.
 */
final class BuildGate implements AutoCloseable {

    private final ServerSocket listener;
    private final List<Socket> waiting = new ArrayList<>();
    private int arrived;
    private boolean open;

    private BuildGate(ServerSocket listener) {
        this.listener = listener;
    }

    static BuildGate start() {
        try {
            ServerSocket listener = new ServerSocket();
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            BuildGate gate = new BuildGate(listener);
            Thread thread = new Thread(gate::acceptLoop, "build-gate");
            thread.setDaemon(true);
            thread.start();
            return gate;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int port() {
        return listener.getLocalPort();
    }

    /** How many builds have come to the gate so far. */
    synchronized int arrived() {
        return arrived;
    }

    /** Lets every waiting build through, and every later one at once. */
    synchronized void open() {
        open = true;
        waiting.forEach(BuildGate::release);
        waiting.clear();
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket socket = listener.accept();
                synchronized (this) {
                    arrived++;
                    if (open) {
                        release(socket);
                    } else {
                        waiting.add(socket);
                    }
                }
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private static void release(Socket socket) {
        try (socket; OutputStream out = socket.getOutputStream()) {
            out.write("go\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        } catch (IOException e) {
            // the build went away (cancelled, timed out): nothing to let through
        }
    }

    @Override
    public synchronized void close() {
        try {
            listener.close();
        } catch (IOException e) {
            // closing anyway
        }
        for (Socket socket : waiting) {
            try {
                socket.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
        waiting.clear();
    }
}
