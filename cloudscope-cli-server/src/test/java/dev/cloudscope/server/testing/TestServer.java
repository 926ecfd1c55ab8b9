package dev.cloudscope.server.testing;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Module;
import com.google.inject.Stage;
import com.google.inject.util.Modules;
import dev.cloudscope.server.config.ConfigLoader;
import dev.cloudscope.server.config.ConfigModule;
import dev.cloudscope.server.config.LoadedConfig;
import dev.cloudscope.server.Plugins;
import dev.cloudscope.server.io.internal.IoModule;
import dev.cloudscope.server.io.internal.netty.IoServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * A real server on a free port, built the way Main builds it (config, then a PRODUCTION injector, then
 * {@link IoServer#start()}). Closing it stops it.
 */
public final class TestServer implements AutoCloseable {

    private final IoServer server;
    private final int port;

    private TestServer(IoServer server, int port) {
        this.server = server;
        this.port = port;
    }

    /** The io framework with the test's config (over the embedded defaults) and the test's app module. */
    public static TestServer start(String hocon, Module app) {
        int port = freePort();
        return start(injector(hocon, port, app), port);
    }

    /** The lesson's server as Main runs it: embedded config, {@link Plugins#enabled}. */
    public static TestServer startLesson() {
        int port = freePort();
        return start(Guice.createInjector(Stage.PRODUCTION, Plugins.enabled(load("", port))), port);
    }

    /**
     * The lesson's server as Main builds it ({@link Plugins#enabled}: ConfigModule, IoModule, the real AppModule),
     * with the test's config layered over the embedded defaults.
     */
    public static TestServer startLesson(String hocon) {
        int port = freePort();
        return start(Plugins.enabled(load(hocon, port)), port);
    }

    /**
     * The lesson's server with the test's config, and {@code additions} overriding the app's bindings, e.g. a
     * {@code Routes} that defines the lesson's routes and the test's own, and extra middleware bound by name.
     */
    public static TestServer startLesson(String hocon, Module additions) {
        int port = freePort();
        return start(List.of(Modules.override(Plugins.enabled(load(hocon, port))).with(additions)), port);
    }

    /** Stops every server at once: each stop waits seconds for netty's graceful shutdown, so not one after another. */
    public static void closeAll(TestServer... servers) {
        List<Thread> stopping = new ArrayList<>();
        for (TestServer server : servers) {
            if (server != null) {
                Thread thread = new Thread(server::close, "stop-test-server-" + server.port());
                thread.start();
                stopping.add(thread);
            }
        }
        for (Thread thread : stopping) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Starts whatever server {@code modules} build. */
    public static TestServer start(List<Module> modules, int port) {
        return start(Guice.createInjector(Stage.PRODUCTION, modules), port);
    }

    private static TestServer start(Injector injector, int port) {
        IoServer server = injector.getInstance(IoServer.class);
        server.start();
        return new TestServer(server, port);
    }

    /**
     * The injector for the test's config and app: building it checks config against the bound middleware. The
     * lesson app's cloud build namespace is not the test app's: it is switched off, unless the test's config has it.
     */
    public static Injector injector(String hocon, int port, Module app) {
        return Guice.createInjector(Stage.PRODUCTION, new ConfigModule(load(WITHOUT_BUILD + hocon, port)), new IoModule(), app);
    }

    private static final String WITHOUT_BUILD = "io.namespace.\"/build\" = null\n";

    /** {@code hocon} as a --config file over the embedded defaults, {@code server.port} as a flag. */
    public static LoadedConfig load(String hocon, int port) {
        try {
            Path file = Files.createTempFile("cloudscope-test", ".conf");
            try {
                Files.writeString(file, hocon);
                return new ConfigLoader(Map.of(), new Properties()).load(file, Map.of("server.port", port));
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A port nobody listens on right now, from the OS. */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public IoServer server() {
        return server;
    }

    public int port() {
        return port;
    }

    /** The URL a socket.io client uses for {@code namespace}. */
    public String url(String namespace) {
        return "http://127.0.0.1:" + port + (namespace.equals("/") ? "" : namespace);
    }

    @Override
    public void close() {
        server.stop();
    }
}
