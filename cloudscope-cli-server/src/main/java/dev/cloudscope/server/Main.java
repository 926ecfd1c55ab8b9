package dev.cloudscope.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import com.google.inject.CreationException;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.ProvisionException;
import com.google.inject.Stage;
import dev.cloudscope.server.app.build.Builds;
import dev.cloudscope.server.config.ConfigLoader;
import dev.cloudscope.server.config.ConfigProblem;
import dev.cloudscope.server.config.LoadedConfig;
import dev.cloudscope.server.io.internal.core.Rooms;
import dev.cloudscope.server.io.internal.netty.IoServer;
import dev.cloudscope.server.io.internal.netty.IoServerException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.redisson.api.RedissonClient;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import sun.misc.Signal;

/** {@code cloudscope-server}: the lesson's socket.io server. Prints its app's lines on stdout, its logs on stderr. */
@Command(name = "cloudscope-server", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        sortOptions = false,
        description = {"The lesson's socket.io server (namespaces / and /chat, the auth and filter middleware).",
                "Config: the embedded application.conf, under --config FILE, CLOUDSCOPE_HOST/CLOUDSCOPE_PORT, -Dkey=value and the flags below, each over the one before."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:stopped cleanly (SIGTERM, Ctrl-C)", "1:cannot serve (e.g. the port is in use)",
                "2:bad command line or bad config"})
public final class Main implements Callable<Integer> {

    static final int CANNOT_SERVE = 1;
    static final int BAD_CONFIG = 2;

    @Option(names = "--host", paramLabel = "HOST", description = "Address to listen on (server.host, default 127.0.0.1).")
    String host;

    @Option(names = "--port", paramLabel = "PORT", description = "Port to listen on (server.port, default 7001).")
    Integer port;

    @Option(names = "--config", paramLabel = "FILE", description = "A HOCON file layered over the defaults.")
    Path configFile;

    @Option(names = {"-v", "--verbose"}, description = "Log the framework and netty on stderr (debug).")
    boolean verbose;

    @Spec
    CommandLine.Model.CommandSpec spec;

    private final CountDownLatch stopRequested = new CountDownLatch(1);

    public static void main(String[] args) {
        AppStdout.install(); // the app's lines in batches: before each write to a client, else within 50 ms
        int code = new CommandLine(new Main()).execute(args);
        System.out.flush();
        System.exit(code);
    }

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        if (verbose) {
            logLevel(Logger.ROOT_LOGGER_NAME, Level.INFO);
            logLevel("dev.cloudscope", Level.DEBUG);
            logLevel("com.corundumstudio.socketio.SocketIOServer", Level.INFO);
            logLevel("com.corundumstudio.socketio.transport.PollingTransport", Level.INFO);
            logLevel("com.corundumstudio.socketio.transport.WebSocketTransport", Level.INFO);
        }
        IoServer server;
        Injector injector = null;
        try {
            LoadedConfig config = ConfigLoader.fromEnvironment().load(configFile, flags());
            injector = Guice.createInjector(Stage.PRODUCTION, Plugins.enabled(config));
            server = injector.getInstance(IoServer.class);
            server.start();
            spec.commandLine().getOut().printf("cloudscope-server %s listening on http://%s:%d (pid %d)%n",
                    Version.text(), config.server().host(), config.server().port(), ProcessHandle.current().pid());
            spec.commandLine().getOut().flush();
        } catch (ConfigProblem e) {
            return fail(err, "config: " + e.getMessage(), BAD_CONFIG);
        } catch (CreationException | ProvisionException e) {
            ConfigProblem problem = ConfigProblem.behind(e).orElseThrow(() -> e);
            return fail(err, "config: " + problem.getMessage(), BAD_CONFIG);
        } catch (IoServerException e) {
            // e.g. the port in use: the rooms across nodes have started (a heartbeat sent): they leave Redis now
            closeRooms(injector);
            return fail(err, e.getMessage(), CANNOT_SERVE);
        }

        // Ctrl-C and SIGTERM stop the server in order (clients get their disconnect path) and exit 0
        Signal.handle(new Signal("INT"), signal -> stopRequested.countDown());
        Signal.handle(new Signal("TERM"), signal -> stopRequested.countDown());
        stopRequested.await();
        // across nodes, the disconnects below must not cancel builds that are the cluster's (docs/scaling.md)
        if (injector.getExistingBinding(Key.get(Builds.class)) != null) {
            injector.getInstance(Builds.class).nodeStopping();
        }
        server.stop();
        // rooms across nodes: what the disconnects above queued reaches Redis, then this node's keys leave it
        closeRooms(injector);
        // running builds are cancelled (their processes killed), their logs end with their status
        if (injector.getExistingBinding(Key.get(Builds.class)) != null) {
            injector.getInstance(Builds.class).close();
        }
        if (injector.getExistingBinding(Key.get(RedissonClient.class)) != null) {
            injector.getInstance(RedissonClient.class).shutdown(); // last: the builds above may still write to it
        }
        System.out.flush();
        return 0;
    }

    /** Rooms across nodes closed (a few seconds at most): a no-op for this process's own rooms, or no injector. */
    private static void closeRooms(Injector injector) {
        if (injector == null) {
            return;
        }
        try {
            // Stage.PRODUCTION: the singletons exist since the injector does; this starts nothing
            if (injector.getInstance(Rooms.class) instanceof AutoCloseable rooms) {
                rooms.close();
            }
        } catch (Exception e) {
            LoggerFactory.getLogger(Main.class).warn("closing the rooms failed", e);
        }
    }

    private Map<String, Object> flags() {
        Map<String, Object> flags = new LinkedHashMap<>();
        if (host != null) {
            flags.put("server.host", host);
        }
        if (port != null) {
            flags.put("server.port", port);
        }
        return flags;
    }

    private int fail(PrintWriter err, String message, int code) {
        err.println("cloudscope-server: " + message);
        err.flush();
        return code;
    }


    private static void logLevel(String logger, Level level) {
        ((Logger) LoggerFactory.getLogger(logger)).setLevel(level);
    }

    /** The Maven project version, from the build. */
    static final class Version implements CommandLine.IVersionProvider {

        static String text() {
            Properties properties = new Properties();
            try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    properties.load(in);
                }
            } catch (IOException e) {
                // fall through to "unknown"
            }
            return properties.getProperty("version", "unknown");
        }

        @Override
        public String[] getVersion() {
            return new String[] {"cloudscope-server " + text()};
        }
    }
}
