package dev.cloudscope.server.cluster;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.cloudscope.server.config.ClusterSettings;
import dev.cloudscope.server.config.ConfigProblem;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;
import org.redisson.config.SingleServerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's Redis, when {@code cluster.redis} is set: one {@link RedissonClient} for the process, connected at
 * start-up (an unreachable Redis stops the server with one line, not the first broadcast). Redisson reconnects by
 * itself after Redis restarts; what each feature does while it is away is that feature's (docs/scaling.md).
 * Without {@code cluster.redis} nothing is bound here and nothing connects anywhere.
 */
public final class ClusterModule extends AbstractModule {

    private static final Logger log = LoggerFactory.getLogger(ClusterModule.class);

    private final ClusterSettings settings;
    /** Guice asks a failed singleton again for each dependant: each ask would wait out Redisson's retries again. */
    private ConfigProblem unreachable;

    public ClusterModule(ClusterSettings settings) {
        this.settings = settings;
    }

    @Override
    protected void configure() {
        if (settings.enabled()) {
            bind(RedissonClient.class).toProvider(this::connect).in(Singleton.class);
        }
    }

    private synchronized RedissonClient connect() {
        if (unreachable != null) {
            throw unreachable;
        }
        Config config = new Config();
        SingleServerConfig server = config.useSingleServer()
                .setAddress(settings.redis().orElseThrow().toString())
                .setClientName("cloudscope:" + settings.nodeId())
                .setConnectionMinimumIdleSize(2)
                .setSubscriptionConnectionMinimumIdleSize(1)
                .setPingConnectionInterval(5_000) // a dead connection is found in seconds, then reconnected
                .setRetryAttempts(4);
        if (settings.password() != null) {
            server.setPassword(settings.password());
        }
        try {
            RedissonClient client = Redisson.create(config);
            log.info("cluster: node {} on Redis at {}", settings.nodeId(), settings.redis().orElseThrow());
            return client;
        } catch (RuntimeException e) {
            Throwable cause = e;
            while (cause.getCause() != null && cause.getCause() != cause) {
                cause = cause.getCause();
            }
            unreachable = new ConfigProblem("cluster.redis: cannot reach Redis at " + settings.redis().orElseThrow()
                    + " (" + (cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage()) + ")", e);
            throw unreachable;
        }
    }

    @Provides
    @Singleton
    NodeId nodeId() {
        return new NodeId(settings.nodeId());
    }
}
