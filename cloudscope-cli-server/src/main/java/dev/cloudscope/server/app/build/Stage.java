package dev.cloudscope.server.app.build;

/** The stages of a build, in order, as the course's cloud build names them. */
public enum Stage {
    PREPARE, DOWNLOAD, INSTALL, BUILD, PUBLISH;

    /** As the log and the clients write it: {@code install}. */
    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
