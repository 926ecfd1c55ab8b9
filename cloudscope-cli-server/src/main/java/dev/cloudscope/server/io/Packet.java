package dev.cloudscope.server.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** An event packet as socket.io puts it on the wire: {@code [event, ...args]}. Prints as that JSON array. */
public record Packet(String event, List<Object> args) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public Packet {
        args = Collections.unmodifiableList(new ArrayList<>(args)); // JSON null is a valid argument
    }

    /** {@code [event, ...args]}. */
    public List<Object> asList() {
        List<Object> all = new ArrayList<>(args.size() + 1);
        all.add(event);
        all.addAll(args);
        return all;
    }

    /** The packet as socket.io encodes it, e.g. {@code ["chat","hello world!"]}. */
    @Override
    public String toString() {
        try {
            return JSON.writeValueAsString(asList());
        } catch (JsonProcessingException e) {
            return asList().toString();
        }
    }
}
