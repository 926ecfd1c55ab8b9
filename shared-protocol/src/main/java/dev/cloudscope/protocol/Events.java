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
    /** Client to server on {@code /chat}: join {@code (room, name)}; ack {@code {room, members}} or {@code {error}}. */
    public static final String JOIN = "join";
    /** Client to server on {@code /chat}: leave a room, {@code (room)}; ack (if asked) {@code {room, members}}. */
    public static final String LEAVE = "leave";
    /** Client to server on {@code /chat}: {@code (room, text)} to the room; ack {@code {room}} or {@code {error}}. */
    public static final String SAY = "say";
    /** Server to client: another member's {@code say}, one object {@code {room, from, text}}; never to its sender. */
    public static final String SAID = "said";

    private Events() {
    }
}
