package dev.cloudscope.server.io.internal.cluster;

/**
 * The Redis keys of rooms across nodes, all under {@code cloudscope:rooms:}. Per namespace one stream of emits;
 * per node (one name per process run) a set of its sockets and one set per room it has members in, so that a node's
 * keys can be found, and deleted, by its name alone; and one sorted set of the nodes by their last heartbeat.
 */
final class RoomKeys {

    static final String PREFIX = "cloudscope:rooms:";
    static final String NODES = PREFIX + "nodes";

    private RoomKeys() {
    }

    static String stream(String namespace) {
        return PREFIX + "stream:" + namespace;
    }

    /** Every key of {@code node}'s, as a SCAN pattern ({@code node} is made of letters, digits, '-' and '.'). */
    static String ofNode(String node) {
        return PREFIX + "node:" + node + ":*";
    }

    /** The sockets of {@code namespace} connected to {@code node}. */
    static String sockets(String node, String namespace) {
        return PREFIX + "node:" + node + ":" + namespace + ":sockets";
    }

    /** The sockets of {@code node} in {@code room} of {@code namespace} (never a room named by a socket's id). */
    static String room(String node, String namespace, String room) {
        return PREFIX + "node:" + node + ":" + namespace + ":in:" + room;
    }
}
