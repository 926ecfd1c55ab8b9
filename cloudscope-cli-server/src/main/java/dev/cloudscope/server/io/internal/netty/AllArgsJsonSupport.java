package dev.cloudscope.server.io.internal.netty;

import com.corundumstudio.socketio.protocol.Event;
import com.corundumstudio.socketio.protocol.JacksonJsonSupport;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * netty-socketio's JSON, except that an event's arguments are all decoded, as plain values (String, Number,
 * Boolean, Map, List, null), whatever the event. netty-socketio's own decoder keeps only the arguments of events
 * registered with Java types and drops the rest; our router, not netty-socketio, decides who gets an event.
 */
final class AllArgsJsonSupport extends JacksonJsonSupport {

    @Override
    protected void init(ObjectMapper objectMapper) {
        super.init(objectMapper);
        SimpleModule allArgs = new SimpleModule("cloudscope-all-args");
        allArgs.addDeserializer(Event.class, new AllArgsEventDeserializer());
        objectMapper.registerModule(allArgs); // registered last, so it wins over netty-socketio's
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
