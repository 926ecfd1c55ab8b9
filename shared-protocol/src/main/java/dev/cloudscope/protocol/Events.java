package dev.cloudscope.protocol;

/** The event names of the lesson, the same on both sides of the socket. */
public final class Events {
    /** Client to server: a chat message, the lesson's {@code socket.emit('chat', 'hello world!')}. */
    public static final String CHAT = "chat";
    /** Server to client: every reply of the lesson ({@code ctx.socket.emit('res', ...)}). */
    public static final String RES = "res";
    /**
     * Client to server, with an acknowledgement callback: the controller answers the ack itself, with the
     * event's arguments. (Not {@code ping}: socket.io 2.x clients reserve that name and never send it.)
     */
    public static final String ECHO = "echo";

    private Events() {
    }
}
