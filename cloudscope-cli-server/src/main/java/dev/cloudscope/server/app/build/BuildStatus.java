package dev.cloudscope.server.app.build;

/** Where a build is, as {@code gcloud builds} says it: a short, closed list. */
public enum BuildStatus {
    QUEUED, WORKING, SUCCESS, FAILURE, TIMEOUT, CANCELLED, INTERNAL_ERROR;

    public boolean finished() {
        return this != QUEUED && this != WORKING;
    }
}
