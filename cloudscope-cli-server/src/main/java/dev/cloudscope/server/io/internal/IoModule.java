package dev.cloudscope.server.io.internal;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.OptionalBinder;
import dev.cloudscope.server.config.ConfigProblem;
import dev.cloudscope.server.config.IoSettings;
import dev.cloudscope.server.config.NamespaceSettings;
import dev.cloudscope.server.config.ServerSettings;
import dev.cloudscope.server.io.ConnectionMiddleware;
import dev.cloudscope.server.io.Controller;
import dev.cloudscope.server.io.HttpHandler;
import dev.cloudscope.server.io.Io;
import dev.cloudscope.server.io.IoBindings;
import dev.cloudscope.server.io.PacketMiddleware;
import dev.cloudscope.server.io.Routes;
import dev.cloudscope.server.io.internal.core.Connections;
import dev.cloudscope.server.io.internal.core.LocalRooms;
import dev.cloudscope.server.io.internal.core.LocalSockets;
import dev.cloudscope.server.io.internal.core.NamespaceChain;
import dev.cloudscope.server.io.internal.core.Namespaces;
import dev.cloudscope.server.io.internal.core.Onion;
import dev.cloudscope.server.io.internal.core.Rooms;
import dev.cloudscope.server.io.internal.core.RouteTable;
import dev.cloudscope.server.io.internal.netty.IoServer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The io plugin: turns {@code io.namespace.*}, the middleware bound by name and the app's {@link Routes} into a
 * running server. Every name is checked here, when the injector is built, so a misspelled middleware or a route to
 * a namespace that config does not have stops the server before it serves anyone.
 */
public final class IoModule extends AbstractModule {

    @Override
    protected void configure() {
        IoBindings.connectionMiddleware(binder()); // declared, so that an app that binds none still starts
        IoBindings.packetMiddleware(binder());
        IoBindings.httpGet(binder());
        // this server's rooms, unless the cluster's replace them (ClusterRoomsModule)
        OptionalBinder.newOptionalBinder(binder(), Rooms.class).setDefault().to(LocalRooms.class);
    }

    @Provides
    @Singleton
    Map<String, NamespaceChain> namespaces(IoSettings io, Map<String, ConnectionMiddleware> connectionMiddleware,
                                           Map<String, PacketMiddleware> packetMiddleware, Routes routes) {
        RouteTable router = new RouteTable();
        routes.define(router);
        Map<String, Map<String, Controller>> table = router.controllers();
        for (String routed : table.keySet()) {
            if (!io.namespaces().containsKey(routed)) {
                throw new ConfigProblem("io.namespace: the app routes events on namespace \"" + routed
                        + "\", which config does not have (configured: " + new TreeSet<>(io.namespaces().keySet()) + ")");
            }
        }
        Map<String, NamespaceChain> chains = new LinkedHashMap<>();
        for (NamespaceSettings ns : io.namespaces().values()) {
            chains.put(ns.name(), new NamespaceChain(ns.name(),
                    layers(ns, "connectionMiddleware", ns.connectionMiddleware(), connectionMiddleware),
                    layers(ns, "packetMiddleware", ns.packetMiddleware(), packetMiddleware),
                    table.getOrDefault(ns.name(), Map.of())));
        }
        return chains;
    }

    private static <M> List<Onion.Layer> layers(NamespaceSettings ns, String key, List<String> names, Map<String, M> bound) {
        List<Onion.Layer> layers = new ArrayList<>();
        for (String name : names) {
            M middleware = bound.get(name);
            if (middleware == null) {
                throw new ConfigProblem(ns.path(key) + ": unknown middleware '" + name + "' in namespace " + ns.name()
                        + " (known " + key + ": " + (bound.isEmpty() ? "none" : new TreeSet<>(bound.keySet())) + ")");
            }
            Onion.Layer layer = middleware instanceof ConnectionMiddleware c ? c::handle : ((PacketMiddleware) middleware)::handle;
            layers.add(layer.named(key + " '" + name + "'"));
        }
        return layers;
    }

    @Provides
    @Singleton
    ExecutorService workers(IoSettings io) {
        int threads = io.workerThreads() > 0 ? io.workerThreads() : Runtime.getRuntime().availableProcessors();
        AtomicInteger count = new AtomicInteger();
        ThreadFactory factory = runnable -> {
            Thread thread = new Thread(runnable, "io-worker-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
        return Executors.newFixedThreadPool(threads, factory);
    }

    /** The worker pool, for services' asynchronous work: never a Netty event loop. */
    @Provides
    @Singleton
    Executor executor(ExecutorService workers) {
        return workers;
    }

    @Provides
    @Singleton
    LocalSockets localSockets() {
        return new LocalSockets();
    }

    @Provides
    @Singleton
    LocalRooms localRooms(LocalSockets sockets) {
        return new LocalRooms(sockets);
    }

    @Provides
    @Singleton
    Io io(Map<String, NamespaceChain> namespaces, Rooms rooms) {
        return new Namespaces(namespaces.keySet(), rooms);
    }

    @Provides
    @Singleton
    Connections connections(Map<String, NamespaceChain> namespaces, ExecutorService workers, IoSettings io, Rooms rooms,
                            LocalSockets sockets) {
        return new Connections(namespaces, workers, io.appThreads() == IoSettings.AppThreads.EVENT_LOOP,
                io.errorEvent(), rooms, sockets);
    }

    @Provides
    @Singleton
    IoServer server(ServerSettings settings, IoSettings io, Map<String, NamespaceChain> namespaces,
                    Connections connections, ExecutorService workers, Map<String, HttpHandler> http) {
        for (String prefix : http.keySet()) {
            if (!prefix.startsWith("/") || !prefix.endsWith("/") || prefix.equals("/socket.io/")) {
                throw new IllegalStateException("an HTTP route's prefix starts and ends with '/' and is not"
                        + " socket.io's: '" + prefix + "'");
            }
        }
        return new IoServer(settings, io, namespaces.keySet(), connections, workers, http);
    }
}
