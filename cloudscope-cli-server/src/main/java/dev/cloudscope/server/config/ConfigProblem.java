package dev.cloudscope.server.config;

/** A config the server refuses to start with. The message is one line that names the key (and namespace). */
public final class ConfigProblem extends RuntimeException {

    public ConfigProblem(String message) {
        super(message);
    }

    public ConfigProblem(String message, Throwable cause) {
        super(message, cause);
    }
}
