package dev.cloudscope.server.app.build;

import java.io.IOException;

/** No log for that build id: never created, or removed by {@code build.keep}. */
public class UnknownBuildException extends IOException {

    public UnknownBuildException(BuildId id) {
        super("no build " + id);
    }
}
