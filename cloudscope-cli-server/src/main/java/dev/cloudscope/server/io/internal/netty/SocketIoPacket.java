package dev.cloudscope.server.io.internal.netty;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A socket.io v5 packet as an Engine.IO 4 client sends it, read as the socket.io protocol document and
 * socket.io-parser read it: {@code TYPE[ATTACHMENTS-][/NAMESPACE,][ACK_ID][JSON]}, e.g. {@code 2/chat,7["chat","hi"]}.
 * A packet that breaks the format is an {@link Invalid}, which closes the client's connection.
 *
 * @param namespace   the namespace as config names it ({@code /} when the packet names none)
 * @param ackId       the acknowledgement id, or null
 * @param attachments how many binary attachments follow (binary event and ack)
 * @param data        the JSON payload as plain values (Map, List, String, Number, Boolean, null), or null if none
 */
record SocketIoPacket(Type type, String namespace, Long ackId, int attachments, Object data) {

    enum Type { CONNECT, DISCONNECT, EVENT, ACK, CONNECT_ERROR, BINARY_EVENT, BINARY_ACK }

    /** A packet that breaks the protocol: the reason says how, without quoting the content (it may hold a token). */
    static final class Invalid extends Exception {
        Invalid(String reason) {
            super(reason, null, false, false);
        }
    }

    /** The most attachments a binary packet may declare: each is one more message held until the last arrives. */
    static final int MAX_ATTACHMENTS = 64;

    /** Event names socket.io keeps for itself: a client may not send them. */
    private static final Set<String> RESERVED_EVENTS =
            Set.of("connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener");

    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    static SocketIoPacket parse(String text) throws Invalid {
        if (text.isEmpty() || text.charAt(0) < '0' || text.charAt(0) > '6') {
            throw new Invalid("unknown packet type");
        }
        Type type = Type.values()[text.charAt(0) - '0'];
        int i = 1;
        int attachments = 0;
        if (type == Type.BINARY_EVENT || type == Type.BINARY_ACK) {
            int dash = text.indexOf('-', i);
            if (dash <= i || dash - i > 18 || !digits(text, i, dash)) {
                throw new Invalid("a binary packet without a valid attachment count");
            }
            long declared = Long.parseLong(text.substring(i, dash));
            if (declared > MAX_ATTACHMENTS) {
                throw new Invalid("a binary packet declaring " + declared + " attachments (at most " + MAX_ATTACHMENTS + ")");
            }
            attachments = (int) declared;
            i = dash + 1;
        }
        String namespace = "/";
        if (i < text.length() && text.charAt(i) == '/') {
            int comma = text.indexOf(',', i);
            int end = comma < 0 ? text.length() : comma;
            namespace = text.substring(i, end);
            i = comma < 0 ? end : comma + 1;
        }
        Long ackId = null;
        int idEnd = i;
        while (idEnd < text.length() && Character.isDigit(text.charAt(idEnd)) && idEnd - i < 18) {
            idEnd++;
        }
        if (idEnd > i) {
            ackId = Long.parseLong(text.substring(i, idEnd));
            i = idEnd;
        }
        Object data = null;
        boolean hasData = i < text.length();
        if (hasData) {
            try {
                data = JSON.readValue(text.substring(i), Object.class);
            } catch (JsonProcessingException e) {
                throw new Invalid("a payload that is not JSON");
            }
        }
        if (!payloadFits(type, hasData, data)) {
            throw new Invalid("a " + type + " packet with a payload it cannot have");
        }
        if ((type == Type.ACK || type == Type.BINARY_ACK) && ackId == null) {
            throw new Invalid("an acknowledgement without an id");
        }
        return new SocketIoPacket(type, namespace, ackId, attachments, data);
    }

    /** What socket.io-parser's isPayloadValid allows for each type. */
    private static boolean payloadFits(Type type, boolean hasData, Object data) {
        return switch (type) {
            case CONNECT -> !hasData || data instanceof Map;
            case DISCONNECT -> !hasData;
            case CONNECT_ERROR -> data instanceof String || data instanceof Map;
            case EVENT, BINARY_EVENT -> data instanceof List<?> list && !list.isEmpty()
                    && list.get(0) instanceof String name && !RESERVED_EVENTS.contains(name);
            case ACK, BINARY_ACK -> data instanceof List;
        };
    }

    private static boolean digits(String text, int from, int to) {
        for (int i = from; i < to; i++) {
            if (!Character.isDigit(text.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** The event's name (an event packet's first element). */
    String eventName() {
        return (String) ((List<?>) data).get(0);
    }

    /** An event's arguments, or an ack's values, with every attachment placeholder replaced by its bytes. */
    List<Object> arguments(List<byte[]> attachmentBytes) throws Invalid {
        List<?> all = (List<?>) data;
        List<?> args = type == Type.EVENT || type == Type.BINARY_EVENT ? all.subList(1, all.size()) : all;
        List<Object> out = new ArrayList<>(args.size());
        for (Object arg : args) {
            out.add(attachmentBytes.isEmpty() ? arg : withBytes(arg, attachmentBytes));
        }
        return out;
    }

    /** socket.io-parser's reconstructPacket: {@code {"_placeholder":true,"num":N}} becomes attachment N. */
    private static Object withBytes(Object value, List<byte[]> attachments) throws Invalid {
        if (value instanceof Map<?, ?> map) {
            if (Boolean.TRUE.equals(map.get("_placeholder")) && map.size() == 2) {
                if (!(map.get("num") instanceof Integer num) || num < 0 || num >= attachments.size()) {
                    throw new Invalid("an attachment placeholder naming no attachment");
                }
                return attachments.get(num);
            }
            Map<Object, Object> copy = new LinkedHashMap<>();
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                copy.put(entry.getKey(), withBytes(entry.getValue(), attachments));
            }
            return copy;
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>(list.size());
            for (Object element : list) {
                copy.add(withBytes(element, attachments));
            }
            return copy;
        }
        return value;
    }
}
