package dev.cloudscope.server.io;

/**
 * The server's namespaces, for code that emits outside a packet's chain (egg's {@code app.io}): inject it, then
 * {@code io.of("/chat").to(room).emit(...)}.
 */
public interface Io {

    /** A configured namespace; an unknown name is an {@link IllegalArgumentException}. */
    IoNamespace of(String namespace);
}
