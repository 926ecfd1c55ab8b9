package dev.cloudscope.server.app.io.controller;

import dev.cloudscope.protocol.Events;
import dev.cloudscope.server.io.IoContext;
import dev.cloudscope.server.io.IoSocket;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Chat rooms on {@code /chat} (not in the lesson; its text names chat tools first): {@code join (room, name)},
 * {@code say (room, text)}, {@code leave (room)}; every other member gets {@code said {room, from, text}}.
 */
public class RoomController {

    static final int MAX_ROOM = 64;
    static final int MAX_NAME = 32;
    static final int MAX_TEXT = 4096;
    /** Chat rooms one socket can be in at once: each is a set (and a member count) in Redis across nodes. */
    static final int MAX_ROOMS = 100;

    /** Chat rooms live apart from the rooms named by socket ids: joining "ROOM" can never mean joining a socket. */
    private static final String PREFIX = "room:";
    private static final String NAME = "name";

    /** {@code join (room, name)}: ack {@code {room, members}} or {@code {error}} (also past {@link #MAX_ROOMS}). */
    public CompletionStage<Void> join(IoContext ctx) {
        String room = arg(ctx, 0);
        String name = arg(ctx, 1);
        String problem = check("room", room, MAX_ROOM);
        if (problem == null) {
            problem = check("name", name, MAX_NAME);
        }
        if (problem != null) {
            ctx.ack(Map.of("error", problem));
            return done();
        }
        IoSocket socket = ctx.socket();
        if (!socket.rooms().contains(PREFIX + room)
                && socket.rooms().stream().filter(joined -> joined.startsWith(PREFIX)).count() >= MAX_ROOMS) {
            ctx.ack(Map.of("error", "room: already in " + MAX_ROOMS + " rooms, the most a socket can be in;"
                    + " leave one first"));
            return done();
        }
        socket.data().put(NAME, name);
        socket.join(PREFIX + room);
        return answerWithMembers(ctx, room);
    }

    /** {@code say (room, text)}: {@code said} to every other member; ack {@code {room}} or {@code {error}}. */
    public CompletionStage<Void> say(IoContext ctx) {
        String room = arg(ctx, 0);
        String text = arg(ctx, 1);
        String problem = room == null ? "room: a room name is needed"
                : !ctx.socket().rooms().contains(PREFIX + room) ? "not in room " + room
                : text == null ? "text: a string is needed"
                : text.length() > MAX_TEXT ? "text: longer than " + MAX_TEXT + " characters" : null;
        if (problem != null) {
            ctx.ack(Map.of("error", problem));
            return done();
        }
        Object from = ctx.socket().data().getOrDefault(NAME, ctx.socket().id());
        ctx.to(PREFIX + room).emit(Events.SAID, Map.of("room", room, "from", from, "text", text));
        ctx.ack(Map.of("room", room));
        return done();
    }

    /** {@code leave (room)}: ack {@code {room, members}}. */
    public CompletionStage<Void> leave(IoContext ctx) {
        String room = arg(ctx, 0);
        if (room == null) {
            ctx.ack(Map.of("error", "room: a room name is needed"));
            return done();
        }
        ctx.socket().leave(PREFIX + room);
        return answerWithMembers(ctx, room);
    }

    private static CompletionStage<Void> answerWithMembers(IoContext ctx, String room) {
        return ctx.socket().nsp().to(PREFIX + room).socketIds()
                .thenAccept(ids -> ctx.ack(Map.of("room", room, "members", ids.size())));
    }

    /** Why {@code value} is not a good room or name, or null if it is. */
    static String check(String what, String value, int max) {
        if (value == null || value.isEmpty()) {
            return what + ": a non-empty string is needed";
        }
        if (value.length() > max) {
            return what + ": longer than " + max + " characters";
        }
        if (value.chars().anyMatch(Character::isISOControl)) {
            return what + ": control characters are not allowed";
        }
        return null;
    }

    private static String arg(IoContext ctx, int i) {
        return ctx.args().size() > i && ctx.args().get(i) instanceof String text ? text : null;
    }

    private static CompletionStage<Void> done() {
        return CompletableFuture.completedFuture(null);
    }
}
