package dev.cloudscope.server.io.internal.core;

import dev.cloudscope.server.io.Controller;
import dev.cloudscope.server.io.Router;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** The {@link Router} the app's routes are defined on, and what they defined: controllers by namespace and event. */
public final class RouteTable implements Router {

    private final String namespace;
    private final Map<String, Map<String, Controller>> table;

    public RouteTable() {
        this("/", new LinkedHashMap<>());
    }

    private RouteTable(String namespace, Map<String, Map<String, Controller>> table) {
        this.namespace = namespace;
        this.table = table;
    }

    @Override
    public RouteTable of(String namespace) {
        if (namespace == null || !namespace.startsWith("/")) {
            throw new IllegalArgumentException("a namespace starts with '/': " + namespace);
        }
        return new RouteTable(namespace, table);
    }

    @Override
    public RouteTable route(String event, Controller controller) {
        Map<String, Controller> routes = table.computeIfAbsent(namespace, ns -> new LinkedHashMap<>());
        if (routes.putIfAbsent(event, controller) != null) {
            throw new IllegalArgumentException("event '" + event + "' on namespace " + namespace + " is routed twice");
        }
        return this;
    }

    /** Controllers per namespace and event, as defined so far. */
    public Map<String, Map<String, Controller>> controllers() {
        return Collections.unmodifiableMap(table);
    }
}
