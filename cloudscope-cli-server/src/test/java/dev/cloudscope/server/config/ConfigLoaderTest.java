package dev.cloudscope.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ConfigLoader}: flags over -D over environment over --config FILE over the embedded application.conf. */
class ConfigLoaderTest {

    @TempDir
    Path dir;

    private final Map<String, String> env = new HashMap<>();
    private final Properties systemProperties = new Properties();
    private final Map<String, Object> flags = new HashMap<>();
    private Path file;

    private LoadedConfig load() {
        return new ConfigLoader(env, systemProperties).load(file, flags);
    }

    private void configFile(String hocon) throws IOException {
        file = dir.resolve("server.conf");
        Files.writeString(file, hocon);
    }

    private AbstractThrowableAssert<?, ? extends Throwable> assertLoadFails() {
        return assertThatThrownBy(this::load).isInstanceOf(ConfigProblem.class)
                .satisfies(problem -> assertThat(problem.getMessage()).as("one line").doesNotContain("\n"));
    }

    @Test
    void defaultsAreTheLessonsServer() {
        LoadedConfig config = load();

        assertThat(config.server()).isEqualTo(new ServerSettings("127.0.0.1", 7001));
        assertThat(config.io().namespaces()).containsOnlyKeys("/", "/chat", "/build");
        assertThat(config.io().namespaces().get("/"))
                .isEqualTo(new NamespaceSettings("/", List.of("auth"), List.of("filter")));
        assertThat(config.io().namespaces().get("/chat"))
                .isEqualTo(new NamespaceSettings("/chat", List.of("auth"), List.of()));
        assertThat(config.io().appThreads()).isEqualTo(IoSettings.AppThreads.EVENT_LOOP);
        assertThat(config.io().workerThreads()).isZero();
        assertThat(config.io().shutdownTimeout()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void aConfigFileIsLayeredOverTheDefaults() throws IOException {
        configFile("""
                server.port = 7100
                io.namespace {
                  "/chat" { packetMiddleware = [filter] }
                  "/admin" { connectionMiddleware = [auth, audit] }
                }
                io.workerThreads = 3
                io.appThreads = workers
                """);

        LoadedConfig config = load();

        assertThat(config.server()).isEqualTo(new ServerSettings("127.0.0.1", 7100));
        assertThat(config.io().namespaces()).containsOnlyKeys("/", "/chat", "/admin", "/build");
        assertThat(config.io().namespaces().get("/chat"))
                .isEqualTo(new NamespaceSettings("/chat", List.of("auth"), List.of("filter")));
        assertThat(config.io().namespaces().get("/admin"))
                .isEqualTo(new NamespaceSettings("/admin", List.of("auth", "audit"), List.of()));
        assertThat(config.io().workerThreads()).isEqualTo(3);
        assertThat(config.io().appThreads()).isEqualTo(IoSettings.AppThreads.WORKERS);
    }

    @Test
    void environmentBeatsTheFile() throws IOException {
        configFile("server { host = \"10.0.0.1\", port = 7100 }");
        env.put("CLOUDSCOPE_HOST", "0.0.0.0");
        env.put("CLOUDSCOPE_PORT", " 7200 ");

        assertThat(load().server()).isEqualTo(new ServerSettings("0.0.0.0", 7200));
    }

    @Test
    void blankEnvironmentVariablesAreIgnored() throws IOException {
        configFile("server { host = \"10.0.0.1\", port = 7100 }");
        env.put("CLOUDSCOPE_HOST", " ");
        env.put("CLOUDSCOPE_PORT", "");

        assertThat(load().server()).isEqualTo(new ServerSettings("10.0.0.1", 7100));
    }

    @Test
    void systemPropertiesBeatTheEnvironment() throws IOException {
        configFile("server.port = 7100");
        env.put("CLOUDSCOPE_PORT", "7200");
        env.put("CLOUDSCOPE_HOST", "0.0.0.0");
        systemProperties.setProperty("server.port", "7300");

        assertThat(load().server()).isEqualTo(new ServerSettings("0.0.0.0", 7300));
    }

    @Test
    void flagsBeatEverything() throws IOException {
        configFile("server { host = \"10.0.0.1\", port = 7100 }");
        env.put("CLOUDSCOPE_PORT", "7200");
        systemProperties.setProperty("server.port", "7300");
        systemProperties.setProperty("server.host", "10.0.0.3");
        flags.put("server.port", 7400);

        assertThat(load().server()).isEqualTo(new ServerSettings("10.0.0.3", 7400));
    }

    @Test
    void aPortOutOfRangeNamesServerPort() throws IOException {
        configFile("server.port = 70000");

        assertLoadFails().hasMessageStartingWith("server.port:").hasMessageContaining("70000");
    }

    @Test
    void aPortOutOfRangeFromAFlagNamesServerPort() {
        flags.put("server.port", 0);

        assertLoadFails().hasMessageStartingWith("server.port:").hasMessageContaining("out of range");
    }

    @Test
    void aPortThatIsNotANumberNamesServerPort() throws IOException {
        configFile("server.port = seven");

        assertLoadFails().hasMessageContaining("server.port").hasMessageContaining(file.toString());
    }

    @Test
    void anEmptyHostNamesServerHost() {
        flags.put("server.host", "");

        assertLoadFails().hasMessageStartingWith("server.host:");
    }

    @Test
    void aNamespaceWithoutLeadingSlashIsNamedAndCorrected() throws IOException {
        configFile("io.namespace.chat { connectionMiddleware = [auth] }");

        assertLoadFails().hasMessageStartingWith("io.namespace.\"chat\":").hasMessageContaining("\"/chat\"");
    }

    @Test
    void anUnknownKeyInsideANamespaceIsNamed() throws IOException {
        configFile("io.namespace.\"/chat\".middleware = [auth]");

        assertLoadFails().hasMessageStartingWith("io.namespace.\"/chat\".middleware: unknown key");
    }

    @Test
    void connectionMiddlewareThatIsNotAListIsNamed() throws IOException {
        configFile("io.namespace.\"/chat\".connectionMiddleware = auth");

        assertLoadFails().hasMessageStartingWith("io.namespace.\"/chat\".connectionMiddleware:")
                .hasMessageContaining("list");
    }

    @Test
    void packetMiddlewareThatIsNotAListIsNamed() throws IOException {
        configFile("io.namespace.\"/\".packetMiddleware = { filter = true }");

        assertLoadFails().hasMessageStartingWith("io.namespace.\"/\".packetMiddleware:");
    }

    @Test
    void aNamespaceThatIsNotAnObjectIsNamed() throws IOException {
        configFile("io.namespace.\"/chat\" = [auth]");

        assertLoadFails().hasMessageStartingWith("io.namespace.\"/chat\":");
    }

    @Test
    void anUnknownAppThreadsValueIsNamed() throws IOException {
        configFile("io.appThreads = fibers");

        assertLoadFails().hasMessage("io.appThreads: 'fibers' is not one of event-loop, workers");
    }

    @Test
    void corsOriginsAreNormalizedAsBrowsersSendThem() throws IOException {
        configFile("io.cors.origins = [\"HTTPS://App.Example.com\", \"http://localhost:3000\", \"*\"]");

        assertThat(load().io().corsOrigins()).containsExactly("https://app.example.com", "http://localhost:3000", "*");
    }

    @Test
    void aCorsOriginWithAPathOrWithoutAHostIsNamed() throws IOException {
        for (String bad : new String[] {"https://app.example.com/", "https://app.example.com/page", "app.example.com",
                "ftp://app.example.com", "https://user@app.example.com"}) {
            configFile("io.cors.origins = [\"" + bad + "\"]");

            assertLoadFails().hasMessageStartingWith("io.cors.origins: '" + bad + "' is not an origin");
        }
    }

    @Test
    void aConnectTimeoutOfZeroIsNamed() throws IOException {
        configFile("io.connectTimeout = 0s");

        assertLoadFails().hasMessageStartingWith("io.connectTimeout:");
    }

    @Test
    void aNamespaceSetToNullIsNotServed() throws IOException {
        configFile("io.namespace.\"/build\" = null");

        assertThat(load().io().namespaces()).containsOnlyKeys("/", "/chat");
    }

    @Test
    void negativeWorkerThreadsAreNamed() throws IOException {
        configFile("io.workerThreads = -1");

        assertLoadFails().hasMessageStartingWith("io.workerThreads:");
    }

    @Test
    void aNegativeShutdownTimeoutIsNamed() throws IOException {
        configFile("io.shutdownTimeout = -1s");

        assertLoadFails().hasMessageStartingWith("io.shutdownTimeout:");
    }

    @Test
    void aMalformedFileIsNamedInOneLine() throws IOException {
        configFile("""
                server {
                  port = 
                """);

        assertLoadFails().hasMessageContaining(file.toString());
    }

    @Test
    void aMissingConfigFileIsNamed() {
        file = dir.resolve("nonexistent.conf");

        assertLoadFails().hasMessage("--config " + file + ": no such file");
    }

    @Test
    void aPortFromTheEnvironmentThatIsNotANumberNamesTheVariable() {
        env.put("CLOUDSCOPE_PORT", "abc");

        assertLoadFails().hasMessageStartingWith("CLOUDSCOPE_PORT:").hasMessageContaining("'abc'");
    }

    @Test
    void aPortFromSystemPropertiesThatIsNotANumberNamesTheKey() {
        systemProperties.setProperty("server.port", "abc");

        assertLoadFails().hasMessageContaining("server.port").hasMessageContaining("system properties");
    }

    @Test
    void theEmbeddedDefaultsLoadCleanUnderTheRealSystemProperties() {
        assertThatCode(() -> new ConfigLoader(Map.of(), System.getProperties()).load(null, Map.of()))
                .doesNotThrowAnyException();
    }

    @Test
    void anUnknownKeyInAConfigFileNamesItAndTheNearestKnownKey() throws IOException {
        configFile("io.pingIntervall = 1s");

        assertLoadFails().hasMessage("io.pingIntervall: unknown key (did you mean io.pingInterval?)");
    }

    @Test
    void anUnknownKeyFromASystemPropertyNamesItAndTheNearestKnownKey() {
        systemProperties.setProperty("io.pingIntervall", "1s");

        assertLoadFails().hasMessage("io.pingIntervall: unknown key (did you mean io.pingInterval?)");
    }

    @Test
    void anUnknownKeyIsNamedInEverySection() throws IOException {
        configFile("server.hots = \"0.0.0.0\"");
        assertLoadFails().hasMessage("server.hots: unknown key (did you mean server.host?)");

        configFile("auth { token = [s3cret] }");
        assertLoadFails().hasMessage("auth.token: unknown key (did you mean auth.tokens?)");
    }

    @Test
    void aKeyUnderAValueIsAnUnknownKeySayingTheValueHasNone() throws IOException {
        configFile("server.port.number = 7002");

        assertLoadFails()
                .hasMessage("server.port.number: unknown key (server.port takes a single value, as in server.port = 7001)");
    }

    @Test
    void aWholeUnknownSectionIsNamedWithTheKnownKeysOfItsParent() throws IOException {
        configFile("io.tls { certificate = \"server.pem\" }");

        assertLoadFails().hasMessageStartingWith("io.tls: unknown key (known keys of io: appThreads, connectTimeout, cors, ")
                .hasMessageContaining("pingInterval");
    }

    @Test
    void aKeyInTheWrongSectionPointsToWhereItBelongs() throws IOException {
        configFile("server.pingInterval = 10s");

        assertLoadFails().hasMessage("server.pingInterval: unknown key (did you mean io.pingInterval?)");
    }

    @Test
    void aSectionThatIsNotAnObjectIsNamed() throws IOException {
        configFile("auth = [s3cret]");

        assertLoadFails().hasMessage("auth: expected an object (known keys of auth: tokens), not a list");
    }

    @Test
    void systemPropertiesOutsideTheServersSectionsAreIgnored() {
        systemProperties.setProperty("java.version", "17.0.9");
        systemProperties.setProperty("user.home", "/home/someone");
        systemProperties.setProperty("logback.configurationFile", "logback-test.xml");
        systemProperties.setProperty("io.netty.leakDetection.level", "paranoid");

        assertThat(load().server()).isEqualTo(new ServerSettings("127.0.0.1", 7001));
    }

    @Test
    void withoutClusterRedisTheServerIsOneNodeWithAName() {
        ClusterSettings cluster = load().cluster();

        assertThat(cluster.enabled()).isFalse();
        assertThat(cluster.nodeId()).endsWith("-" + ProcessHandle.current().pid());
    }

    @Test
    void clusterRedisTakesAPasswordFromItsUrlAndAPortByDefault() throws IOException {
        configFile("cluster { redis = \"redis://:s3cret@redis.internal\", nodeId = \"web-1\" }");

        ClusterSettings cluster = load().cluster();

        assertThat(cluster.redis()).contains(URI.create("redis://redis.internal:6379"));
        assertThat(cluster.password()).isEqualTo("s3cret");
        assertThat(cluster.nodeId()).isEqualTo("web-1");
    }

    @Test
    void clusterPasswordBeatsTheUrlsAndTlsIsKept() throws IOException {
        configFile("cluster { redis = \"rediss://:old@10.0.0.5:6380\", password = \"new\" }");

        assertThat(load().cluster()).extracting(ClusterSettings::redis, ClusterSettings::password)
                .containsExactly(Optional.of(URI.create("rediss://10.0.0.5:6380")), "new");
    }

    @Test
    void aClusterRedisThatIsNotRedisIsNamedWithoutItsPassword() throws IOException {
        configFile("cluster.redis = \"http://:s3cret@10.0.0.5:6379\"");

        assertLoadFails().hasMessageStartingWith("cluster.redis:").hasMessageNotContaining("s3cret");
    }

    @Test
    void aNodeIdThatCouldBreakAKeyIsRefused() throws IOException {
        configFile("cluster.nodeId = \"a b/c\"");

        assertLoadFails().hasMessageStartingWith("cluster.nodeId:");
    }

    @Test
    void buildLeaseIsThirtySecondsByDefaultAndAtLeastOneSecond() throws IOException {
        assertThat(load().build().lease()).isEqualTo(Duration.ofSeconds(30));

        configFile("build.lease = 500ms");

        assertLoadFails().hasMessage("build.lease: 500 ms is too short (at least 1s)");
    }

    @Test
    void buildsOfAClusterNeedTheSharedS3StoreNotADirectory() throws IOException {
        configFile("cluster.redis = \"redis://127.0.0.1:6379\"\nbuild.enabled = true");

        assertLoadFails().hasMessageStartingWith("build.store.s3: with cluster.redis set, the cloud build needs the"
                + " shared S3 store");
    }

    @Test
    void aClusterRefusesAQueueLimitOfZeroWhichWouldRefuseEveryBuild() throws IOException {
        configFile("cluster.redis = \"redis://127.0.0.1:6379\"\nbuild { enabled = true, store.s3.bucket = sites,"
                + " queueLimit = 0 }");

        assertLoadFails().hasMessageStartingWith("build.queueLimit: 0 would refuse every build with cluster.redis set");
    }

    @Test
    void oneNodeTakesAQueueLimitOfZero() throws IOException {
        configFile("build { enabled = true, queueLimit = 0 }");

        assertThat(load().build().queueLimit()).isZero();
    }

    @Test
    void aClusterWithTheS3StoreBuilds() throws IOException {
        configFile("cluster.redis = \"redis://127.0.0.1:6379\"\nbuild { enabled = true, store.s3.bucket = sites }");

        assertThat(load().build().s3()).isPresent();
    }
}
