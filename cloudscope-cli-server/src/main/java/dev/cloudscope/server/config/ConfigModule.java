package dev.cloudscope.server.config;

import com.google.inject.AbstractModule;
import com.typesafe.config.Config;

/** Makes the checked config injectable. */
public final class ConfigModule extends AbstractModule {

    private final LoadedConfig config;

    public ConfigModule(LoadedConfig config) {
        this.config = config;
    }

    @Override
    protected void configure() {
        bind(LoadedConfig.class).toInstance(config);
        bind(ServerSettings.class).toInstance(config.server());
        bind(IoSettings.class).toInstance(config.io());
        bind(AuthSettings.class).toInstance(config.auth());
        bind(BuildSettings.class).toInstance(config.build());
        bind(ClusterSettings.class).toInstance(config.cluster());
        bind(Config.class).toInstance(config.config()); // the app reads its own entries from it
    }
}
