package dev.cloudscope.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback TCP proxy in front of the server that passes everything through until the server's bytes contain
 * {@code marker}, and from then on holds back what the server sends (reads it, forwards none of it); the client's
 * bytes still reach the server. When the server's side closes, the proxy closes the client's side, as the kernel
 * does for a server that dies. So a client can be left waiting at a known point of its conversation: e.g. after
 * the auth reply, with its chat's replies and ack held, until the server is killed.
 *
 * <p>The marker is searched in the raw bytes: it must be in an uncompressed text frame (the Java client does not
 * offer permessage-deflate).
 */
final class HoldingProxy implements AutoCloseable {

    private final ServerSocket listener;
    private final int targetPort;
    private final byte[] marker;
    private final ExecutorService threads = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "holding-proxy");
        thread.setDaemon(true);
        return thread;
    });
    private final List<Socket> sockets = new ArrayList<>();
    private final AtomicLong held = new AtomicLong();
    private volatile boolean holding;

    private HoldingProxy(ServerSocket listener, int targetPort, byte[] marker) {
        this.listener = listener;
        this.targetPort = targetPort;
        this.marker = marker;
    }

    static HoldingProxy start(int targetPort, String marker) {
        try {
            ServerSocket listener = new ServerSocket();
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            HoldingProxy proxy = new HoldingProxy(listener, targetPort, marker.getBytes(StandardCharsets.UTF_8));
            proxy.threads.execute(proxy::acceptLoop);
            return proxy;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int port() {
        return listener.getLocalPort();
    }

    /** Whether the marker went by: from then on the server's bytes are held. */
    boolean holding() {
        return holding;
    }

    /** Bytes of the server's held back so far. */
    long heldBytes() {
        return held.get();
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                client.setTcpNoDelay(true);
                server.setTcpNoDelay(true);
                synchronized (sockets) {
                    sockets.add(client);
                    sockets.add(server);
                }
                threads.execute(() -> clientToServer(client, server));
                threads.execute(() -> serverToClient(server, client));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void clientToServer(Socket client, Socket server) {
        byte[] buffer = new byte[8192];
        try (InputStream in = client.getInputStream()) {
            OutputStream out = server.getOutputStream();
            for (int n; (n = in.read(buffer)) >= 0; ) {
                out.write(buffer, 0, n);
                out.flush();
            }
            server.shutdownOutput();
        } catch (IOException e) {
            closeQuietly(server);
        }
    }

    private void serverToClient(Socket server, Socket client) {
        byte[] buffer = new byte[8192];
        byte[] seen = new byte[0]; // the server's bytes so far, while the marker has not gone by
        long position = 0;          // how many of the server's bytes were read before this chunk
        long forwardLimit = Long.MAX_VALUE;
        try (InputStream in = server.getInputStream()) {
            OutputStream out = client.getOutputStream();
            for (int n; (n = in.read(buffer)) >= 0; ) {
                if (forwardLimit == Long.MAX_VALUE) {
                    byte[] grown = new byte[seen.length + n];
                    System.arraycopy(seen, 0, grown, 0, seen.length);
                    System.arraycopy(buffer, 0, grown, seen.length, n);
                    seen = grown;
                    int at = indexOf(seen, marker);
                    if (at >= 0) {
                        forwardLimit = at + marker.length; // up to the marker's end, then hold
                        holding = true;
                    }
                }
                int forward = (int) Math.max(0, Math.min(n, forwardLimit - position));
                if (forward > 0) {
                    out.write(buffer, 0, forward);
                    out.flush();
                }
                held.addAndGet(n - forward);
                position += n;
            }
        } catch (IOException e) {
            // the server's side was reset: close the client's side all the same
        }
        closeQuietly(client);
        closeQuietly(server);
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        try {
            listener.close();
        } catch (IOException e) {
            // closing anyway
        }
        synchronized (sockets) {
            sockets.forEach(HoldingProxy::closeQuietly);
        }
        threads.shutdownNow();
    }
}
