package dev.cloudscope.server.app.build;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code build.sandbox = none}: the command runs as the server itself, in the work dir, for machines without
 * bubblewrap. The environment is still clean; nothing else is kept from the build. Log {@link #WARNING} at start-up.
 */
public final class NoSandbox implements Sandbox {

    /** The WARN line to log at start-up when builds run this way. */
    public static final String WARNING = "build.sandbox = none: builds run as the server's own user, can read and"
            + " write whatever it can (its config and tokens too), have no process or memory limit, and a process"
            + " a build detaches outlives it; set build.sandbox = bwrap where bubblewrap is installed";

    /** The server's own PATH: with no sandbox, node may be anywhere the server finds it. */
    private final String path = Optional.ofNullable(System.getenv("PATH")).orElse(Bubblewrap.PATH);

    @Override
    public void check(Path workRoot) {
        if (!Files.isDirectory(workRoot)) {
            throw new Unavailable("build.workDir " + workRoot + " is not a directory");
        }
    }

    @Override
    public String description() {
        return "no sandbox, as the server's own user (" + System.getProperty("user.name") + ")";
    }

    @Override
    public void prepareWorkDir(Path workDir) throws IOException {
        Files.createDirectories(workDir);
    }

    @Override
    public ProcessBuilder wrap(List<String> argv, Path workDir, Map<String, String> env, Limits limits) {
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("a command needs at least its program");
        }
        ProcessBuilder builder = new ProcessBuilder(argv)
                .directory(workDir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        // the same variables as in bwrap, but the server's PATH and a HOME at the work dir's real path
        Map<String, String> environment = new LinkedHashMap<>(Bubblewrap.environment(env));
        if (!env.containsKey("PATH")) {
            environment.put("PATH", path);
        }
        if (!env.containsKey("HOME")) {
            environment.put("HOME", workDir.toAbsolutePath().resolve(".home").toString());
        }
        builder.environment().clear();
        builder.environment().putAll(environment);
        return builder;
    }
}
