package dev.cloudscope.cloudbuild;

import dev.cloudscope.protocol.BuildEvents;
import java.util.Objects;
import org.json.JSONObject;

/**
 * One entry of a build's log as the server sent it: its event ({@code type}: {@link BuildEvents#STAGE},
 * {@link BuildEvents#LOG} or {@link BuildEvents#STATUS}) and its fields exactly as received
 * ({@code {id, seq, ...}}). The fields object is the client's own copy; do not change it.
 */
public record BuildEntry(String type, JSONObject fields) {

    public BuildEntry {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(fields, "fields");
    }

    /** The build's id. */
    public String id() {
        return text("id");
    }

    /** The entry's sequence number (from 1, without gaps); 0 if it has none. */
    public long seq() {
        return fields.optLong("seq", 0);
    }

    /** Whether this is the build's status, its last entry. */
    public boolean isStatus() {
        return BuildEvents.STATUS.equals(type);
    }

    /** A field as text, {@code null} when absent or JSON null. */
    public String text(String key) {
        return textOf(fields, key);
    }

    /** A whole-number field, {@code null} when absent or not a number. */
    public Long number(String key) {
        return numberOf(fields, key);
    }

    /** {@code key} of {@code json} as text, {@code null} when absent or JSON null. */
    public static String textOf(JSONObject json, String key) {
        Object value = json == null ? null : json.opt(key);
        return value == null || JSONObject.NULL.equals(value) ? null : String.valueOf(value);
    }

    /** {@code key} of {@code json} as a whole number, {@code null} when absent or not a number. */
    public static Long numberOf(JSONObject json, String key) {
        Object value = json == null ? null : json.opt(key);
        return value instanceof Number n ? Long.valueOf(n.longValue()) : null;
    }

    @Override
    public String toString() {
        return type + " " + fields;
    }
}
