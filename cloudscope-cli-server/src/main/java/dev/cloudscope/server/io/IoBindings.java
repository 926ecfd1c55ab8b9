package dev.cloudscope.server.io;

import com.google.inject.Binder;
import com.google.inject.multibindings.MapBinder;

/**
 * Where config names and code meet: middleware is bound under the name that {@code io.namespace.*} lists it by.
 * A name in config with no binding here stops the server at start-up.
 */
public final class IoBindings {

    private IoBindings() {
    }

    /** {@code connectionMiddleware(binder()).addBinding("auth").to(Auth.class)}. */
    public static MapBinder<String, ConnectionMiddleware> connectionMiddleware(Binder binder) {
        return MapBinder.newMapBinder(binder, String.class, ConnectionMiddleware.class);
    }

    /** {@code packetMiddleware(binder()).addBinding("filter").to(Filter.class)}. */
    public static MapBinder<String, PacketMiddleware> packetMiddleware(Binder binder) {
        return MapBinder.newMapBinder(binder, String.class, PacketMiddleware.class);
    }

    /** {@code httpGet(binder()).addBinding("/sites/").to(Sites.class)}: plain GETs under a path prefix. */
    public static MapBinder<String, HttpHandler> httpGet(Binder binder) {
        return MapBinder.newMapBinder(binder, String.class, HttpHandler.class);
    }
}
