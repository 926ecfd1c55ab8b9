package dev.cloudscope.cli;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.TreeSet;
import org.json.JSONArray;
import org.json.JSONObject;

/**
 * JSON as {@code build --json} prints it: one object on one line, the keys of the contract first in a fixed order
 * (the rest sorted), strings escaped as RFC 8259 asks and no more (org.json 2009 would also escape {@code /}).
 */
final class Json {
    /** The order of the keys the contract names; others follow, sorted. */
    private static final List<String> ORDER = List.of("type", "id", "seq", "status", "stage", "state", "stream",
            "line", "exitCode", "durationMs", "message", "siteUrl", "repo", "branch", "command", "name", "version",
            "createdAt", "startedAt", "endedAt", "lastSeq", "finished");

    private Json() {
    }

    /** {@code fields} as one line, with {@code "type": type} first (replacing any type it has), or no type if null. */
    static String line(String type, JSONObject fields) {
        StringBuilder b = new StringBuilder(128).append('{');
        boolean first = true;
        if (type != null) {
            b.append("\"type\":");
            string(b, type);
            first = false;
        }
        for (String key : keys(fields)) {
            if (type != null && key.equals("type")) {
                continue;
            }
            if (!first) {
                b.append(',');
            }
            first = false;
            string(b, key);
            b.append(':');
            value(b, fields.opt(key));
        }
        return b.append('}').toString();
    }

    /** {@code fields} as one line, as it is. */
    static String line(JSONObject fields) {
        return line(null, fields);
    }

    private static List<String> keys(JSONObject o) {
        TreeSet<String> rest = new TreeSet<>();
        for (Iterator<?> it = o.keys(); it.hasNext(); ) {
            rest.add(String.valueOf(it.next()));
        }
        List<String> keys = new ArrayList<>(rest.size());
        for (String key : ORDER) {
            if (rest.remove(key)) {
                keys.add(key);
            }
        }
        keys.addAll(rest);
        return keys;
    }

    private static void value(StringBuilder b, Object v) {
        if (v == null || JSONObject.NULL.equals(v)) {
            b.append("null");
        } else if (v instanceof String s) {
            string(b, s);
        } else if (v instanceof Boolean || v instanceof Integer || v instanceof Long) {
            b.append(v);
        } else if (v instanceof Number n) {
            double d = n.doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                b.append("null");
            } else if (d == Math.rint(d) && Math.abs(d) < 1e15) {
                b.append((long) d);
            } else {
                b.append(d);
            }
        } else if (v instanceof JSONObject o) {
            b.append(line(o));
        } else if (v instanceof JSONArray a) {
            b.append('[');
            for (int i = 0; i < a.length(); i++) {
                if (i > 0) {
                    b.append(',');
                }
                value(b, a.opt(i));
            }
            b.append(']');
        } else {
            string(b, String.valueOf(v));
        }
    }

    /** {@code s} as a JSON string. */
    static void string(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}
