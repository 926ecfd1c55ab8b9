package dev.cloudscope.server;

import com.google.inject.Module;
import dev.cloudscope.server.app.AppModule;
import dev.cloudscope.server.app.build.BuildModule;
import dev.cloudscope.server.app.web.WebModule;
import dev.cloudscope.server.cluster.ClusterModule;
import dev.cloudscope.server.config.ConfigModule;
import dev.cloudscope.server.config.LoadedConfig;
import dev.cloudscope.server.io.internal.IoModule;
import dev.cloudscope.server.io.internal.cluster.ClusterRoomsModule;
import java.util.List;

/**
 * What is switched on: the twin of the lesson's {@code config/plugin.js} ({@code exports.io = { enable: true }}).
 * The io plugin is the socket.io framework; the app module holds the lesson's middleware, controller and service.
 */
public final class Plugins {

    private Plugins() {
    }

    public static List<Module> enabled(LoadedConfig config) {
        return List.of(
                new ConfigModule(config),
                new ClusterModule(config.cluster()), // Redis shared by several nodes; nothing unless cluster.redis
                new IoModule(),   // exports.io = { enable: true, package: 'egg-socket.io' }
                new ClusterRoomsModule(config.cluster()), // rooms across nodes (io.redis); nothing unless cluster.redis
                new AppModule(),
                new BuildModule(config.build(), config.cluster()), // the cloud build; off unless build.enabled
                new WebModule());                // the web pages: builds and chat rooms in a browser
    }
}
