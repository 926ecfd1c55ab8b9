package dev.cloudscope.server.app;

import dev.cloudscope.protocol.BuildEvents;
import dev.cloudscope.protocol.Events;
import dev.cloudscope.protocol.Namespaces;
import dev.cloudscope.server.app.build.BuildController;
import dev.cloudscope.server.app.io.controller.ChatController;
import dev.cloudscope.server.app.io.controller.RoomController;
import dev.cloudscope.server.io.Router;
import dev.cloudscope.server.io.Routes;
import dev.cloudscope.server.config.BuildSettings;
import jakarta.inject.Inject;
import jakarta.inject.Provider;

/** The twin of the lesson's {@code app/router.js}. */
public final class AppRoutes implements Routes {

    private final ChatController chat;
    private final RoomController rooms;
    private final boolean buildEnabled;
    private final Provider<BuildController> build;

    @Inject
    AppRoutes(ChatController chat, RoomController rooms, BuildSettings buildSettings, Provider<BuildController> build) {
        this.chat = chat;
        this.rooms = rooms;
        this.buildEnabled = buildSettings.enabled();
        this.build = build;
    }

    @Override
    public void define(Router io) {
        // app.io.of('/')
        io.route(Events.CHAT, chat::index);
        // app.io.of('/chat')
        io.of(Namespaces.CHAT).route(Events.CHAT, chat::index);

        // not in the lesson: an event whose controller answers the acknowledgement itself
        io.route(Events.ECHO, chat::echo);
        io.of(Namespaces.CHAT).route(Events.ECHO, chat::echo);

        // not in the lesson: chat rooms
        io.of(Namespaces.CHAT).route(Events.JOIN, rooms::join).route(Events.SAY, rooms::say).route(Events.LEAVE, rooms::leave);

        // not in the lesson: the cloud build (its namespace refuses clients while it is off)
        if (buildEnabled) {
            BuildController builds = build.get();
            io.of(Namespaces.BUILD).route(BuildEvents.BUILD, builds::build).route(BuildEvents.DETACH, builds::detach)
                    .route(BuildEvents.FOLLOW, builds::follow).route(BuildEvents.CANCEL, builds::cancel)
                    .route(BuildEvents.STATUS, builds::status).route(BuildEvents.LIST, builds::list);
        }
    }
}
