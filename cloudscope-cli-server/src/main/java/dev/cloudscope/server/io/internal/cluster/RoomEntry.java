package dev.cloudscope.server.io.internal.cluster;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import dev.cloudscope.server.io.internal.core.Rooms.RoomEmit;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One emit to rooms as an entry of a namespace's stream: which node sent it ({@code origin}, one name per process
 * run), its number among that node's entries on the namespace ({@code seq}, from 1), and the emit as JSON. The
 * arguments go as JSON, as they go to a client; a {@code byte[]} (a binary attachment) goes as
 * {@code {"$binary": BASE64}} and comes back a {@code byte[]}.
 */
record RoomEntry(String origin, long seq, RoomEmit emit) {

    static final String ORIGIN = "origin";
    static final String SEQ = "seq";
    static final String EMIT = "emit";
    private static final String BINARY = "$binary";

    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new SimpleModule("cloudscope-room-entry")
            .addSerializer(byte[].class, new JsonSerializer<>() {
                @Override
                public void serialize(byte[] bytes, JsonGenerator out, SerializerProvider provider) throws IOException {
                    out.writeStartObject();
                    out.writeStringField(BINARY, Base64.getEncoder().encodeToString(bytes));
                    out.writeEndObject();
                }
            }));

    private record Emit(List<String> rooms, List<String> except, String event, List<Object> args) {
    }

    /** {@code emit} as the JSON of an entry; an argument Jackson cannot write throws, naming the event. */
    static String json(RoomEmit emit) {
        Emit json = new Emit(List.copyOf(emit.rooms()), List.copyOf(emit.except()), emit.event(),
                Arrays.asList(emit.args())); // an argument may be null
        try {
            return JSON.writeValueAsString(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("'" + emit.event() + "' to rooms " + emit.rooms()
                    + ": an argument cannot be sent to other nodes as JSON (" + e.getOriginalMessage() + ")", e);
        }
    }

    /** A stream entry's fields: {@code json} as {@link #json} made it, sent by {@code origin} as its {@code seq}th. */
    static Map<String, String> fields(String origin, long seq, String json) {
        return Map.of(ORIGIN, origin, SEQ, Long.toString(seq), EMIT, json);
    }

    /** The entry read back from the stream of {@code namespace}; a field missing or malformed throws. */
    static RoomEntry of(String namespace, Map<String, String> fields) {
        String origin = fields.get(ORIGIN);
        String seq = fields.get(SEQ);
        String emit = fields.get(EMIT);
        if (origin == null || seq == null || emit == null) {
            throw new IllegalArgumentException("not a room entry (fields " + fields.keySet() + ")");
        }
        try {
            Emit json = JSON.readValue(emit, new TypeReference<Emit>() {
            });
            Object[] args = new Object[json.args().size()];
            for (int i = 0; i < args.length; i++) {
                args[i] = withBinary(json.args().get(i));
            }
            return new RoomEntry(origin, Long.parseLong(seq),
                    new RoomEmit(namespace, Set.copyOf(json.rooms()), Set.copyOf(json.except()), json.event(), args));
        } catch (JsonProcessingException | NumberFormatException | NullPointerException e) {
            throw new IllegalArgumentException("a malformed room entry from " + origin + ": " + e.getMessage(), e);
        }
    }

    /** {@code {"$binary": BASE64}} back to its bytes, at any depth. */
    private static Object withBinary(Object value) {
        if (value instanceof Map<?, ?> map) {
            if (map.size() == 1 && map.get(BINARY) instanceof String base64) {
                return Base64.getDecoder().decode(base64);
            }
            Map<Object, Object> copy = new LinkedHashMap<>();
            map.forEach((key, item) -> copy.put(key, withBinary(item)));
            return copy;
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>(list.size());
            list.forEach(item -> copy.add(withBinary(item)));
            return copy;
        }
        return value;
    }
}
