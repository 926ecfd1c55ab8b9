package dev.cloudscope.bench;

import com.corundumstudio.socketio.Configuration;
import com.corundumstudio.socketio.SocketIOChannelInitializer;
import com.corundumstudio.socketio.SocketConfig;
import com.corundumstudio.socketio.SocketIONamespace;
import com.corundumstudio.socketio.SocketIOServer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.flush.FlushConsolidationHandler;
import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;
import sun.misc.Signal;

/**
 * The benchmark's floor: the lesson's behaviour written directly on netty-socketio 2.0.14 listeners, with no
 * framework (no Guice, no middleware onion, no worker pool, no futures: everything on the Netty event loop that
 * delivered the packet).
 *
 * <p>What goes over the wire per round trip on {@code /} is what the lesson's server sends: the client's
 * {@code 42["chat","hello world!"]} in, {@code 42["res","packet!Hello Man!!"]} and {@code 42["res","Hello Man!!"]}
 * out, each its own WebSocket frame. Per connection: the namespace's CONNECT, then {@code 42["res","auth!Hello
 * Man!!"]} from a connect listener (Engine.IO 3 on {@code /}: netty-socketio sends the CONNECT before it runs connect
 * listeners, so the order is the lesson's; Engine.IO 4 on {@code /}: netty-socketio runs the connect listeners when
 * the transport opens, so the auth reply goes out before the CONNECT, which the 4.x client buffers; same frames).
 * It prints the lesson's lines (the packet, {@code chat : MESSAGE : PID}, {@code packet response!},
 * {@code disconnect!}) on stdout, as ours does, so that every peer writes the same output.
 *
 * <p>Config is the netty-socketio configuration our server sets up on its defaults (loopback, TCP_NODELAY,
 * SO_REUSEADDR, permessage-deflate and HTTP compression off, pings every 25 s with a 20 s timeout, 1 MB payloads), so
 * that ours ÷ floor is what our framework adds. {@code --netty-defaults} leaves netty-socketio's own defaults instead
 * (permessage-deflate and HTTP compression on, as our server had them before): the benchmark's "floor-deflate" peer.
 *
 * <p>Two what-if switches, for the changes docs/benchmarks.md proposes (the "floor-tuned" peer has both):
 * {@code --flush-consolidation} puts Netty's {@link FlushConsolidationHandler} at the head of the pipeline, so
 * that the two replies written while a client's frame is being read leave in one {@code write}; {@code
 * --one-log-write} prints a round trip's three lines with one {@code write} instead of three.
 *
 * <pre>java -jar cloudscope-bench.jar [--host H] [--port P] [--netty-defaults] [--flush-consolidation] [--one-log-write]</pre>
 * Prints {@code bench-floor listening on http://H:P (pid N)} once serving; SIGTERM or Ctrl-C stops it, exit 0.
 */
public final class FloorServer {

    private static final String SAY = "Hello Man!!"; // the lesson's user service

    private FloorServer() {
    }

    public static void main(String[] args) throws InterruptedException {
        String host = "127.0.0.1";
        int port = 7001;
        boolean nettyDefaults = false;
        boolean flushConsolidation = false;
        boolean oneLogWrite = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--host" -> host = args[++i];
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--netty-defaults" -> nettyDefaults = true;
                case "--flush-consolidation" -> flushConsolidation = true;
                case "--one-log-write" -> oneLogWrite = true;
                default -> {
                    System.err.println("usage: FloorServer [--host H] [--port P] [--netty-defaults]"
                            + " [--flush-consolidation] [--one-log-write]");
                    System.exit(2);
                }
            }
        }

        Configuration config = new Configuration();
        config.setHostname(host);
        config.setPort(port);
        if (!nettyDefaults) { // as our server's IoServer sets them from its application.conf defaults
            config.setWebsocketCompression(false);
            config.setHttpCompression(false);
            config.setPingInterval(25_000);
            config.setPingTimeout(20_000);
            config.setMaxFramePayloadLength(1_000_000);
            config.setMaxHttpContentLength(1_000_000);
        }
        SocketConfig socket = new SocketConfig();
        socket.setReuseAddress(true);
        socket.setTcpNoDelay(true);
        config.setSocketConfig(socket);

        SocketIOServer server = new SocketIOServer(config);
        if (flushConsolidation) {
            server.setPipelineFactory(new SocketIOChannelInitializer() {
                @Override
                protected void addSocketioHandlers(ChannelPipeline pipeline) {
                    super.addSocketioHandlers(pipeline);
                    // flushes made while a read is in progress wait for the read to complete: one write for both replies
                    pipeline.addFirst("flushConsolidation", new FlushConsolidationHandler(256, true));
                }
            });
        }
        PrintStream out = System.out;
        long pid = ProcessHandle.current().pid();
        lesson(server.getNamespace(""), true, out, pid, oneLogWrite);      // '/': auth, then filter around the controller
        lesson(server.addNamespace("/chat"), false, out, pid, oneLogWrite); // '/chat': auth, no packet middleware

        CountDownLatch stop = new CountDownLatch(1);
        Signal.handle(new Signal("TERM"), signal -> stop.countDown());
        Signal.handle(new Signal("INT"), signal -> stop.countDown());
        server.start();
        out.printf("bench-floor listening on http://%s:%d (pid %d)%n", host, port, pid);
        out.flush();
        stop.await();
        server.stop();
        out.flush();
        System.exit(0);
    }

    private static void lesson(SocketIONamespace ns, boolean filter, PrintStream out, long pid, boolean oneLogWrite) {
        // auth.js: emit 'auth!' + say; after next (the disconnect): 'disconnect!'
        ns.addConnectListener(client -> client.sendEvent("res", "auth!" + SAY));
        ns.addDisconnectListener(client -> out.println("disconnect!"));
        if (oneLogWrite) { // the same lines and emits, the lines printed with one write at the end of the round trip
            ns.addEventListener("chat", String.class, (client, message, ack) -> {
                StringBuilder lines = new StringBuilder(96);
                if (filter) {
                    lines.append("[\"chat\",").append(quote(message)).append("]\n");
                    client.sendEvent("res", "packet!" + SAY);
                }
                lines.append("chat : ").append(message).append(" : ").append(pid).append('\n');
                client.sendEvent("res", SAY);
                if (filter) {
                    lines.append("packet response!\n");
                }
                out.print(lines);
            });
            return;
        }
        ns.addEventListener("chat", String.class, (client, message, ack) -> {
            if (filter) { // filter.js, before next
                out.println("[\"chat\"," + quote(message) + "]");
                client.sendEvent("res", "packet!" + SAY);
            }
            // controller chat.index
            out.println("chat : " + message + " : " + pid);
            client.sendEvent("res", SAY);
            if (filter) { // filter.js, after next
                out.println("packet response!");
            }
        });
    }

    private static String quote(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
