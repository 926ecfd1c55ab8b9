package dev.cloudscope.server.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The keys the server knows: every key of the embedded {@code application.conf} under the server's own
 * {@link #SECTIONS}, at any depth. Adding a key to application.conf is all it takes to make it known. A key there
 * that the defaults do not have stops start-up with one line naming it and the nearest known key, e.g.
 * {@code io.pingIntervall: unknown key (did you mean io.pingInterval?)}.
 */
final class ConfigSchema {

    /**
     * The server's own top-level sections, each an object in application.conf. Keys outside them (system properties
     * such as {@code java.version}, other libraries' config) are not the server's, and are ignored.
     */
    static final List<String> SECTIONS = List.of("server", "io", "auth", "build", "cluster");

    /** Objects whose keys the user names: the namespaces, whose entries ConfigLoader checks with its own key list. */
    static final Set<String> USER_NAMED = Set.of("io.namespace");

    /** Inside our sections but another program's: Netty reads {@code -Dio.netty.*} system properties. */
    static final Set<String> FOREIGN = Set.of("io.netty");

    private final ConfigObject defaults;

    /** @param defaults the embedded application.conf */
    ConfigSchema(Config defaults) {
        for (String section : SECTIONS) {
            if (!(defaults.root().get(section) instanceof ConfigObject)) {
                throw new IllegalStateException("application.conf has no object '" + section
                        + "': each of ConfigSchema.SECTIONS needs one (it may be empty)");
            }
        }
        this.defaults = defaults.root();
    }

    /**
     * Checks the config the server runs with, every layer merged: a key that a higher layer replaced wholesale (a
     * file's {@code server.port.x} under {@code --port}) is gone from it, and not seen.
     *
     * @throws ConfigProblem for the first key in the server's sections that the defaults do not have
     */
    void check(Config config) {
        for (String section : SECTIONS) {
            ConfigValue value = config.root().get(section);
            if (value != null) {
                check(List.of(section), defaults.get(section), value);
            }
        }
    }

    private void check(List<String> path, ConfigValue known, ConfigValue actual) {
        String name = ConfigUtil.joinPath(path);
        if (USER_NAMED.contains(name)) {
            return;
        }
        if (!(known instanceof ConfigObject knownObject)) {
            if (actual instanceof ConfigObject actualObject && !actualObject.isEmpty()) {
                String key = sorted(actualObject.keySet()).get(0);
                throw new ConfigProblem(ConfigUtil.joinPath(child(path, key)) + ": unknown key (" + name + " takes "
                        + (known instanceof ConfigList ? "a list" : "a single value") + ", as in " + name + " = "
                        + known.render(ConfigRenderOptions.concise()) + ")");
            }
            return; // a value where a value belongs: its type is checked where it is read
        }
        if (!(actual instanceof ConfigObject actualObject)) {
            throw new ConfigProblem(name + ": expected an object (" + knownKeys(name, knownObject) + "), not "
                    + (actual.valueType() == ConfigValueType.NULL ? "null"
                            : "a " + actual.valueType().name().toLowerCase(Locale.ROOT)));
        }
        for (String key : sorted(actualObject.keySet())) {
            List<String> childPath = child(path, key);
            if (FOREIGN.contains(ConfigUtil.joinPath(childPath))) {
                continue;
            }
            ConfigValue knownChild = knownObject.get(key);
            if (knownChild == null) {
                throw new ConfigProblem(
                        ConfigUtil.joinPath(childPath) + ": unknown key (" + hint(path, key, knownObject) + ")");
            }
            check(childPath, knownChild, actualObject.get(key));
        }
    }

    /**
     * The nearest known key: a sibling within a few edits of {@code key}, else a key of that very name elsewhere (a
     * key in the wrong place); failing both, the known keys of its parent. A sibling's typo and a key moved to
     * another object are the likely mistakes; a near name in another object would mostly mislead.
     */
    private String hint(List<String> parent, String key, ConfigObject knownParent) {
        String nearest = null;
        int nearestDistance = maxDistance(key) + 1;
        for (String sibling : sorted(knownParent.keySet())) {
            int distance = distance(key, sibling);
            if (distance < nearestDistance) {
                nearest = sibling;
                nearestDistance = distance;
            }
        }
        if (nearest != null) {
            return "did you mean " + ConfigUtil.joinPath(child(parent, nearest)) + "?";
        }
        List<String> elsewhere = new ArrayList<>();
        for (String section : SECTIONS) {
            sameName(List.of(section), defaults.get(section), key, elsewhere);
        }
        if (!elsewhere.isEmpty()) {
            return "did you mean " + String.join(" or ", elsewhere) + "?";
        }
        return knownKeys(ConfigUtil.joinPath(parent), knownParent);
    }

    /** Adds to {@code found} each known key below {@code path} named {@code key} (case aside). */
    private static void sameName(List<String> path, ConfigValue known, String key, List<String> found) {
        if (!(known instanceof ConfigObject object) || USER_NAMED.contains(ConfigUtil.joinPath(path))) {
            return;
        }
        for (String name : sorted(object.keySet())) {
            List<String> childPath = child(path, name);
            if (name.equalsIgnoreCase(key)) {
                found.add(ConfigUtil.joinPath(childPath));
            }
            sameName(childPath, object.get(name), key, found);
        }
    }

    private static String knownKeys(String name, ConfigObject known) {
        return known.isEmpty() ? name + " has no keys"
                : "known keys of " + name + ": " + String.join(", ", sorted(known.keySet()));
    }

    /** How far a typo may be from the key meant: 1 edit in a name of up to 3 letters, 2 up to 7, else 3. */
    static int maxDistance(String key) {
        return key.length() <= 3 ? 1 : key.length() <= 7 ? 2 : 3;
    }

    /** Levenshtein distance, case aside: the fewest one-character insertions, deletions and substitutions. */
    static int distance(String a, String b) {
        String s = a.toLowerCase(Locale.ROOT);
        String t = b.toLowerCase(Locale.ROOT);
        int[] previous = new int[t.length() + 1];
        int[] current = new int[t.length() + 1];
        for (int j = 0; j <= t.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= s.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= t.length(); j++) {
                int substitution = previous[j - 1] + (s.charAt(i - 1) == t.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[t.length()];
    }

    private static List<String> child(List<String> path, String key) {
        List<String> child = new ArrayList<>(path);
        child.add(key);
        return child;
    }

    private static List<String> sorted(Set<String> keys) {
        return keys.stream().sorted().toList();
    }
}
