package dev.cloudscope.server.io.internal.core;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;

/** A {@link Link} without a transport: what the core sends through it, in order, e.g. {@code EVENT res [x]}. */
final class RecordingLink implements Link {

    final List<String> wire = new CopyOnWriteArrayList<>();
    private final String namespace;
    private final String sessionId;

    RecordingLink(String namespace) {
        this(namespace, "sid-1");
    }

    RecordingLink(String namespace, String sessionId) {
        this.namespace = namespace;
        this.sessionId = sessionId;
    }

    @Override
    public String sessionId() {
        return sessionId;
    }

    @Override
    public String namespace() {
        return namespace;
    }

    @Override
    public Map<String, List<String>> query() {
        return Map.of();
    }

    @Override
    public Map<String, Object> auth() {
        return Map.of();
    }

    @Override
    public String remoteAddress() {
        return "/127.0.0.1:50312";
    }

    @Override
    public Executor eventLoop() {
        return null;
    }

    @Override
    public boolean writable() {
        return true;
    }

    @Override
    public void connect() {
        wire.add("CONNECT");
    }

    @Override
    public void refuse(String reason) {
        wire.add("REFUSE " + reason);
    }

    @Override
    public void emit(String event, Object[] args) {
        wire.add("EVENT " + event + " " + Arrays.deepToString(args));
    }

    @Override
    public void leave() {
        wire.add("LEAVE");
    }

    @Override
    public void close() {
        wire.add("CLOSE");
    }
}
