package dev.cloudscope.server.app.build;

import dev.cloudscope.server.config.BuildSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where a build's commands run: turns a command (an argv, never a shell string) and the build's work dir into the
 * process to start. {@code build.sandbox}: {@code bwrap} ({@link Bubblewrap}, the default) or {@code none}
 * ({@link NoSandbox}, with {@link NoSandbox#WARNING} at start-up).
 *
 * <p>Start-up: {@link #check(Path)} once (refuse to start on {@link Unavailable}, printing its one-line message),
 * log {@link #description()}. Per build: {@link #prepareWorkDir(Path)} after the clone, then {@link #wrap} for each
 * command, started by {@link BuildProcess}.
 */
public interface Sandbox {

    /** Per-command limits. Both are enforced by {@link Bubblewrap} only. */
    record Limits(int maxProcesses, long maxMemoryBytes) {

        /** {@code build.maxProcesses} and {@code build.maxMemory}. */
        static Limits of(BuildSettings settings) {
            return new Limits(settings.maxProcesses(), settings.maxMemory());
        }

        /**
         * 512 tasks (threads count: a node process has 7 to 11, npm run build about 25, a bundler with one worker
         * per core a few hundred on a big machine); 1 GiB of data per process (npm install needs 128 to 192 MiB,
         * node starts with less than 64 MiB; measured, see {@link Bubblewrap}).
         */
        public static final Limits DEFAULTS = new Limits(512, 1L << 30);

        public Limits {
            if (maxProcesses < 1) {
                throw new IllegalArgumentException("maxProcesses must be at least 1, not " + maxProcesses);
            }
            if (maxMemoryBytes < 1 << 20) {
                throw new IllegalArgumentException("maxMemoryBytes must be at least 1 MiB, not " + maxMemoryBytes);
            }
        }
    }

    /** This sandbox cannot run builds on this machine; the message is one line, fit for the start-up error. */
    final class Unavailable extends RuntimeException {
        public Unavailable(String message) {
            super(message);
        }
    }

    /**
     * The sandbox named by {@code build.sandbox}: {@code bwrap} runs builds as {@code buildUser} (when the server is
     * root), {@code none} as the server itself.
     *
     * @throws IllegalArgumentException for any other name
     */
    static Sandbox named(String name, String buildUser) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "bwrap" -> new Bubblewrap(buildUser);
            case "none" -> new NoSandbox();
            default -> throw new IllegalArgumentException("build.sandbox must be bwrap or none, not " + name);
        };
    }

    /**
     * Whether builds can run here, tried for real: the tools are there, the build user exists, a command starts in
     * the sandbox with {@code workRoot} (where build work dirs will be made) as its work dir.
     *
     * @throws Unavailable with one line saying what is missing and what to do
     */
    void check(Path workRoot);

    /** For the start-up log: how builds run, e.g. {@code bubblewrap, as cloudscope-build (uid 999)}. */
    String description();

    /**
     * Makes {@code workDir} (created if missing) and everything under it the build's own, so that its commands can
     * write there. Symbolic links are changed themselves, never followed. Call it before the first command and again
     * after the server itself has written into the dir, never while a command of the build runs (it could swap a
     * directory for a link under the walk).
     */
    void prepareWorkDir(Path workDir) throws IOException;

    /**
     * The process to start for {@code argv} in {@code workDir}, with a clean environment: only {@code PATH},
     * {@code HOME} (inside the work dir, so npm's cache is there), {@code LANG} and {@code env} (which wins, e.g.
     * {@code CI=true}, {@code npm_config_*}). Its stdin reads nothing; stdout and stderr are pipes.
     */
    ProcessBuilder wrap(List<String> argv, Path workDir, Map<String, String> env, Limits limits);
}
