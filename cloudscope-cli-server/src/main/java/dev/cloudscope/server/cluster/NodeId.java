package dev.cloudscope.server.cluster;

/** This server's name among the cluster's nodes ({@code cluster.nodeId}); one node has one too, for its logs. */
public record NodeId(String value) {

    @Override
    public String toString() {
        return value;
    }
}
