package dev.cloudscope.it;

import java.util.ArrayList;
import java.util.List;

/** The socket.io clients the server must serve, of both protocol generations. */
enum Client {
    /** The lesson's own client library: Engine.IO 3 / socket.io protocol 4. */
    NODE_V2("Node socket.io-client 2.5.0", true),
    /** Today's Node and browser client: Engine.IO 4 / socket.io protocol 5. */
    NODE_V4("Node socket.io-client 4.8.1", false),
    /** Our CLI, on the Java client io.socket:socket.io-client 2.1.2: Engine.IO 4. */
    JAVA_CLI("cloudscope CLI (Java socket.io-client 2.1.2)", false);

    private final String description;
    private final boolean joinsRootToo;

    Client(String description, boolean joinsRootToo) {
        this.description = description;
        this.joinsRootToo = joinsRootToo;
    }

    /**
     * Whether asking for another namespace also connects it to {@code /}. In the 2.x generation the server
     * connects every client to {@code /} at transport open (socket.io 2's Client.setup), so {@code /}'s connection
     * middleware runs for it too; in the 4.x generation a client is connected only to the namespaces it asks for
     * (socket.io 4 docs, "Namespaces": the main namespace is joined only when asked for).
     */
    boolean joinsRootToo() {
        return joinsRootToo;
    }

    /** The command that runs this client once: {@code mode} is {@code chat} (the lesson) or {@code echo}. */
    List<String> command(String url, String mode) {
        return switch (this) {
            case NODE_V2 -> NodeFixture.command("v2", url, mode);
            case NODE_V4 -> NodeFixture.command("v4", url, mode);
            case JAVA_CLI -> {
                List<String> command = new ArrayList<>(List.of(Jars.java(), "-jar", Jars.cli().toString()));
                command.addAll(List.of(mode, url));
                yield command;
            }
        };
    }

    @Override
    public String toString() {
        return description;
    }
}
