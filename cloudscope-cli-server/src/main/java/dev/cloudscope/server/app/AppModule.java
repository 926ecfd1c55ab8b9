package dev.cloudscope.server.app;

import com.google.inject.AbstractModule;
import dev.cloudscope.server.app.io.middleware.Auth;
import dev.cloudscope.server.app.io.middleware.Filter;
import dev.cloudscope.server.app.io.middleware.Token;
import dev.cloudscope.server.io.IoBindings;
import dev.cloudscope.server.io.Routes;

/** The lesson's app: its middleware, bound by the names {@code application.conf} uses, and its routes. */
public final class AppModule extends AbstractModule {

    @Override
    protected void configure() {
        IoBindings.connectionMiddleware(binder()).addBinding("auth").to(Auth.class);   // app/io/middleware/auth.js
        IoBindings.packetMiddleware(binder()).addBinding("filter").to(Filter.class);   // app/io/middleware/filter.js
        IoBindings.connectionMiddleware(binder()).addBinding("token").to(Token.class); // auth.tokens without the greeting
        bind(Routes.class).to(AppRoutes.class);                                         // app/router.js
    }
}
