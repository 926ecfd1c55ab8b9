package dev.cloudscope.server.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Builds the config from its layers, each over the next: command-line flags, {@code -D} system properties,
 * environment ({@code CLOUDSCOPE_HOST}, {@code CLOUDSCOPE_PORT}), {@code --config FILE}, the embedded
 * {@code application.conf}. Checks it, so that a bad value, or a key the defaults do not have ({@link ConfigSchema}),
 * stops start-up with one line naming the key.
 */
public final class ConfigLoader {

    private static final List<String> NAMESPACE_KEYS = List.of("connectionMiddleware", "packetMiddleware");

    private final Map<String, String> env;
    private final Properties systemProperties;

    public ConfigLoader(Map<String, String> env, Properties systemProperties) {
        this.env = env;
        this.systemProperties = systemProperties;
    }

    public static ConfigLoader fromEnvironment() {
        return new ConfigLoader(System.getenv(), System.getProperties());
    }

    /**
     * @param file  a HOCON file layered over the defaults, or null
     * @param flags overrides from the command line, by config path (e.g. {@code server.port}), highest precedence
     */
    public LoadedConfig load(Path file, Map<String, Object> flags) {
        Config config;
        try {
            Config defaults = ConfigFactory.parseResourcesAnySyntax(ConfigLoader.class, "/application",
                    ConfigParseOptions.defaults().setAllowMissing(false));
            config = ConfigFactory.parseMap(flags, "command-line flags")
                    .withFallback(ConfigFactory.parseProperties(systemProperties,
                            ConfigParseOptions.defaults().setOriginDescription("system properties")))
                    .withFallback(ConfigFactory.parseMap(envOverrides(), "environment"))
                    .withFallback(fileLayer(file))
                    .withFallback(defaults)
                    .resolve();
            new ConfigSchema(defaults).check(config); // the defaults are the schema: any other key is a mistake
            BuildSettings build = build(config);
            ClusterSettings cluster = cluster(config);
            if (cluster.enabled() && build.enabled() && build.s3().isEmpty()) {
                // a directory store is one node's disk: a site built on one node would be missing on the others
                throw new ConfigProblem("build.store.s3: with cluster.redis set, the cloud build needs the shared S3 store"
                        + " (build.store.s3.bucket), not the work dir of one node");
            }
            if (cluster.enabled() && build.enabled() && build.queueLimit() == 0) {
                // on one node 0 means "only as many as run at once"; in a cluster every build waits in the queue,
                // however briefly, until a node takes it, so 0 would refuse them all
                throw new ConfigProblem("build.queueLimit: 0 would refuse every build with cluster.redis set (each waits"
                        + " in the cluster's queue until a node takes it): at least 1");
            }
            return new LoadedConfig(server(config), io(config), auth(config), build, cluster, config);
        } catch (ConfigException e) {
            throw new ConfigProblem(oneLine(e.getMessage()), e);
        }
    }

    private Map<String, Object> envOverrides() {
        Map<String, Object> layer = new HashMap<>();
        String host = env.get("CLOUDSCOPE_HOST");
        if (host != null && !host.isBlank()) {
            layer.put("server.host", host);
        }
        String port = env.get("CLOUDSCOPE_PORT");
        if (port != null && !port.isBlank()) {
            try {
                layer.put("server.port", Integer.parseInt(port.trim()));
            } catch (NumberFormatException e) {
                throw new ConfigProblem("CLOUDSCOPE_PORT: '" + port + "' is not a port number");
            }
        }
        return layer;
    }

    private static Config fileLayer(Path file) {
        if (file == null) {
            return ConfigFactory.empty();
        }
        if (Files.isDirectory(file)) {
            throw new ConfigProblem("--config " + file + ": is a directory, not a file");
        }
        if (!Files.isRegularFile(file)) {
            throw new ConfigProblem("--config " + file + ": no such file");
        }
        return ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
    }

    private static ServerSettings server(Config config) {
        String host = config.getString("server.host");
        if (host.isBlank()) {
            throw new ConfigProblem("server.host: must not be empty");
        }
        int port = config.getInt("server.port");
        if (port < 1 || port > 65535) {
            throw new ConfigProblem("server.port: " + port + " is out of range (1-65535)");
        }
        return new ServerSettings(host, port);
    }

