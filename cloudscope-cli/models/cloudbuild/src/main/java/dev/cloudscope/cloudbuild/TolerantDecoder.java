package dev.cloudscope.cloudbuild;

import io.socket.parser.IOParser;
import io.socket.parser.Parser;
import org.json.JSONException;
import org.json.JSONObject;
import org.json.JSONTokener;

/**
 * socket.io-client's own decoder, except that it accepts a CONNECT_ERROR whose payload is not a JSON object.
 *
 * <p>socket.io 4 servers refuse a namespace with {@code 4/nsp,{"message":"..."}}, but netty-socketio sends a bare
 * JSON string, {@code 4/nsp,"Invalid namespace"}. socket.io-client 2.1.2 drops such a packet as an invalid payload
 * (logging it at FINE) and the client then waits forever. Here the payload is wrapped as {@code {"message": ...}}
 * first, so the refusal reaches {@code connect_error}. Every other packet goes to the stock decoder unchanged.
 */
final class TolerantDecoder implements Parser.Decoder {
    private final Parser.Decoder delegate = new IOParser.Decoder();

    @Override
    public void add(String packet) {
        delegate.add(normalize(packet));
    }

    @Override
    public void add(byte[] packet) {
        delegate.add(packet);
    }

    @Override
    public void destroy() {
        delegate.destroy();
    }

    @Override
    public void onDecoded(Callback callback) {
        delegate.onDecoded(callback);
    }

    /** The packet, with a CONNECT_ERROR's non-object payload wrapped as {@code {"message": payload}}. */
    static String normalize(String packet) {
        if (packet == null || packet.isEmpty() || packet.charAt(0) != '0' + Parser.CONNECT_ERROR) {
            return packet;
        }
        String nsp = "";
        int start = 1;
        if (packet.length() > 1 && packet.charAt(1) == '/') {
            int comma = packet.indexOf(',', 1);
            if (comma < 0) {
                nsp = packet.substring(1) + ",";
                start = packet.length();
            } else {
                nsp = packet.substring(1, comma + 1);
                start = comma + 1;
            }
        }
        String payload = packet.substring(start).trim();
        if (payload.startsWith("{")) {
            return packet;
        }
        String message;
        if (payload.isEmpty()) {
            message = "refused by the server";
        } else {
            try {
                Object value = new JSONTokener(payload).nextValue();
                message = value == null || JSONObject.NULL.equals(value) ? "refused by the server" : value.toString();
            } catch (JSONException e) {
                message = payload;
            }
        }
        try {
            return packet.charAt(0) + nsp + new JSONObject().put("message", message);
        } catch (JSONException e) {
            return packet; // cannot happen: the key is not null
        }
    }
}
