package dev.cloudscope.it;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The lines ours must print (../shared/golden/README.md, "What ours must print"). */
final class Golden {

    static final String CONNECT = "connect!";
    static final String AUTH_REPLY = "res from server: auth!Hello Man!!!";
    static final String PACKET_REPLY = "res from server: packet!Hello Man!!!";
    static final String CHAT_REPLY = "res from server: Hello Man!!!";
    static final String PACKET = "[\"chat\",\"hello world!\"]";
    static final String PACKET_RESPONSE = "packet response!";
    static final String DISCONNECT = "disconnect!";

    private Golden() {
    }

    static String chatLine(long pid) {
        return "chat : hello world! : " + pid;
    }

    static List<String> clientOnRoot() {
        return List.of(CONNECT, AUTH_REPLY, PACKET_REPLY, CHAT_REPLY);
    }

    static List<String> serverOnRoot(long pid) {
        return List.of(PACKET, chatLine(pid), PACKET_RESPONSE, DISCONNECT);
    }

    static List<String> clientOnChat() {
        return List.of(CONNECT, AUTH_REPLY, CHAT_REPLY);
    }

    /** A 2.x-protocol client is also connected to "/", whose auth prints its own disconnect!. */
    static List<String> serverOnChat(long pid, boolean joinsRootToo) {
        List<String> lines = new ArrayList<>(List.of(chatLine(pid)));
        lines.addAll(disconnects(joinsRootToo ? 2 : 1));
        return lines;
    }

    static List<String> disconnects(int count) {
        return Collections.nCopies(count, DISCONNECT);
    }
}
