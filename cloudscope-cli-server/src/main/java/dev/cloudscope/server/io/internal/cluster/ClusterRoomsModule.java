package dev.cloudscope.server.io.internal.cluster;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.OptionalBinder;
import dev.cloudscope.server.cluster.NodeId;
import dev.cloudscope.server.config.ClusterSettings;
import dev.cloudscope.server.config.ConfigProblem;
import dev.cloudscope.server.config.IoSettings;
import dev.cloudscope.server.io.internal.core.LocalRooms;
import dev.cloudscope.server.io.internal.core.Rooms;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.Executor;
import org.redisson.api.RedissonClient;
import org.redisson.client.RedisException;

/**
 * Rooms across nodes when {@code cluster.redis} is set: {@link ClusterRooms} replaces the io plugin's
 * {@link LocalRooms} as {@link Rooms}. Without it, this module binds nothing.
 */
public final class ClusterRoomsModule extends AbstractModule {

    private final ClusterSettings settings;

    public ClusterRoomsModule(ClusterSettings settings) {
        this.settings = settings;
    }

    @Override
    protected void configure() {
        if (settings.enabled()) {
            install(new Enabled());
            OptionalBinder.newOptionalBinder(binder(), Rooms.class).setBinding().to(ClusterRooms.class);
        }
    }

    private static final class Enabled extends AbstractModule {

        @Provides
        @Singleton
        ClusterRooms clusterRooms(RedissonClient redis, NodeId nodeId, IoSettings io, LocalRooms local,
                                  ClusterSettings settings, Executor workers) {
            // one name per run: a node restarted under the same nodeId starts its numbering and its keys afresh
            byte[] random = new byte[4];
            new SecureRandom().nextBytes(random);
            String node = nodeId.value() + "~" + HexFormat.of().formatHex(random);
            try {
                ClusterRooms rooms = new ClusterRooms(local,
                        new Outbox(redis, node, io.namespaces().keySet(), local),
                        new StreamTail(redis, node, io.namespaces().keySet(), local::emit), workers);
                rooms.start();
                return rooms;
            } catch (RedisException e) {
                // e.g. a Redis older than 5.0 (no streams), or a key of ours that holds something else
                throw new ConfigProblem("cluster.redis: Redis at " + settings.redis().orElseThrow()
                        + " cannot hold the rooms' streams (" + Outbox.brief(e) + ")", e);
            }
        }
    }
}
