package dev.cloudscope.server.io;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Maps events to controllers per namespace: {@code io.route("chat", chat::index)} on {@code /},
 * {@code io.of("/chat").route("chat", chat::index)}.
 */
public final class Router {

    private final String namespace;
    private final Map<String, Map<String, Controller>> table;

    public Router() {
        this("/", new LinkedHashMap<>());
    }

    private Router(String namespace, Map<String, Map<String, Controller>> table) {
        this.namespace = namespace;
        this.table = table;
    }

    /** The router of another namespace, sharing this router's table. */
    public Router of(String namespace) {
        if (namespace == null || !namespace.startsWith("/")) {
            throw new IllegalArgumentException("a namespace starts with '/': " + namespace);
        }
        return new Router(namespace, table);
    }

    /** Routes {@code event} on this router's namespace to {@code controller}. One controller per event. */
    public Router route(String event, Controller controller) {
        Map<String, Controller> routes = table.computeIfAbsent(namespace, ns -> new LinkedHashMap<>());
        if (routes.putIfAbsent(event, controller) != null) {
            throw new IllegalArgumentException("event '" + event + "' on namespace " + namespace + " is routed twice");
        }
        return this;
    }

    /** Routes per namespace, as defined so far. */
    public Map<String, Map<String, Controller>> table() {
        return Collections.unmodifiableMap(table);
    }
}