    private static AuthSettings auth(Config config) {
        List<String> tokens;
        try {
            tokens = config.getStringList("auth.tokens");
        } catch (ConfigException.WrongType e) {
            throw new ConfigProblem("auth.tokens: expected a list of strings, e.g. [\"s3cret\"]");
        }
        if (tokens.stream().anyMatch(String::isEmpty)) {
            throw new ConfigProblem("auth.tokens: a token must not be empty");
        }
        return new AuthSettings(tokens);
    }

    private static BuildSettings build(Config config) {
        String sandboxValue = config.getString("build.sandbox");
        BuildSettings.Sandbox sandbox = switch (sandboxValue) {
            case "bwrap" -> BuildSettings.Sandbox.BWRAP;
            case "none" -> BuildSettings.Sandbox.NONE;
            default -> throw new ConfigProblem("build.sandbox: '" + sandboxValue + "' is not one of bwrap, none");
        };
        List<String> schemes = config.getStringList("build.repoSchemes");
        for (String scheme : schemes) {
            if (!List.of("https", "http", "ssh", "git", "file").contains(scheme)) {
                throw new ConfigProblem("build.repoSchemes: '" + scheme + "' is not one of https, http, ssh, git, file");
            }
        }
        List<String> commands = config.getStringList("build.commands");
        if (commands.isEmpty() || commands.stream().anyMatch(String::isBlank)) {
            throw new ConfigProblem("build.commands: at least one command, none blank, e.g. [\"npm run build\"]");
        }
        Duration timeout = positiveMillis(config, "build.timeout");
        long maxLogBytes = config.getBytes("build.maxLogBytes");
        if (maxLogBytes < 1024) {
            throw new ConfigProblem("build.maxLogBytes: " + maxLogBytes + " is too small (at least 1 KiB)");
        }
        int concurrency = atLeast(config, "build.concurrency", 1);
        int queueLimit = atLeast(config, "build.queueLimit", 0);
        int keep = atLeast(config, "build.keep", 1);
        int maxProcesses = atLeast(config, "build.maxProcesses", 1);
        long maxMemory = config.getBytes("build.maxMemory");
        if (maxMemory < 64L << 20) {
            throw new ConfigProblem("build.maxMemory: " + maxMemory + " bytes is too small (at least 64 MiB)");
        }
        String user = config.getString("build.user");
        if (!user.matches("[a-z_][a-z0-9_-]{0,31}")) {
            throw new ConfigProblem("build.user: '" + user + "' is not a user name");
        }
        String publicUrl = config.getString("build.publicUrl");
        if (!publicUrl.isEmpty()) {
            url("build.publicUrl", publicUrl);
        }
        Optional<BuildSettings.S3> s3 = Optional.empty();
        String bucket = config.getString("build.store.s3.bucket");
        String endpoint = config.getString("build.store.s3.endpoint");
        if (!bucket.isEmpty() || !endpoint.isEmpty()) { // a bucket alone: AWS itself, at its region's endpoint
            if (!bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
                throw new ConfigProblem("build.store.s3.bucket: '" + bucket + "' is not an S3 bucket name");
            }
            String accessKey = config.getString("build.store.s3.accessKey");
            String secretKey = config.getString("build.store.s3.secretKey");
            if (accessKey.isEmpty() != secretKey.isEmpty()) {
                throw new ConfigProblem("build.store.s3: accessKey and secretKey go together (neither: the AWS default"
                        + " credentials, from the environment or the instance)");
            }
            String publicBase = config.getString("build.store.s3.publicBaseUrl");
            s3 = Optional.of(new BuildSettings.S3(endpoint.isEmpty() ? null : url("build.store.s3.endpoint", endpoint),
                    bucket, config.getString("build.store.s3.region"), accessKey.isEmpty() ? null : accessKey,
                    secretKey.isEmpty() ? null : secretKey,
                    publicBase.isEmpty() ? null : url("build.store.s3.publicBaseUrl", publicBase)));
        }
        String workDir = config.getString("build.workDir");
        return new BuildSettings(config.getBoolean("build.enabled"),
                workDir.isEmpty() ? Path.of(System.getProperty("java.io.tmpdir"), "cloudscope-builds") : Path.of(workDir),
                schemes, commands, timeout, maxLogBytes, concurrency, queueLimit, keep, sandbox, user, maxProcesses,
                maxMemory, publicUrl.replaceAll("/+$", ""), s3, lease(config));
    }

