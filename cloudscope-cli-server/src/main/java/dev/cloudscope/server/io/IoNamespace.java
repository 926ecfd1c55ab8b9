package dev.cloudscope.server.io;

/**
 * One namespace of the server ({@code app.io.of('/chat')} in egg): as a {@link Broadcast}, it addresses every socket
 * connected to it, e.g. {@code io.of("/chat").emit("news", "...")} or {@code io.of("/chat").to("room").emit(...)}.
 */
public interface IoNamespace extends Broadcast {

    /** The namespace's name, e.g. {@code /chat}. */
    String name();
}
