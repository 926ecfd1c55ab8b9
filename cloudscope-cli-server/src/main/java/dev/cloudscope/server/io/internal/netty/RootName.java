package dev.cloudscope.server.io.internal.netty;

import com.corundumstudio.socketio.namespace.Namespace;

/** netty-socketio calls the main namespace "", socket.io and our config "/": translated here, and only here. */
final class RootName {

    private RootName() {
    }

    static String toConfig(String nettyName) {
        return nettyName.isEmpty() ? "/" : nettyName;
    }

    static String toNetty(String configName) {
        return configName.equals("/") ? Namespace.DEFAULT_NAME : configName;
    }
}
