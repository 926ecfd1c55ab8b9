package dev.cloudscope.protocol;

/** The event names of the lesson, the same on both sides of the socket. */
public final class Events {
    /** Client to server: a chat message, the lesson's {@code socket.emit('chat', 'hello world!')}. */
    public static final String CHAT = "chat";
    /** Server to client: every reply of the lesson ({@code ctx.socket.emit('res', ...)}). */
    public static final String RES = "res";

    private Events() {
    }
}
