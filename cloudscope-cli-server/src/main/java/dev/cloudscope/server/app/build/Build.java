package dev.cloudscope.server.app.build;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One build as the server knows it while it is queued, runs, and after: its request, where it is, how it ended.
 * Its log is the {@link LogStore}'s. Changed by its run only (and by cancel), read by anyone.
 */
final class Build {

    private final BuildId id;
    private final BuildRequest request;
    private final Instant createdAt = Instant.now();

    // guarded by this
    private BuildStatus status = BuildStatus.QUEUED;
    private Stage stage;
    private Instant startedAt;
    private Instant endedAt;
    private Integer exitCode;
    private String message;
    private String siteUrl;
    private String name;
    private String version;
    /** The socket whose leaving cancels the build, or null once it detached. */
    private String owner;
    private boolean cancelRequested;
    private Runnable canceller = () -> { };
    private final CompletableFuture<BuildStatus> end = new CompletableFuture<>();
    private final Observer observer;

    /** Told where a build is as its run goes on, outside its lock: the cluster's build record follows it. */
    interface Observer {
        Observer NONE = new Observer() { };

        default void stage(BuildId id, Stage stage) {
        }

        default void project(BuildId id, String name, String version) {
        }
    }

    Build(BuildId id, BuildRequest request, String owner) {
        this(id, request, owner, Observer.NONE);
    }

    Build(BuildId id, BuildRequest request, String owner, Observer observer) {
        this.id = id;
        this.request = request;
        this.owner = owner;
        this.observer = observer;
    }

    BuildId id() {
        return id;
    }

    BuildRequest request() {
        return request;
    }

    synchronized BuildStatus status() {
        return status;
    }

    synchronized boolean ownedBy(String socketId) {
        return owner != null && owner.equals(socketId);
    }

    synchronized void detach() {
        owner = null;
    }

    /** The run begins. @return false if the build ended before (cancelled while queued): nothing to run */
    synchronized boolean started() {
        if (status != BuildStatus.QUEUED) {
            return false;
        }
        status = BuildStatus.WORKING;
        startedAt = Instant.now();
        return true;
    }

    /** Ends a build that has not started as CANCELLED. @return false if it had started (or ended) already */
    synchronized boolean endQueued(String message) {
        if (status != BuildStatus.QUEUED) {
            return false;
        }
        cancelRequested = true;
        ended(BuildStatus.CANCELLED, null, message, null);
        return true;
    }

    void stage(Stage stage) {
        synchronized (this) {
            this.stage = stage;
        }
        observer.stage(id, stage);
    }

    void project(String name, String version) {
        synchronized (this) {
            this.name = name;
            this.version = version;
        }
        observer.project(id, name, version);
    }

    void ended(BuildStatus status, Integer exitCode, String message, String siteUrl) {
        synchronized (this) {
            this.status = status;
            this.exitCode = exitCode;
            this.message = message;
            this.siteUrl = siteUrl;
            this.endedAt = Instant.now();
            this.canceller = () -> { };
        }
        end.complete(status); // outside the lock: what waits for the end runs here
    }

    /** Completes with the build's final status when it has ended (a copy: completing it changes nothing here). */
    CompletableFuture<BuildStatus> whenEnded() {
        return end.copy();
    }

    /** What cancels the work in progress (the running command, the clone); replaced as the run goes on. */
    synchronized void cancelWith(Runnable canceller) {
        this.canceller = canceller;
        if (cancelRequested) {
            canceller.run();
        }
    }

    /** Asks the build to stop; its run ends it as CANCELLED. @return false if it had ended already */
    boolean cancel() {
        Runnable stop;
        synchronized (this) {
            if (status.finished()) {
                return false;
            }
            cancelRequested = true;
            stop = canceller;
        }
        stop.run();
        return true;
    }

    synchronized boolean cancelRequested() {
        return cancelRequested;
    }

    /** What {@code status} and {@code list} answer. */
    synchronized Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("id", id.value());
        map.put("status", status.name());
        if (stage != null) {
            map.put("stage", stage.wire());
        }
        map.put("repo", request.displayRepo());
        map.put("branch", request.branch());
        map.put("command", request.command());
        putIfSet(map, "name", name);
        putIfSet(map, "version", version);
        map.put("createdAt", createdAt.toString());
        putIfSet(map, "startedAt", startedAt == null ? null : startedAt.toString());
        putIfSet(map, "endedAt", endedAt == null ? null : endedAt.toString());
        putIfSet(map, "exitCode", exitCode);
        putIfSet(map, "message", message);
        putIfSet(map, "siteUrl", siteUrl);
        return map;
    }

    private static void putIfSet(Map<String, Object> map, String key, Object value) {
        if (value != null) {
            map.put(key, value);
        }
    }
}
