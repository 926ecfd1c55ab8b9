package dev.cloudscope.server.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * {@code build.*}: the cloud build (off unless {@code enabled}).
 *
 * @param workDir      where builds' logs, work trees and (with the directory store) sites live
 * @param repoSchemes  the URL schemes a build's repository may have
 * @param commands     the build commands a client may ask for, each run as an argv (never through a shell)
 * @param timeout      the longest a build may run, from its start to its end
 * @param maxLogBytes  the most log a build keeps; later lines are dropped, with one line saying so
 * @param concurrency  builds run at once; more wait in a queue of {@code queueLimit}, beyond it they are refused
 * @param keep         the builds whose logs and work trees are kept (the oldest go first)
 * @param sandbox      {@code bwrap} or {@code none}
 * @param user         the unprivileged user builds run as when the server runs as root
 * @param maxProcesses the most processes (threads count) a build may run at once
 * @param maxMemory    the most data (heap) each of a build's processes may have, in bytes
 * @param publicUrl    the base of the links the server gives out (sites, pages); empty: http://HOST:PORT
 * @param s3           the S3 store for sites, or empty for the directory store
 * @param lease        with {@code cluster.redis}: how long a node's silence is taken for its death; its running
 *                     builds are then ended by another node (docs/scaling.md)
 */
public record BuildSettings(boolean enabled, Path workDir, List<String> repoSchemes, List<String> commands,
                            Duration timeout, long maxLogBytes, int concurrency, int queueLimit, int keep,
                            Sandbox sandbox, String user, int maxProcesses, long maxMemory, String publicUrl,
                            Optional<S3> s3, Duration lease) {

    public BuildSettings {
        repoSchemes = List.copyOf(repoSchemes);
        commands = List.copyOf(commands);
    }

    public enum Sandbox { BWRAP, NONE }

    /** {@code build.store.s3}: an S3 API endpoint (AWS, Aliyun OSS, MinIO, s3proxy...). */
    public record S3(URI endpoint, String bucket, String region, String accessKey, String secretKey, URI publicBaseUrl) {
        @Override
        public String toString() { // never the secret
            return "S3[" + endpoint + ", bucket " + bucket + "]";
        }
    }
}
