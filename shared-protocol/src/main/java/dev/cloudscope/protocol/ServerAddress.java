package dev.cloudscope.protocol;

/** Where the server listens unless told otherwise, and where the CLI looks for it: egg's default. */
public final class ServerAddress {
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 7001;

    private ServerAddress() {
    }

    /** {@code http://127.0.0.1:7001}, the URL the lesson's client connects to. */
    public static String defaultUrl() {
        return "http://" + DEFAULT_HOST + ":" + DEFAULT_PORT;
    }
}
