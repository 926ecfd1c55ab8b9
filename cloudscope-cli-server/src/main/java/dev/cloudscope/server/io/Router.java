package dev.cloudscope.server.io;

/**
 * Maps events to controllers per namespace, as egg's {@code app/router.js}: {@code io.route("chat", chat::index)} on
 * {@code /}, {@code io.of("/chat").route("chat", chat::index)}. One controller per event and namespace; routing an
 * event twice, or on a namespace config does not have, stops the server at start-up.
 */
public interface Router {

    /** The router of another namespace. */
    Router of(String namespace);

    /** Routes {@code event} on this router's namespace to {@code controller}. */
    Router route(String event, Controller controller);
}
