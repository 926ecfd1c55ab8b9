package dev.cloudscope.server.app.web;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.MapBinder;
import dev.cloudscope.server.io.HttpHandler;
import dev.cloudscope.server.io.IoBindings;

/**
 * The server's web pages ({@link WebPages}): {@code /} (the recent builds, a room to open), {@code /builds/ID} (a
 * build's stages and live log), {@code /rooms/NAME} (a chat room), and their files under {@code /assets/}. Plain
 * GETs beside socket.io; the pages talk to the server over socket.io, on {@code /build} and {@code /chat}.
 */
public final class WebModule extends AbstractModule {

    @Override
    protected void configure() {
        MapBinder<String, HttpHandler> http = IoBindings.httpGet(binder());
        for (String prefix : WebPages.PREFIXES) {
            http.addBinding(prefix).to(WebPages.class);
        }
    }
}