    /** {@code cluster.*}: the Redis URL checked here, so that a typo stops start-up, not the first broadcast. */
    private static ClusterSettings cluster(Config config) {
        String redis = config.getString("cluster.redis").trim();
        String password = config.getString("cluster.password");
        String nodeId = config.getString("cluster.nodeId");
        if (!nodeId.isEmpty() && !nodeId.matches("[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")) {
            throw new ConfigProblem("cluster.nodeId: '" + nodeId + "' is not a node name (letters, digits, . _ : -; 64 at most)");
        }
        if (nodeId.isEmpty()) {
            nodeId = defaultNodeId();
        }
        if (redis.isEmpty()) {
            return new ClusterSettings(Optional.empty(), null, nodeId);
        }
        URI uri;
        try {
            uri = new URI(redis);
        } catch (URISyntaxException e) {
            uri = null;
        }
        if (uri == null || uri.getScheme() == null || !uri.getScheme().matches("rediss?") || uri.getHost() == null
                || (uri.getPath() != null && !uri.getPath().isEmpty() && !uri.getPath().equals("/"))
                || uri.getQuery() != null || uri.getFragment() != null) {
            throw new ConfigProblem("cluster.redis: '" + redis.replaceAll("//[^@/]*@", "//***@")
                    + "' is not redis://HOST:PORT or rediss://HOST:PORT");
        }
        String fromUrl = null;
        if (uri.getUserInfo() != null) { // redis://:PASSWORD@HOST:PORT, or USER:PASSWORD (an ACL user is not kept)
            String info = uri.getUserInfo();
            fromUrl = info.contains(":") ? info.substring(info.indexOf(':') + 1) : info;
        }
        int port = uri.getPort() == -1 ? 6379 : uri.getPort();
        URI address = URI.create(uri.getScheme() + "://" + (uri.getHost().contains(":") && !uri.getHost().startsWith("[")
                ? "[" + uri.getHost() + "]" : uri.getHost()) + ":" + port);
        String secret = !password.isEmpty() ? password : fromUrl;
        return new ClusterSettings(Optional.of(address), secret == null || secret.isEmpty() ? null : secret, nodeId);
    }

