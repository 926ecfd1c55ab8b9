package dev.cloudscope.server.io;

import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * An emit to many sockets of one namespace: {@code socket.to("room").emit(...)}, {@code socket.broadcast().emit(...)},
 * {@code nsp.to("a").to("b").except("c").emit(...)}. Each call returns a new, narrower one; none has any effect
 * until {@link #emit}. A socket in several of the rooms gets the event once.
 */
public interface Broadcast {

    /** Also to the sockets in {@code room} (with no room given, it is the whole namespace). */
    Broadcast to(String room);

    /** The same as {@link #to}, as socket.io spells it too. */
    default Broadcast in(String room) {
        return to(room);
    }

    /** Not to the sockets in {@code room}. */
    Broadcast except(String room);

    /** Sends the event to every socket addressed; {@code byte[]} arguments go as binary attachments. */
    void emit(String event, Object... args);

    /** The ids of the sockets addressed, now. */
    CompletionStage<Set<String>> socketIds();
}
