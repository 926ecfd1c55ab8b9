package dev.cloudscope.server.io;

/** The app's routing table, the twin of egg's {@code app/router.js}. Bound once, in the app's Guice module. */
@FunctionalInterface
public interface Routes {
    void define(Router io);
}
