package dev.cloudscope.server.testing;

import java.util.ArrayList;
import java.util.List;

/** Socket.io packets as a client received them, sorted by namespace. */
final class Namespaced {

    private Namespaced() {
    }

    /** The packets sent on {@code namespace} ("/" for the main one), with the namespace taken out. */
    static List<String> on(String namespace, List<String> packets) {
        List<String> on = new ArrayList<>();
        for (String packet : packets) {
            String type = packet.substring(0, Math.min(1, packet.length()));
            String rest = packet.substring(type.length());
            if (namespace.equals("/") && !rest.startsWith("/")) {
                on.add(packet);
            } else if (rest.startsWith(namespace + ",")) {
                on.add(type + rest.substring(namespace.length() + 1));
            } else if (rest.equals(namespace)) {
                on.add(type);
            }
        }
        return on;
    }
}
