package dev.cloudscope.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * A follower of a cloud build that stops reading its socket (bench/build.sh, the heap scenario): a raw socket.io
 * client (Engine.IO 4 over a WebSocket, written by hand) on a socket with a small receive buffer
 * ({@code SO_RCVBUF}, set before connecting, so the kernel neither grows it nor advertises a larger window). It
 * joins {@code /build}, reads nothing after the namespace's CONNECT, and sends {@code follow {id, after}}:
 * <ul>
 *   <li>{@code --pipeline 0}: once, {@code after = 0}: a client that asked for a page and never took it;</li>
 *   <li>{@code --pipeline N}: N times, {@code after} = 0, 500, 1000... (the server's page size), one every
 *   {@code --interval-ms}: a client that asks for page after page without reading the answers (it cannot know
 *   them, so it guesses), as a client with a full receive window and a request pipeline would.</li>
 * </ul>
 * It then holds the connection, still not reading, until SIGTERM, the end of its stdin (its parent has gone) or
 * {@code --hold-s}; prints one JSON line {@code {follows_sent, rcvbuf}} on the way out.
 *
 * <pre>java -cp cloudscope-bench.jar dev.cloudscope.bench.StalledFollower --url http://127.0.0.1:PORT --id ID
 *      [--pipeline N] [--interval-ms 20] [--rcvbuf 4096] [--hold-s 60]</pre>
 */
public final class StalledFollower {

    private StalledFollower() {
    }

    public static void main(String[] args) throws Exception {
        String url = null;
        String id = null;
        int pipeline = 0;
        long intervalMs = 20;
        int rcvbuf = 4096;
        long holdS = 60;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--url" -> url = value;
                case "--id" -> id = value;
                case "--pipeline" -> pipeline = Integer.parseInt(value);
                case "--interval-ms" -> intervalMs = Long.parseLong(value);
                case "--rcvbuf" -> rcvbuf = Integer.parseInt(value);
                case "--hold-s" -> holdS = Long.parseLong(value);
                default -> usage("unknown argument " + args[i]);
            }
            i++;
        }
        if (url == null || id == null || !id.matches("[0-9a-z-]{1,64}")) {
            usage("--url and --id are needed");
        }
        URI base = URI.create(url);
        if (!base.getHost().equals("127.0.0.1") && !base.getHost().equals("localhost")) {
            usage("loopback only: " + url);
        }

        Socket socket = new Socket();
        socket.setReceiveBufferSize(rcvbuf); // before connect: the window scale is agreed in the handshake
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 10_000);
        socket.setSoTimeout(10_000); // for the handshake only
        InputStream in = socket.getInputStream();
        OutputStream out = socket.getOutputStream();

        byte[] key = new byte[16];
        new SecureRandom().nextBytes(key);
        String request = "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
                + "Host: " + base.getHost() + ":" + base.getPort() + "\r\n"
                + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(key) + "\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n";
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String headers = readHeaders(in);
        if (!headers.startsWith("HTTP/1.1 101")) {
            fail("no WebSocket upgrade: " + headers.lines().findFirst().orElse(""));
        }
        String open = readText(in);
        if (!open.startsWith("0")) {
            fail("expected the Engine.IO open packet, got " + open);
        }
        sendText(out, "40/build,");
        for (;;) {
            String packet = readText(in);
            if (packet.startsWith("40/build")) {
                break;
            }
            if (packet.startsWith("44/build")) {
                fail("/build refused the connection: " + packet);
            }
        }

        // from here on nothing is read: the receive buffer fills, the window closes, the server's writes queue
        int sent = 0;
        int pages = Math.max(1, pipeline);
        for (int page = 0; page < pages; page++) {
            sendText(out, "42/build," + (page + 1) + "[\"follow\",{\"id\":\"" + id + "\",\"after\":"
                    + (long) page * 500 + "}]");
            sent++;
            if (page + 1 < pages) {
                Thread.sleep(intervalMs);
            }
        }
        final int follows = sent;
        final int buffer = socket.getReceiveBufferSize();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("{\"follows_sent\":" + follows + ",\"rcvbuf\":" + buffer + "}");
            System.out.flush();
        }));
        Thread parentWatch = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // whatever the parent writes is ignored: only the end of the stream counts
                }
            } catch (IOException e) {
                // the same as the end
            }
            System.exit(0);
        }, "stdin-eof");
        parentWatch.setDaemon(true);
        parentWatch.start();
        Thread.sleep(holdS * 1000);
        socket.close();
    }

    private static String readHeaders(InputStream in) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                fail("the server closed the connection during the handshake");
            }
            bytes.write(b);
            matched = b == end[matched] ? matched + 1 : b == '\r' ? 1 : 0;
            if (bytes.size() > 16_384) {
                fail("handshake headers too long");
            }
        }
        return bytes.toString(StandardCharsets.US_ASCII);
    }

    /** One WebSocket text message (unfragmented, unmasked from the server); control frames are skipped. */
    private static String readText(InputStream in) throws IOException {
        for (;;) {
            int b0 = readByte(in);
            int b1 = readByte(in);
            int opcode = b0 & 0x0f;
            long length = b1 & 0x7f;
            if (length == 126) {
                length = (readByte(in) << 8) | readByte(in);
            } else if (length == 127) {
                length = 0;
                for (int i = 0; i < 8; i++) {
                    length = (length << 8) | readByte(in);
                }
            }
            if (length > 1 << 20) {
                fail("frame too long during the handshake: " + length);
            }
            byte[] payload = in.readNBytes((int) length);
            if (opcode == 0x8) {
                fail("the server closed the WebSocket");
            }
            if (opcode == 0x1) {
                return new String(payload, StandardCharsets.UTF_8);
            }
        }
    }

    private static int readByte(InputStream in) throws IOException {
        int b = in.read();
        if (b < 0) {
            fail("the server closed the connection");
        }
        return b;
    }

    /** A masked text frame, as a client must send. */
    private static void sendText(OutputStream out, String text) throws IOException {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 14);
        frame.write(0x81);
        if (payload.length < 126) {
            frame.write(0x80 | payload.length);
        } else if (payload.length < 65_536) {
            frame.write(0x80 | 126);
            frame.write(payload.length >>> 8);
            frame.write(payload.length & 0xff);
        } else {
            throw new IOException("message too long");
        }
        byte[] mask = new byte[4];
        new SecureRandom().nextBytes(mask);
        frame.write(mask);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i & 3]);
        }
        out.write(frame.toByteArray());
        out.flush();
    }

    private static void fail(String message) {
        System.err.println("StalledFollower: " + message);
        System.exit(1);
    }

    private static void usage(String message) {
        System.err.println("StalledFollower: " + message);
        System.err.println("usage: StalledFollower --url http://127.0.0.1:PORT --id ID [--pipeline N] [--interval-ms MS]"
                + " [--rcvbuf BYTES] [--hold-s S]");
        System.exit(2);
    }
}
