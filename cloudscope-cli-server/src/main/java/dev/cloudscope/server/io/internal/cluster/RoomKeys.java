package dev.cloudscope.server.io.internal.cluster;

/**
 * The Redis keys of rooms across nodes, all under {@code cloudscope:rooms:}. Per namespace one stream of emits;
 * per node (one name per process run) a set of its sockets, one set per room it has members in, a registry of those
 * sets' keys (so that they can be deleted by the node's name alone, in one script, with no SCAN); one sorted set
 * of the nodes by their last heartbeat, and one hash of the number of each node's last batch.
 */
final class RoomKeys {

    static final String PREFIX = "cloudscope:rooms:";
    static final String NODES = PREFIX + "nodes";
    /** Per node, the number of its last batch that Redis took: Redis lost writes of the node's if it holds another. */
    static final String MARKS = PREFIX + "marks";

    private RoomKeys() {
    }

    static String stream(String namespace) {
        return PREFIX + "stream:" + namespace;
    }

    /** What every key of {@code node}'s starts with ({@code node} is made of letters, digits, '-', '.' and '~'). */
    static String nodePrefix(String node) {
        return PREFIX + "node:" + node + ":";
    }

    /** The keys of {@code node}'s membership sets (a namespace starts with '/': no set is named so). */
    static String registry(String node) {
        return nodePrefix(node) + "keys";
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
