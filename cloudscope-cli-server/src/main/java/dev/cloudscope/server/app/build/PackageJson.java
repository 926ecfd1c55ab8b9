package dev.cloudscope.server.app.build;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A cloned project's package.json, as far as the cloud build trusts it: {@code name} by npm's rules for new
 * packages (validate-npm-package-name), {@code version} by semver 2.0, both checked before either becomes part of
 * a path ({@code sites/NAME/VERSION/}); whether there is anything to install; the scripts.
 *
 * <p>Path form of a scoped name: {@code @scope/name} is two directory levels, {@code @scope/name/VERSION}, as
 * npm's own {@code node_modules/@scope/name} and as the URL {@code /sites/@scope/name/VERSION/} reads. No
 * ambiguity: only a scoped name's first level starts with {@code @}, which an unscoped name cannot. Neither part
 * can be {@code .} or {@code ..} or hold a separator: a name part starts with {@code [a-z0-9-]} and has only
 * {@code [a-z0-9._-]}; a version has only {@code [0-9A-Za-z.+-]} and starts with a digit.
 */
public record PackageJson(String name, String version, boolean hasDependencies, Map<String, String> scripts) {

    /** package.json larger than this is refused before it is parsed. */
    public static final long MAX_BYTES = 1024 * 1024;
    public static final int MAX_NAME = 214;
    /** npm's own limit for a version string. */
    public static final int MAX_VERSION = 256;

    private static final Pattern NAME_PART = Pattern.compile("[a-z0-9-][a-z0-9._-]*");
    private static final Pattern SEMVER = Pattern.compile(
            "(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)"
                    + "(?:-((?:0|[1-9][0-9]*|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*)"
                    + "(?:\\.(?:0|[1-9][0-9]*|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
                    + "(?:\\+([0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*))?");
    private static final Set<String> BLOCKED = Set.of("node_modules", "favicon.ico");
    private static final List<String> DEPENDENCY_FIELDS =
            List.of("dependencies", "devDependencies", "optionalDependencies", "peerDependencies");

    /** Depth-capped: the file is size-capped already, but a deep nest costs stack, not bytes. */
    private static final ObjectMapper MAPPER = JsonMapper.builder(
                    JsonFactory.builder()
                            .streamReadConstraints(StreamReadConstraints.builder()
                                    .maxNestingDepth(64)
                                    .maxStringLength((int) MAX_BYTES)
                                    .build())
                            .build())
            .build();

    public PackageJson {
        scripts = Map.copyOf(scripts);
    }

