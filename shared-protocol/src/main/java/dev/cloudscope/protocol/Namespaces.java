package dev.cloudscope.protocol;

/** The namespaces the lesson's server serves. */
public final class Namespaces {
    public static final String ROOT = "/";
    public static final String CHAT = "/chat";
    /** Cloud build ({@link BuildEvents}); a server with cloud build off refuses it with a connect error. */
    public static final String BUILD = "/build";

    private Namespaces() {
    }
}
