package dev.cloudscope.server.app.build;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import dev.cloudscope.server.cluster.NodeId;
import dev.cloudscope.server.config.BuildSettings;
import dev.cloudscope.server.config.ClusterSettings;
import dev.cloudscope.server.config.ConfigProblem;
import dev.cloudscope.server.config.ServerSettings;
import dev.cloudscope.server.io.IoBindings;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.util.concurrent.Executor;
import org.redisson.api.RedissonClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cloud build: its middleware on {@code /build} always (it refuses clients while the build is off), the rest only
 * with {@code build.enabled}: the log store, the artifact store, the sandbox (checked at start-up: a server that
 * cannot build stops with one line), the builds, and {@code /sites/}.
 */
public final class BuildModule extends AbstractModule {

    private static final Logger log = LoggerFactory.getLogger(BuildModule.class);

    private final BuildSettings settings;
    private final ClusterSettings cluster;

    public BuildModule(BuildSettings settings, ClusterSettings cluster) {
        this.settings = settings;
        this.cluster = cluster;
    }

    @Override
    protected void configure() {
        IoBindings.connectionMiddleware(binder()).addBinding("builds").to(BuildClients.class);
        if (settings.enabled()) {
            if (settings.s3().isEmpty()) { // an S3 store's sites are served by S3
                IoBindings.httpGet(binder()).addBinding(Sites.PREFIX).to(Sites.class);
            }
        }
        // bound while the build is off too (one node's, as before the cluster), so that /build's middleware and
        // controller can be wired: their Providers are not called while it is off
        install(settings.enabled() && cluster.enabled() ? new OnRedis() : new OnOneNode());
    }

    /** One node: logs in the work dir, builds queued in memory. */
    private final class OnOneNode extends AbstractModule {
        @Override
        protected void configure() {
            if (settings.enabled()) {
                bind(Builds.class).to(LocalBuilds.class).asEagerSingleton();
            } else {
                bind(Builds.class).to(LocalBuilds.class);
            }
        }

        @Provides
        @Singleton
        LogStore logs(Executor workers) {
            try {
                return new FileLogStore(settings.workDir(), settings.maxLogBytes(), settings.keep(),
                        FileLogStore.DEFAULT_FLUSH_DELAY, workers);
            } catch (IOException e) {
                throw new ConfigProblem("build.workDir: cannot use " + settings.workDir() + ": " + e.getMessage(), e);
            }
        }
    }

    /** {@code cluster.redis}: records, queue and logs in Redis, any node answering for any build. */
    private final class OnRedis extends AbstractModule {
        @Provides
        @Singleton
        BuildRecords records(RedissonClient redis) {
            return new BuildRecords(redis, settings.keep());
        }

        @Provides
        @Singleton
        RedisLogStore redisLogs(RedissonClient redis, BuildRecords records, Executor workers) {
            return new RedisLogStore(redis, records, settings.maxLogBytes(), workers);
        }

        @Provides
        @Singleton
        LogStore logs(RedisLogStore logs) {
            return logs;
        }

        @Provides
        @Singleton
        Builds builds(RedissonClient redis, NodeId node, RedisLogStore logs, BuildRecords records,
                      ArtifactStore artifacts, Sandbox sandbox, Executor workers) {
            return new ClusterBuilds(settings, redis, node, logs, records, artifacts, sandbox, workers);
        }
    }

    @Provides
    @Singleton
    ArtifactStore artifacts(ServerSettings server) {
        try {
            if (settings.s3().isPresent()) {
                BuildSettings.S3 s3 = settings.s3().get();
                return new S3Store(new S3Store.Settings(s3.endpoint(), s3.bucket(), s3.region(), s3.accessKey(),
                        s3.secretKey(), s3.publicBaseUrl()), settings.workDir().resolve("s3-staging"));
            }
            String base = settings.publicUrl().isEmpty() ? "http://" + server.host() + ":" + server.port()
                    : settings.publicUrl();
            return new DirectoryStore(Files.createDirectories(settings.workDir().resolve("sites")),
                    URI.create(base + Sites.PREFIX));
        } catch (IOException e) {
            throw new ConfigProblem("build.workDir: cannot use " + settings.workDir() + ": " + e.getMessage(), e);
        }
    }

    @Provides
    @Singleton
    Sandbox sandbox() {
        Sandbox sandbox = Sandbox.named(settings.sandbox().name(), settings.user());
        try {
            Files.createDirectories(settings.workDir());
            sandbox.check(settings.workDir());
        } catch (Sandbox.Unavailable e) {
            throw new ConfigProblem(e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (sandbox instanceof NoSandbox) {
            log.warn(NoSandbox.WARNING);
        } else {
            log.info("cloud build: {}, work dir {}", sandbox.description(), settings.workDir());
        }
        return sandbox;
    }
}