    /**
     * Reads {@code projectDir/package.json}. Refused: missing, a link (it could point at any file the server may
     * read), larger than {@value #MAX_BYTES} bytes, not JSON, a bad name or version.
     */
    public static PackageJson read(Path projectDir) throws InvalidInputException, IOException {
        Path file = projectDir.resolve("package.json");
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            throw new InvalidInputException("package.json: not found at the top of the repository");
        }
        if (!attributes.isRegularFile()) {
            throw new InvalidInputException("package.json: not a regular file");
        }
        if (attributes.size() > MAX_BYTES) {
            throw new InvalidInputException("package.json: larger than " + LogFormat.size(MAX_BYTES));
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            bytes = in.readNBytes((int) MAX_BYTES + 1); // it may have grown since the size was read
        }
        if (bytes.length > MAX_BYTES) {
            throw new InvalidInputException("package.json: larger than " + LogFormat.size(MAX_BYTES));
        }
        return parse(bytes);
    }

    /** The same checks on package.json's bytes. */
    public static PackageJson parse(byte[] bytes) throws InvalidInputException {
        JsonNode root;
        try {
            root = MAPPER.readTree(bytes);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")";
            throw new InvalidInputException("package.json: not valid JSON" + where);
        } catch (IOException e) {
            throw new InvalidInputException("package.json: not readable");
        }
        if (root == null || !root.isObject()) {
            throw new InvalidInputException("package.json: not a JSON object");
        }
        String name = requiredString(root, "name");
        checkName(name);
        String version = requiredString(root, "version");
        checkVersion(version);

        boolean hasDependencies = false;
        for (String field : DEPENDENCY_FIELDS) {
            JsonNode dependencies = root.get(field);
            if (dependencies == null || dependencies.isNull()) {
                continue;
            }
            if (!dependencies.isObject()) {
                throw new InvalidInputException("package.json: \"" + field + "\" must be an object");
            }
            hasDependencies |= dependencies.size() > 0;
        }

        Map<String, String> scripts = new LinkedHashMap<>();
        JsonNode scriptsNode = root.get("scripts");
        if (scriptsNode != null && !scriptsNode.isNull()) {
            if (!scriptsNode.isObject()) {
                throw new InvalidInputException("package.json: \"scripts\" must be an object");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = scriptsNode.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> script = it.next();
                if (!script.getValue().isTextual()) {
                    throw new InvalidInputException("package.json: \"scripts\" values must be strings");
                }
                scripts.put(script.getKey(), script.getValue().textValue());
            }
        }
        return new PackageJson(name, version, hasDependencies, scripts);
    }

    private static String requiredString(JsonNode root, String field) throws InvalidInputException {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            throw new InvalidInputException("package.json: \"" + field + "\" is missing");
        }
        if (!node.isTextual()) {
            throw new InvalidInputException("package.json: \"" + field + "\" must be a string");
        }
        return node.textValue();
    }

    /** npm's rules for a new package's name; the message names the rule broken. */
    public static void checkName(String name) throws InvalidInputException {
        String field = "package.json: \"name\" ";
        if (name == null || name.isEmpty()) {
            throw new InvalidInputException(field + "must not be empty");
        }
        if (name.length() > MAX_NAME) {
            throw new InvalidInputException(field + "must be at most " + MAX_NAME + " characters");
        }
        if (!name.equals(name.strip())) {
            throw new InvalidInputException(field + "must not start or end with spaces");
        }
        if (name.startsWith(".") || name.startsWith("_")) {
            throw new InvalidInputException(field + "must not start with \".\" or \"_\"");
        }
        if (!name.equals(name.toLowerCase(Locale.ROOT))) {
            throw new InvalidInputException(field + "must be lowercase");
        }
        if (BLOCKED.contains(name)) {
            throw new InvalidInputException(field + "must not be \"" + name + "\"");
        }
        String scope = null;
        String bare = name;
        if (name.startsWith("@")) {
            int slash = name.indexOf('/');
            if (slash < 0) {
                throw new InvalidInputException(field + "has a scope but no \"/name\" after it");
            }
            scope = name.substring(1, slash);
            bare = name.substring(slash + 1);
            if (scope.isEmpty() || bare.isEmpty()) {
                throw new InvalidInputException(field + "must be \"@scope/name\" with neither part empty");
            }
        }
        if (bare.indexOf('/') >= 0 || (scope != null && scope.indexOf('/') >= 0)) {
            throw new InvalidInputException(field + "must not contain \"/\" (but after an \"@scope\")");
        }
        if (bare.startsWith(".") || bare.startsWith("_") || (scope != null && (scope.startsWith(".")
                || scope.startsWith("_")))) {
            throw new InvalidInputException(field + "must not have a part starting with \".\" or \"_\"");
        }
        if (!NAME_PART.matcher(bare).matches() || (scope != null && !NAME_PART.matcher(scope).matches())) {
            throw new InvalidInputException(field + "may hold only a-z, 0-9, \"-\", \".\" and \"_\" (URL-safe)");
        }
    }

    /** Semantic Versioning 2.0.0, strictly: no leading "v", no "=", no ranges, no leading zeros. */
    public static void checkVersion(String version) throws InvalidInputException {
        String field = "package.json: \"version\" ";
        if (version == null || version.isEmpty()) {
            throw new InvalidInputException(field + "must not be empty");
        }
        if (version.length() > MAX_VERSION) {
            throw new InvalidInputException(field + "must be at most " + MAX_VERSION + " characters");
        }
        if (!SEMVER.matcher(version).matches()) {
            throw new InvalidInputException(field + "must be a semantic version (MAJOR.MINOR.PATCH, e.g. 1.0.0)");
        }
    }

    /** Whether {@code name} passes {@link #checkName}. */
    public static boolean validName(String name) {
        try {
            checkName(name);
            return true;
        } catch (InvalidInputException e) {
            return false;
        }
    }

    /** Whether {@code version} passes {@link #checkVersion}. */
    public static boolean validVersion(String version) {
        try {
            checkVersion(version);
            return true;
        } catch (InvalidInputException e) {
            return false;
        }
    }

    /** {@code name/version} as relative path parts: {@code a/1.0.0}, or {@code @s/a/1.0.0} for a scoped name. */
    public String siteKey() {
        return siteKey(name, version);
    }

    /** Where this package's site goes under a store's root directory. */
    public Path sitePath(Path root) {
        return sitePath(root, name, version);
    }

    /** For a name and version already checked: the relative key, '/'-separated, for URLs and object keys. */
    static String siteKey(String name, String version) {
        return name + "/" + version;
    }

    /** For a name and version already checked: a scoped name's two levels are two directories. */
    static Path sitePath(Path root, String name, String version) {
        Path path = root;
        for (String part : name.split("/")) {
            path = path.resolve(part);
        }
        return path.resolve(version);
    }

    /** Whether package.json has a script of that name ({@code build} for {@code npm run build}). */
    public boolean hasScript(String script) {
        return scripts.containsKey(script);
    }
}
