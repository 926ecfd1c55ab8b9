package dev.cloudscope.server.io.internal.core;

import dev.cloudscope.server.io.Controller;
import java.util.List;
import java.util.Map;

/** One namespace as the server runs it: its middleware, outermost first, and its routes. Built once, at start. */
public record NamespaceChain(String name, List<Onion.Layer> connectionMiddleware, List<Onion.Layer> packetMiddleware,
                      Map<String, Controller> routes) {

    public NamespaceChain {
        connectionMiddleware = List.copyOf(connectionMiddleware);
        packetMiddleware = List.copyOf(packetMiddleware);
        routes = Map.copyOf(routes);
    }
}
