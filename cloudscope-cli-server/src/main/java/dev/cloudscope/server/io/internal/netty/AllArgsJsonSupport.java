package dev.cloudscope.server.io.internal.netty;

import com.corundumstudio.socketio.protocol.AuthPacket;
import com.corundumstudio.socketio.protocol.Event;
import com.corundumstudio.socketio.protocol.JacksonJsonSupport;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * netty-socketio's JSON, except that an event's arguments are all decoded, as plain values (String, Number,
 * Boolean, Map, List, null), whatever the event. netty-socketio's own decoder keeps only the arguments of events
 * registered with Java types and drops the rest; our router, not netty-socketio, decides who gets an event.
 *
 * <p>And the handshake (the open packet's {@link AuthPacket}) says {@code maxPayload}, as Engine.IO 4 wants:
 * netty-socketio's has only sid, upgrades, pingInterval and pingTimeout. Engine.IO 3 clients ignore the extra key.
 */
final class AllArgsJsonSupport extends JacksonJsonSupport {

    /** @param maxPayload the most bytes a client may send in one POST or frame (io.maxPayloadBytes) */
    AllArgsJsonSupport(int maxPayload) {
        super(); // runs init
        SimpleModule handshake = new SimpleModule("cloudscope-handshake");
        handshake.addSerializer(AuthPacket.class, new HandshakeSerializer(maxPayload));
        objectMapper.registerModule(handshake);
    }

    @Override
    protected void init(ObjectMapper objectMapper) {
        super.init(objectMapper);
        SimpleModule allArgs = new SimpleModule("cloudscope-all-args");
        allArgs.addDeserializer(Event.class, new AllArgsEventDeserializer());
        objectMapper.registerModule(allArgs); // registered last, so it wins over netty-socketio's
    }

    /** The open packet's payload, in engine.io's order. */
    private static final class HandshakeSerializer extends StdSerializer<AuthPacket> {

        private static final long serialVersionUID = 1L;

        private final int maxPayload;

        HandshakeSerializer(int maxPayload) {
            super(AuthPacket.class);
            this.maxPayload = maxPayload;
        }

        @Override
        public void serialize(AuthPacket open, JsonGenerator json, SerializerProvider provider) throws IOException {
            json.writeStartObject();
            json.writeStringField("sid", open.getSid().toString());
            json.writeArrayFieldStart("upgrades");
            for (String upgrade : open.getUpgrades()) {
                json.writeString(upgrade);
            }
            json.writeEndArray();
            json.writeNumberField("pingInterval", open.getPingInterval());
            json.writeNumberField("pingTimeout", open.getPingTimeout());
            json.writeNumberField("maxPayload", maxPayload);
            json.writeEndObject();
        }
    }

    private static final class AllArgsEventDeserializer extends StdDeserializer<Event> {

        private static final long serialVersionUID = 1L;

        AllArgsEventDeserializer() {
            super(Event.class);
        }

        @Override
        public Event deserialize(JsonParser parser, DeserializationContext ctxt) throws IOException {
            if (parser.currentToken() != JsonToken.START_ARRAY) {
                return ctxt.reportInputMismatch(Event.class, "an event packet is a JSON array [event, ...args]");
            }
            String name = parser.nextTextValue();
            if (name == null) {
                return ctxt.reportInputMismatch(Event.class, "an event packet starts with the event's name as a string");
            }
            List<Object> args = new ArrayList<>();
            while (parser.nextToken() != JsonToken.END_ARRAY) {
                if (parser.currentToken() == null) {
                    return ctxt.reportInputMismatch(Event.class, "an event packet ends with ']'");
                }
                args.add(ctxt.readValue(parser, Object.class));
            }
            return new Event(name, args);
        }
    }
}
