package dev.cloudscope.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketClientExtensionHandler;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionFilter;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionFilterProvider;
import io.netty.handler.codec.http.websocketx.extensions.compression.PerMessageDeflateClientExtensionHandshaker;
import io.netty.util.CharsetUtil;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The benchmark's efficient load generator for the round-trip and churn scenarios: the lesson's client speaking Engine.IO 3
 * (or 4) and socket.io's packets itself over Netty WebSocket connections, all on one event loop thread, so that it
 * costs a fraction of what socket.io-client costs per round trip and the server under test is the side that
 * saturates.
 *
 * <p>Per client, the wire traffic is the lesson client's: the WebSocket upgrade on
 * {@code /socket.io/?EIO=3&transport=websocket} offering {@code permessage-deflate} as socket.io-client does (its
 * own frames are not compressed below 1 KB, as socket.io-client's are not), then, once connected and the auth reply
 * is in, {@code 42["chat","hello world!"]}, wait for {@code 42["res","packet!Hello Man!!"]} and
 * {@code 42["res","Hello Man!!"]}, again. Engine.IO 3 clients ping every 25 s; Engine.IO 4 clients answer the
 * server's pings.
 *
 * <p>{@code --scenario churn}: {@code --concurrency C} sessions at a time, each a new connection: the upgrade, the
 * CONNECT and the auth reply, one chat and both replies (a session's latency: connect to second reply), then what
 * socket.io-client 2.x's {@code close()} sends, {@code 41} and a WebSocket close frame; the next session starts at
 * once, as the Node generator's does.
 *
 * <pre>java -cp cloudscope-bench.jar dev.cloudscope.bench.NettyLoad --url http://127.0.0.1:P --server-pid PID
 *     [--scenario rt|churn] [--clients N] [--concurrency C] [--warmup S] [--duration S] [--eio 3|4]
 *     [--deflate on|off] [--label L]</pre>
 * Prints one JSON object, with the fields of the Node generator's rt or churn result. Bounded: connects within 60 s,
 * in-flight round trips get 5 s at the end, and the whole run is cut after warmup + duration + 90 s.
 */
public final class NettyLoad {

    private static final byte[] CHAT = "42[\"chat\",\"hello world!\"]".getBytes(CharsetUtil.UTF_8);
    private static final byte[] AUTH = "42[\"res\",\"auth!Hello Man!!\"]".getBytes(CharsetUtil.UTF_8);
    private static final byte[][] REPLIES = {
            "42[\"res\",\"packet!Hello Man!!\"]".getBytes(CharsetUtil.UTF_8),
            "42[\"res\",\"Hello Man!!\"]".getBytes(CharsetUtil.UTF_8),
    };
    private static final byte[] CONNECT_V4 = "40".getBytes(CharsetUtil.UTF_8);
    private static final byte[] PING = "2".getBytes(CharsetUtil.UTF_8);
    private static final byte[] PONG = "3".getBytes(CharsetUtil.UTF_8);
    private static final byte[] DISCONNECT = "41".getBytes(CharsetUtil.UTF_8);

    // state below is touched only on the one event loop thread
    private final List<Client> clients = new ArrayList<>();
    private boolean running;
    private boolean measuring;
    private long windowStart;
    private long windowEnd;
    private long count;
    private long[] latencies = new long[1 << 16];
    private int errors;
    private int wrong;
    private boolean stopping;
    private int churnActive;
    private Bootstrap churnBootstrap;

    private final URI uri;
    private final int eio;
    private final boolean deflate;
    private final EventLoop loop;
    private final NioEventLoopGroup group;

    private NettyLoad(URI uri, int eio, boolean deflate) {
        this.uri = uri;
        this.eio = eio;
        this.deflate = deflate;
        this.group = new NioEventLoopGroup(1);
        this.loop = group.next();
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument " + args[i]);
            }
            opts.put(args[i].substring(2), args[i + 1]);
        }
        String url = opts.getOrDefault("url", "");
        if (!url.matches("https?://(127\\.0\\.0\\.1|localhost)(:\\d+)?/?")) {
            throw new IllegalArgumentException("--url must be http://127.0.0.1:PORT (loopback, namespace /)");
        }
        long serverPid = Long.parseLong(opts.getOrDefault("server-pid", "0"));
        int n = Integer.parseInt(opts.getOrDefault("clients", "100"));
        double warmup = Double.parseDouble(opts.getOrDefault("warmup", "5"));
        double duration = Double.parseDouble(opts.getOrDefault("duration", "10"));
        int eio = Integer.parseInt(opts.getOrDefault("eio", "3"));
        boolean deflate = !"off".equals(opts.getOrDefault("deflate", "on"));
        String scenario = opts.getOrDefault("scenario", "rt");
        if (!scenario.equals("rt") && !scenario.equals("churn")) {
            throw new IllegalArgumentException("--scenario rt|churn");
        }
        int concurrency = Integer.parseInt(opts.getOrDefault("concurrency", "50"));
        URI base = URI.create(url);
        URI ws = URI.create("ws://" + base.getHost() + ":" + base.getPort() + "/socket.io/?EIO=" + eio + "&transport=websocket");

        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep((long) ((warmup + duration + 90) * 1000));
                System.err.println("NettyLoad: hard time limit reached; stopping");
                Runtime.getRuntime().halt(3);
            } catch (InterruptedException e) {
                // done in time
            }
        });
        watchdog.setDaemon(true);
        watchdog.start();

        NettyLoad load = new NettyLoad(ws, eio, deflate);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("scenario", scenario);
        result.put("label", opts.get("label"));
        result.put("url", url);
        result.put("gen", "netty-eio" + eio);
        result.put("transport", "websocket");
        result.put("deflate", deflate);
        result.put("procs", 1);
        try {
            if (scenario.equals("churn")) {
                result.put("concurrency", concurrency);
                load.churn(serverPid, concurrency, warmup, duration, result);
            } else {
                load.run(serverPid, n, warmup, duration, result);
            }
        } finally {
            load.group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        System.out.println(json(result));
        System.exit(0);
    }

    private Bootstrap bootstrap(boolean churn) {
        return new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ChannelPipeline p = ch.pipeline();
                        p.addLast(new HttpClientCodec(), new HttpObjectAggregator(8192));
                        if (deflate) {
                            p.addLast(new WebSocketClientExtensionHandler(new PerMessageDeflateClientExtensionHandshaker(
                                    6, false, 15, false, false, SMALL_FRAMES_UNCOMPRESSED)));
                        }
                        p.addLast(new WebSocketClientProtocolHandler(WebSocketClientHandshakerFactory.newHandshaker(
                                uri, WebSocketVersion.V13, null, deflate, EmptyHttpHeaders.INSTANCE, 65536),
                                true, true, 30_000));
                        p.addLast(new Client(churn));
                    }
                });
    }

    /** Churn: {@code concurrency} slots, each running session after session while running. */
    private void churn(long serverPid, int concurrency, double warmup, double duration, Map<String, Object> result)
            throws Exception {
        churnBootstrap = bootstrap(true);
        loop.execute(() -> {
            running = true;
            for (int i = 0; i < concurrency; i++) {
                startSession();
            }
        });
        Window w = measure(serverPid, warmup, duration, true);
        loop.execute(() -> running = false);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (onLoop(() -> churnActive) > 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        onLoop(() -> stopping = true);
        report(result, w, (int) w.errors(), 0);
    }

    private record Window(Sample a, Sample b, long count, long nanos, long errors, long[] latencies) {
    }

    /** After the warm-up, the measured window: the server's and our CPU, round trips or sessions, latencies. */
    private Window measure(long serverPid, double warmup, double duration, boolean countErrors) throws Exception {
        Thread.sleep((long) (warmup * 1000));
        Sample a = sample(serverPid);
        loop.execute(() -> {
            measuring = true;
            windowStart = System.nanoTime();
            count = 0;
            latencyCount = 0;
            if (countErrors) {
                errors = 0;
            }
        });
        Thread.sleep((long) (duration * 1000));
        Sample b = sample(serverPid);
        long[] window = onLoop(() -> {
            measuring = false;
            windowEnd = System.nanoTime();
            return new long[] {count, windowEnd - windowStart, errors};
        });
        long[] lat = onLoop(() -> Arrays.copyOf(latencies, latencyCount));
        return new Window(a, b, window[0], window[1], window[2], lat);
    }

    private void startSession() {
        churnActive++;
        ChannelFuture f = churnBootstrap.connect(uri.getHost(), uri.getPort());
        f.addListener(done -> {
            if (!done.isSuccess()) {
                problem("connect", done.cause());
                errors++;
                sessionOver();
            }
        });
    }

    /** A session slot is free again: the next session, while running. */
    private void sessionOver() {
        churnActive--;
        if (running) {
            loop.execute(this::startSession);
        }
    }

    private void run(long serverPid, int n, double warmup, double duration, Map<String, Object> result) throws Exception {
        Bootstrap bootstrap = bootstrap(false);

        // connect, at most 50 at a time
        CompletableFuture<Void> allReady = new CompletableFuture<>();
        int[] counters = new int[3]; // started, ready, failed
        Runnable[] more = new Runnable[1];
        more[0] = () -> {
            while (counters[0] < n && counters[0] - counters[1] - counters[2] < 50) {
                counters[0]++;
                ChannelFuture f = bootstrap.connect(uri.getHost(), uri.getPort());
                f.addListener(done -> {
                    if (!done.isSuccess()) {
                        problem("connect", done.cause());
                        counters[2]++;
                        errors++;
                        next(counters, n, allReady, more[0]);
                    } else {
                        Client c = f.channel().pipeline().get(Client.class);
                        java.util.function.Consumer<Boolean> onReady = ok -> {
                            counters[ok ? 1 : 2]++;
                            next(counters, n, allReady, more[0]);
                        };
                        if (c == null || c.dead) {
                            onReady.accept(false);
                        } else {
                            c.onReady = onReady;
                        }
                    }
                });
            }
        };
        loop.execute(more[0]);
        try {
            allReady.get(60, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            // report what we have
        }
        int connected = onLoop(() -> counters[1]);
        result.put("clients", n);
        result.put("connected", connected);
        result.put("connect_errors", onLoop(() -> counters[2]));

        loop.execute(() -> {
            running = true;
            for (Client c : clients) {
                if (c.ready && !c.dead) {
                    c.chat();
                }
            }
        });
        Window w = measure(serverPid, warmup, duration, false);

        // stop: no new chats; wait up to 5 s for those in flight
        loop.execute(() -> running = false);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        int inFlight;
        do {
            Thread.sleep(50);
            inFlight = onLoop(() -> (int) clients.stream().filter(c -> c.busy && !c.dead).count());
        } while (inFlight > 0 && System.nanoTime() < deadline);
        int lost = inFlight;
        int errs = onLoop(() -> {
            stopping = true;
            for (Client c : clients) {
                c.channel.close();
            }
            return errors;
        });

        report(result, w, errs, lost);
    }

    private void report(Map<String, Object> result, Window w, int errs, int lost) throws Exception {
        Sample a = w.a();
        Sample b = w.b();
        long[] lat = w.latencies();
        double wall = (b.nanos - a.nanos) / 1e9;
        double rate = w.nanos() > 0 ? w.count() / (w.nanos() / 1e9) : 0;
        double serverCpu = b.server - a.server;
        double genCpu = b.self - a.self;
        Arrays.sort(lat);
        result.put("window_s", round(wall, 2));
        result.put("completed", w.count());
        result.put("per_s", Math.round(rate));
        result.put("server_cpu_s", round(serverCpu, 2));
        result.put("server_core", round(serverCpu / wall, 3));
        result.put("server_us_per_op", rate > 0 ? round(serverCpu * 1e6 / (rate * wall), 1) : null);
        result.put("gen_core", round(genCpu / wall, 3));
        result.put("gen_us_per_op", rate > 0 ? round(genCpu * 1e6 / (rate * wall), 1) : null);
        result.put("server_writes_per_op", rate > 0 ? round((b.syscalls[1] - a.syscalls[1]) / (rate * wall), 2) : null);
        result.put("server_reads_per_op", rate > 0 ? round((b.syscalls[0] - a.syscalls[0]) / (rate * wall), 2) : null);
        result.put("cores_busy", Proc.coreBusy(a.cores, b.cores));
        result.put("server_processes", b.serverProcesses);
        result.put("errors", errs);
        result.put("wrong_replies", onLoop(() -> wrong));
        result.put("lost", lost);
        result.put("p50_ms", lat.length > 0 ? round(percentile(lat, 0.50) / 1e6, 2) : null);
        result.put("p99_ms", lat.length > 0 ? round(percentile(lat, 0.99) / 1e6, 2) : null);
        result.put("max_ms", lat.length > 0 ? round(lat[lat.length - 1] / 1e6, 2) : null);
    }

    private void next(int[] counters, int n, CompletableFuture<Void> allReady, Runnable more) {
        if (counters[1] + counters[2] == n) {
            allReady.complete(null);
        } else {
            more.run();
        }
    }

    private int latencyCount;
    private int problems;

    /** the first few failures, on stderr */
    private void problem(String where, Throwable cause) {
        if (problems++ < 3) {
            System.err.println("NettyLoad: " + where + ": " + cause);
        }
    }

    private void record(long nanos) {
        if (!measuring) {
            return;
        }
        count++;
        if (latencyCount == latencies.length) {
            latencies = Arrays.copyOf(latencies, latencies.length * 2);
        }
        latencies[latencyCount++] = nanos;
    }

    /** One client: the lesson's client, chat after chat while running. */
    private final class Client extends SimpleChannelInboundHandler<WebSocketFrame> {
        final boolean churn;
        final long sessionStart = System.nanoTime();
        io.netty.util.concurrent.ScheduledFuture<?> sessionTimeout;
        Channel channel;
        java.util.function.Consumer<Boolean> onReady;
        boolean connected;
        boolean authed;
        boolean ready;
        boolean busy;
        boolean dead;
        int replies;
        long t0;

        Client(boolean churn) {
            this.churn = churn;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            channel = ctx.channel();
            if (churn) { // as the Node generator's sessions: 20 s, or it is an error
                sessionTimeout = ctx.executor().schedule(() -> {
                    problem("session", new java.util.concurrent.TimeoutException("session not over within 20 s"));
                    fail();
                    ctx.close();
                }, 20, TimeUnit.SECONDS);
            } else {
                clients.add(this);
            }
            super.channelActive(ctx);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
                if (eio == 3) { // Engine.IO 3 clients ping; the server answers
                    ctx.executor().scheduleAtFixedRate(() -> send(PING), 25, 25, TimeUnit.SECONDS);
                }
            } else if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
                problem("handshake", new java.util.concurrent.TimeoutException("no WebSocket handshake within 30 s"));
                fail();
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
            if (!(frame instanceof TextWebSocketFrame)) {
                return;
            }
            ByteBuf data = frame.content();
            int len = data.readableBytes();
            if (len == 0) {
                return;
            }
            byte type = data.getByte(data.readerIndex());
            if (type == '0') {                  // Engine.IO open
                if (eio == 4) {
                    send(CONNECT_V4);
                }
            } else if (type == '2') {           // Engine.IO 4 server ping
                send(PONG);
            } else if (type == '4' && len >= 2) {
                byte sub = data.getByte(data.readerIndex() + 1);
                if (sub == '0') {               // socket.io CONNECT on /
                    connected = true;
                    maybeReady();
                } else if (sub == '2') {        // an event
                    onEvent(data);
                } else if (sub == '4') {        // connect error
                    fail();
                }
            }
        }

        private void onEvent(ByteBuf data) {
            if (!authed && equals(data, AUTH)) {
                authed = true;
                maybeReady();
                return;
            }
            if (!busy) {
                wrong++;
                return;
            }
            if (!equals(data, REPLIES[replies])) {
                wrong++;
            }
            if (++replies == REPLIES.length) {
                busy = false;
                if (churn) {
                    record(System.nanoTime() - sessionStart);
                    endSession();
                    return;
                }
                record(System.nanoTime() - t0);
                if (running) {
                    chat();
                }
            }
        }

        private boolean equals(ByteBuf data, byte[] expected) {
            int len = expected.length;
            if (data.readableBytes() != len) {
                return false;
            }
            int from = data.readerIndex();
            for (int i = len - 1; i >= 0; i--) { // the replies differ at the end
                if (data.getByte(from + i) != expected[i]) {
                    return false;
                }
            }
            return true;
        }

        private void maybeReady() {
            if (!ready && connected && authed) {
                ready = true;
                if (churn) {
                    chat();
                } else {
                    onReady.accept(true);
                }
            }
        }

        /** What socket.io-client 2.x's close() sends: the namespace's DISCONNECT, then the WebSocket close. */
        private void endSession() {
            dead = true; // the server's close that follows is no error
            sessionTimeout.cancel(false);
            send(DISCONNECT);
            channel.writeAndFlush(new io.netty.handler.codec.http.websocketx.CloseWebSocketFrame(1000, ""));
            channel.eventLoop().schedule(() -> channel.close(), 5, TimeUnit.SECONDS); // if the server never closes
            sessionOver();
        }

        void chat() {
            busy = true;
            replies = 0;
            t0 = System.nanoTime();
            send(CHAT);
        }

        private void send(byte[] text) {
            channel.writeAndFlush(new TextWebSocketFrame(Unpooled.wrappedBuffer(text)), channel.voidPromise());
        }

        private void fail() {
            if (dead) {
                return;
            }
            dead = true;
            if (!stopping) {
                errors++;
            }
            if (churn) {
                if (sessionTimeout != null) {
                    sessionTimeout.cancel(false);
                }
                sessionOver();
            } else if (!ready && onReady != null) {
                onReady.accept(false);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            fail();
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            problem(ready ? "client" : "handshake", cause);
            fail();
            ctx.close();
        }
    }

    /** socket.io-client's ws: frames under 1 KB go out uncompressed; everything received is inflated if need be. */
    private static final WebSocketExtensionFilterProvider SMALL_FRAMES_UNCOMPRESSED = new WebSocketExtensionFilterProvider() {
        @Override
        public WebSocketExtensionFilter encoderFilter() {
            return frame -> frame.content().readableBytes() < 1024;
        }

        @Override
        public WebSocketExtensionFilter decoderFilter() {
            return WebSocketExtensionFilter.NEVER_SKIP;
        }
    };

    private <T> T onLoop(java.util.concurrent.Callable<T> task) throws Exception {
        return loop.submit(task).get(30, TimeUnit.SECONDS);
    }

    private record Sample(long nanos, double server, double self, int serverProcesses, Map<String, long[]> cores,
                          long[] syscalls) {
    }

    private static Sample sample(long serverPid) {
        List<Long> tree = Proc.tree(serverPid);
        return new Sample(System.nanoTime(), Proc.cpuSeconds(tree), Proc.cpuSeconds(List.of(ProcessHandle.current().pid())),
                tree.size(), Proc.cores(), Proc.syscalls(tree));
    }

    private static long percentile(long[] sorted, double p) {
        int i = (int) Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
        return sorted[i];
    }

    private static double round(double x, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(x * f) / f;
    }

    private static String json(Object o) {
        if (o == null) {
            return "null";
        }
        if (o instanceof String s) {
            return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
        }
        if (o instanceof Map<?, ?> m) {
            StringBuilder b = new StringBuilder("{");
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (b.length() > 1) {
                    b.append(',');
                }
                b.append(json(String.valueOf(e.getKey()))).append(':').append(json(e.getValue()));
            }
            return b.append('}').toString();
        }
        if (o instanceof Double d) {
            return d.isNaN() || d.isInfinite() ? "null" : String.format(Locale.ROOT, "%s", d);
        }
        return String.valueOf(o);
    }

    /** /proc readings: CPU seconds of process trees, per-core busy time. */
    static final class Proc {
        private static final double TICK_S = 0.01; // CLK_TCK is 100 on Linux

        static List<Long> tree(long root) {
            Map<Long, List<Long>> byParent = new HashMap<>();
            try (Stream<Path> dirs = Files.list(Path.of("/proc"))) {
                dirs.map(p -> p.getFileName().toString()).filter(s -> s.chars().allMatch(Character::isDigit)).forEach(s -> {
                    String[] f = statFields(Long.parseLong(s));
                    if (f != null) {
                        byParent.computeIfAbsent(Long.parseLong(f[1]), k -> new ArrayList<>()).add(Long.parseLong(s));
                    }
                });
            } catch (IOException e) {
                // no /proc: no tree
            }
            List<Long> out = new ArrayList<>();
            List<Long> todo = new ArrayList<>(List.of(root));
            while (!todo.isEmpty()) {
                long pid = todo.remove(todo.size() - 1);
                out.add(pid);
                todo.addAll(byParent.getOrDefault(pid, List.of()));
            }
            return out;
        }

        /** the fields after the command's closing parenthesis: [0] state, [1] ppid, ... [11] utime, [12] stime */
        static String[] statFields(long pid) {
            try {
                String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
                return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            } catch (IOException | RuntimeException e) {
                return null;
            }
        }

        static double cpuSeconds(List<Long> pids) {
            long ticks = 0;
            for (long pid : pids) {
                String[] f = statFields(pid);
                if (f != null) {
                    ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
                }
            }
            return ticks * TICK_S;
        }

        /** read and write system calls made so far: {syscr, syscw} summed over the pids (/proc/PID/io) */
        static long[] syscalls(List<Long> pids) {
            long[] out = new long[2];
            for (long pid : pids) {
                try {
                    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/io"))) {
                        if (line.startsWith("syscr: ")) {
                            out[0] += Long.parseLong(line.substring(7).trim());
                        } else if (line.startsWith("syscw: ")) {
                            out[1] += Long.parseLong(line.substring(7).trim());
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    // gone
                }
            }
            return out;
        }

        static Map<String, long[]> cores() {
            Map<String, long[]> out = new LinkedHashMap<>();
            try {
                for (String line : Files.readAllLines(Path.of("/proc/stat"))) {
                    if (line.matches("^cpu\\d+\\s.*")) {
                        String[] v = line.split("\\s+");
                        long total = 0;
                        for (int i = 1; i <= 8; i++) {
                            total += Long.parseLong(v[i]);
                        }
                        out.put(v[0], new long[] {Long.parseLong(v[4]) + Long.parseLong(v[5]), total});
                    }
                }
            } catch (IOException e) {
                // none
            }
            return out;
        }

        static Map<String, Object> coreBusy(Map<String, long[]> a, Map<String, long[]> b) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<String, long[]> e : b.entrySet()) {
                long[] before = a.get(e.getKey());
                if (before == null) {
                    continue;
                }
                long total = e.getValue()[1] - before[1];
                long idle = e.getValue()[0] - before[0];
                out.put(e.getKey(), total > 0 ? round((double) (total - idle) / total, 3) : null);
            }
            return out;
        }
    }
}