    /** The host's name and this process's pid: unique among nodes on one machine and across machines. */
    private static String defaultNodeId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "node";
        }
        String id = host.replaceAll("[^A-Za-z0-9._-]", "-") + "-" + ProcessHandle.current().pid();
        return id.length() > 64 ? id.substring(id.length() - 64) : id;
    }

    private static int atLeast(Config config, String path, int min) {
        int value = config.getInt(path);
        if (value < min) {
            throw new ConfigProblem(path + ": " + value + " is too small (at least " + min + ")");
        }
        return value;
    }

    private static URI url(String path, String text) {
        try {
            URI uri = new URI(text);
            if ((uri.getScheme() == null || !uri.getScheme().matches("https?")) || uri.getHost() == null) {
                throw new URISyntaxException(text, "not an http(s) URL");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new ConfigProblem(path + ": '" + text + "' is not an http(s) URL");
        }
    }

    private static IoSettings io(Config config) {
        ConfigObject namespaces = config.getObject("io.namespace");
        if (namespaces.isEmpty()) {
            throw new ConfigProblem("io.namespace: at least one namespace is needed");
        }
        Map<String, NamespaceSettings> byName = new LinkedHashMap<>();
        for (Map.Entry<String, ConfigValue> entry : namespaces.entrySet()) {
            if (entry.getValue().valueType() != ConfigValueType.NULL) { // io.namespace."/chat" = null: not served
                byName.put(entry.getKey(), namespace(entry.getKey(), entry.getValue()));
            }
        }
        if (byName.isEmpty()) {
            throw new ConfigProblem("io.namespace: at least one namespace is needed");
        }
        String appThreadsValue = config.getString("io.appThreads");
        IoSettings.AppThreads appThreads = null;
        for (IoSettings.AppThreads candidate : IoSettings.AppThreads.values()) {
            if (candidate.configValue().equals(appThreadsValue)) {
                appThreads = candidate;
            }
        }
        if (appThreads == null) {
            throw new ConfigProblem("io.appThreads: '" + appThreadsValue + "' is not one of event-loop, workers");
        }
        int workerThreads = config.getInt("io.workerThreads");
        if (workerThreads < 0) {
            throw new ConfigProblem("io.workerThreads: " + workerThreads + " is negative (0 means one per core)");
        }
        Duration shutdownTimeout = nonNegative(config, "io.shutdownTimeout");
        long maxPayloadBytes = config.getBytes("io.maxPayloadBytes");
        if (maxPayloadBytes < 1 || maxPayloadBytes > Integer.MAX_VALUE) {
            throw new ConfigProblem("io.maxPayloadBytes: " + maxPayloadBytes + " is out of range (1 to 2147483647 bytes)");
        }
        Duration pingInterval = positiveMillis(config, "io.pingInterval");
        Duration pingTimeout = positiveMillis(config, "io.pingTimeout");
        Duration connectTimeout = positiveMillis(config, "io.connectTimeout");
        String errorEvent = config.getString("io.errorEvent");
        return new IoSettings(byName, appThreads, workerThreads, shutdownTimeout, (int) maxPayloadBytes, pingInterval, pingTimeout,
                connectTimeout, corsOrigins(config), errorEvent, config.getBoolean("io.debugEndpoint"),
                config.getBoolean("io.perMessageDeflate"), config.getBoolean("io.httpCompression"));
    }

    /** {@code io.cors.origins}: each {@code scheme://host[:port]}, as a browser sends it, or {@code *}. */
    private static List<String> corsOrigins(Config config) {
        List<String> origins;
        try {
            origins = config.getStringList("io.cors.origins");
        } catch (ConfigException.WrongType e) {
            throw new ConfigProblem("io.cors.origins: expected a list of origins, e.g. [\"https://app.example.com\"]");
        }
        List<String> normalized = new ArrayList<>();
        for (String origin : origins) {
            normalized.add(origin.equals("*") ? origin : origin(origin));
        }
        return normalized;
    }

    private static String origin(String text) {
        String problem = "io.cors.origins: '" + text + "' is not an origin (scheme://host[:port], e.g. \"https://app.example.com\", or \"*\")";
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new ConfigProblem(problem);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null || uri.getRawUserInfo() != null
                || !(uri.getRawPath() == null || uri.getRawPath().isEmpty()) || uri.getRawQuery() != null
                || uri.getRawFragment() != null) {
            throw new ConfigProblem(problem);
        }
        return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
    }

    private static Duration nonNegative(Config config, String path) {
        Duration duration = config.getDuration(path);
        if (duration.isNegative()) {
            throw new ConfigProblem(path + ": must not be negative");
        }
        return duration;
    }

    /** {@code build.lease}: renewed every quarter of it, so shorter than a second would be mostly renewals. */
    private static Duration lease(Config config) {
        Duration lease = positiveMillis(config, "build.lease");
        if (lease.toMillis() < 1000) {
            throw new ConfigProblem("build.lease: " + lease.toMillis() + " ms is too short (at least 1s)");
        }
        return lease;
    }

    private static Duration positiveMillis(Config config, String path) {
        Duration duration = config.getDuration(path);
        if (duration.toMillis() < 1 || duration.toMillis() > Integer.MAX_VALUE) {
            throw new ConfigProblem(path + ": " + duration.toMillis() + " ms is out of range (1 ms to 24 days)");
        }
        return duration;
    }

    private static NamespaceSettings namespace(String name, ConfigValue value) {
        String path = IoSettings.namespacePath(name);
        if (!name.startsWith("/")) {
            throw new ConfigProblem(path + ": a namespace must start with '/' (did you mean \"/" + name + "\"?)");
        }
        if (value.valueType() != ConfigValueType.OBJECT) {
            throw new ConfigProblem(path + ": expected an object { connectionMiddleware = [...], packetMiddleware = [...] }");
        }
        Config ns = ((ConfigObject) value).toConfig();
        for (String key : ((ConfigObject) value).keySet()) {
            if (!NAMESPACE_KEYS.contains(key)) {
                throw new ConfigProblem(path + "." + key + ": unknown key (expected one of " + NAMESPACE_KEYS + ")");
            }
        }
        return new NamespaceSettings(name, names(ns, path, "connectionMiddleware"), names(ns, path, "packetMiddleware"));
    }

    private static List<String> names(Config ns, String path, String key) {
        if (!ns.hasPath(key)) {
            return List.of();
        }
        try {
            return ns.getStringList(key);
        } catch (ConfigException.WrongType e) {
            throw new ConfigProblem(path + "." + key + ": expected a list of middleware names, e.g. [auth]");
        }
    }

    private static String oneLine(String message) {
        return message.replaceAll("\\s*\\R\\s*", " ");
    }
}
