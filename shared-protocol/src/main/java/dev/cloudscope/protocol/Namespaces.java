package dev.cloudscope.protocol;

/** The namespaces the lesson's server serves. */
public final class Namespaces {
    public static final String ROOT = "/";
    public static final String CHAT = "/chat";

    private Namespaces() {
    }
}
