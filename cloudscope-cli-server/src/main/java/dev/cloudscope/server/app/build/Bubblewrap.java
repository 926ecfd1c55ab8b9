package dev.cloudscope.server.app.build;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds in bubblewrap (Debian's {@code bubblewrap}): every namespace new but the network (npm needs the registry),
 * a root of its own holding only the toolchain read-only, the work dir read-write at {@value #WORK_DIR}, and limits
 * set by util-linux's {@code prlimit}.
 *
 * <p>The build runs as an unprivileged user. bwrap's {@code --uid} is no answer for a root server: inside the user
 * namespace the process is still root to the kernel's file checks on the host's files. So a root server first
 * becomes {@code build.user} for real, with util-linux's {@code setpriv} (no groups, no capabilities, no new
 * privileges), and that user runs bwrap in an unprivileged user namespace; a server that is not root runs bwrap as
 * itself.
 *
 * <p>bwrap's pid namespace ends the build: when its command exits or bwrap is killed ({@code --die-with-parent}
 * reaches its init), the kernel kills every process left in it, a detached {@code setsid} grandchild too.
 *
 * <p>Memory: {@code RLIMIT_DATA}, not {@code RLIMIT_AS}. V8 reserves far more address space than it uses (node 20
 * starts at 710 MiB of virtual memory, 37 MiB resident, and does not start under a 512 MiB {@code RLIMIT_AS}; a
 * WebAssembly memory reserves its guard regions up front, and fails under 1 GiB of it), so an address-space limit
 * says little about memory. {@code RLIMIT_DATA} counts the writable private memory a process has committed: node
 * starts under 64 MiB of it, npm install needs 128 to 192 MiB, WebAssembly works, and going over ends node with
 * "JavaScript heap out of memory" or a failed allocation. It is per process; the sandbox's {@code /tmp} and
 * {@code /dev/shm} are memory too, so their sizes are bounded as well.
 */
public final class Bubblewrap implements Sandbox {

    private static final Logger log = LoggerFactory.getLogger(Bubblewrap.class);

    /** {@code build.user}'s default: a system user with no home and no shell, made by CI or the package. */
    public static final String DEFAULT_USER = "cloudscope-build";
    /** Where a command sees its work dir, and its current directory. */
    public static final String WORK_DIR = "/build";
    /** HOME inside: in the work dir, so that npm's cache lives and dies with the build. */
    public static final String HOME = WORK_DIR + "/.home";
    static final String PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /**
     * The toolchain, read-only: programs and their libraries. A top-level symlink ({@code /bin -> usr/bin} on a
     * merged-/usr system) is made again as a symlink; a path the host lacks is left out.
     */
    static final List<String> TOOLCHAIN = List.of("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32",
            // /usr/bin/awk, nodejs, cc...: Debian's alternatives are symlinks through here
            "/etc/alternatives");
    /**
     * The few host files a build needs, found by trying npm install against the registry: DNS, CA certificates
     * (npm's cafile, git's https). Bound read-only, symlinks resolved (systemd's resolv.conf is one).
     * Not /etc/passwd: node and npm work without it, only os.userInfo() and whoami fail.
     */
    static final List<String> HOST_FILES = List.of("/etc/resolv.conf", "/etc/hosts", "/etc/nsswitch.conf",
            "/etc/ssl/certs");
    /** /dev/shm: a shared-memory user (a headless browser) gets this much; like Docker's default. */
    static final long SHM_BYTES = 64L << 20;

    private final String buildUser;
    private final boolean root;
    private final Optional<Path> bwrap;
    private final Optional<Path> setpriv;
    /** The build user's, when the server is root and the user exists. */
    private final Optional<Ids> ids;

    private record Ids(int uid, int gid) {}

    public Bubblewrap() {
        this(DEFAULT_USER);
    }

    /** Builds as {@code buildUser} when the server runs as root, else as the server's own user. */
    public Bubblewrap(String buildUser) {
        if (buildUser == null || !buildUser.matches("[A-Za-z_][A-Za-z0-9._-]{0,31}")) {
            throw new IllegalArgumentException("build.user must be a user name, not " + buildUser);
        }
        this.buildUser = buildUser;
        this.root = runningAsRoot();
        this.bwrap = onPath("bwrap");
        this.setpriv = onPath("setpriv");
        this.ids = root ? idsOf(buildUser) : Optional.empty();
    }

    /** Whether this server runs as root, so that its builds run as {@code build.user}. */
    public boolean dropsPrivileges() {
        return root;
    }

    @Override
    public void check(Path workRoot) {
        if (bwrap.isEmpty()) {
            throw new Unavailable("build.sandbox = bwrap, but bubblewrap (bwrap) is not installed: install Debian's"
                    + " bubblewrap, or set build.sandbox = none");
        }
        if (root && setpriv.isEmpty()) {
            throw new Unavailable("build.sandbox = bwrap, but setpriv (util-linux) is not on the PATH: a root server"
                    + " needs it to run builds as build.user");
        }
        if (root && ids.isEmpty()) {
            throw new Unavailable("build.sandbox = bwrap, but the build user " + buildUser + " does not exist:"
                    + " create it with: useradd --system --no-create-home --shell /usr/sbin/nologin " + buildUser);
        }
        if (!Files.isDirectory(workRoot)) {
            throw new Unavailable("build.workDir " + workRoot + " is not a directory");
        }
        // prlimit and true inside, the work root bound: proves the namespaces, the uid drop and that the build user
        // can reach build.workDir (each parent needs o+x)
        ProcessBuilder probe = wrap(List.of("true"), workRoot, Map.of(), Limits.DEFAULTS)
                .redirectErrorStream(true);
        String failure;
        try {
            Process process = probe.start();
            byte[] said;
            try (InputStream out = process.getInputStream()) {
                said = out.readNBytes(4096);
            }
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                failure = "it did not end within 30 s";
            } else if (process.exitValue() != 0) {
                String line = new String(said, StandardCharsets.UTF_8).strip().lines().findFirst().orElse("");
                failure = "exit code " + process.exitValue() + (line.isEmpty() ? "" : ": " + line);
            } else {
                return;
            }
        } catch (IOException e) {
            failure = e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure = "interrupted";
        }
        throw new Unavailable("build.sandbox = bwrap, but a command in the sandbox fails (" + failure + "); check"
                + " that unprivileged user namespaces are allowed and that " + runsAs() + " can reach " + workRoot);
    }

    @Override
    public String description() {
        return "bubblewrap, as " + runsAs();
    }

    private String runsAs() {
        return root
                ? buildUser + ids.map(id -> " (uid " + id.uid() + ")").orElse("")
                : "the server's own user (" + System.getProperty("user.name") + ")";
    }

    @Override
    public void prepareWorkDir(Path workDir) throws IOException {
        Files.createDirectories(workDir);
        if (!root) {
            return; // the build runs as the server's own user, who owns the dir already
        }
        Ids id = ids.orElseThrow(() -> new Unavailable("the build user " + buildUser + " does not exist"));
        Files.walkFileTree(workDir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                chown(dir);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                chown(file); // a symlink too, as itself: a link to /etc/shadow must not give the build the target
                return FileVisitResult.CONTINUE;
            }

            private void chown(Path path) throws IOException {
                Files.setAttribute(path, "unix:uid", id.uid(), LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(path, "unix:gid", id.gid(), LinkOption.NOFOLLOW_LINKS);
            }
        });
    }

    @Override
    public ProcessBuilder wrap(List<String> argv, Path workDir, Map<String, String> env, Limits limits) {
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("a command needs at least its program");
        }
        Path bwrapPath = bwrap.orElseThrow(() -> new Unavailable("bubblewrap (bwrap) is not installed"));
        List<String> command = new ArrayList<>();
        if (root) {
            Ids id = ids.orElseThrow(() -> new Unavailable("the build user " + buildUser + " does not exist"));
            command.addAll(List.of(setpriv.orElseThrow().toString(), "--reuid=" + id.uid(), "--regid=" + id.gid(),
                    "--clear-groups", "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--"));
        }
        command.addAll(List.of(bwrapPath.toString(),
                // --unshare-user spelled out: --unshare-all only tries it, and --disable-userns needs it
                "--unshare-all", "--unshare-user", "--share-net", "--disable-userns",
                "--die-with-parent", "--new-session", "--hostname", "cloudscope-build"));
        for (String dir : TOOLCHAIN) {
            Path path = Path.of(dir);
            if (Files.isSymbolicLink(path)) {
                command.addAll(List.of("--symlink", readLink(path), dir));
            } else if (Files.isDirectory(path)) {
                command.addAll(List.of("--ro-bind", dir, dir));
            }
        }
        for (String file : HOST_FILES) {
            if (Files.exists(Path.of(file))) {
                command.addAll(List.of("--ro-bind", file, file));
            }
        }
        command.addAll(List.of(
                "--proc", "/proc",
                "--dev", "/dev",
                "--size", Long.toString(SHM_BYTES), "--tmpfs", "/dev/shm",
                "--size", Long.toString(limits.maxMemoryBytes()), "--tmpfs", "/tmp",
                "--bind", workDir.toAbsolutePath().toString(), WORK_DIR,
                // nothing writable but the work dir, /tmp and /dev/shm, all three bounded
                "--remount-ro", "/dev",
                "--remount-ro", "/",
                "--chdir", WORK_DIR,
                "--clearenv"));
        environment(env).forEach((name, value) -> command.addAll(List.of("--setenv", name, value)));
        command.addAll(List.of("--",
                "prlimit", "--nproc=" + limits.maxProcesses(), "--data=" + limits.maxMemoryBytes(), "--core=0", "--"));
        command.addAll(argv);
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().clear(); // setpriv and bwrap need none; --clearenv cleans the build's
        return builder;
    }

    /** PATH, HOME and LANG, then the caller's. */
    static Map<String, String> environment(Map<String, String> env) {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("PATH", PATH);
        all.put("HOME", HOME);
        all.put("LANG", "C.UTF-8");
        env.forEach((name, value) -> {
            if (name.isEmpty() || name.contains("=") || name.indexOf('\0') >= 0 || value.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("not an environment variable: " + name);
            }
            all.put(name, value);
        });
        return all;
    }

    private static String readLink(Path link) {
        try {
            return Files.readSymbolicLink(link).toString();
        } catch (IOException e) {
            throw new Unavailable("cannot read the toolchain's symlink " + link + ": " + e.getMessage());
        }
    }

    /** /proc/self belongs to the effective uid. */
    private static boolean runningAsRoot() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | UnsupportedOperationException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    /** The user's uid and primary gid, through NSS as {@code id} sees them; empty when there is no such user. */
    private static Optional<Ids> idsOf(String user) {
        Optional<Integer> uid = id("-u", user);
        Optional<Integer> gid = id("-g", user);
        if (uid.isEmpty() || gid.isEmpty()) {
            return Optional.empty();
        }
        if (uid.get() == 0) {
            throw new IllegalArgumentException("build.user must not be root: " + user);
        }
        return Optional.of(new Ids(uid.get(), gid.get()));
    }

    private static Optional<Integer> id(String which, String user) {
        try {
            Process process = new ProcessBuilder("id", which, "--", user)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            String out;
            try (InputStream in = process.getInputStream()) {
                out = new String(in.readNBytes(64), StandardCharsets.US_ASCII).strip();
            }
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return Optional.empty();
            }
            return process.exitValue() == 0 && out.matches("\\d+") ? Optional.of(Integer.valueOf(out))
                    : Optional.empty();
        } catch (IOException e) {
            log.debug("id {} {}: {}", which, user, e.toString());
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** The first executable {@code name} on the server's PATH, then in the usual places. */
    static Optional<Path> onPath(String name) {
        String path = Optional.ofNullable(System.getenv("PATH")).orElse("");
        return Stream.concat(Stream.of(path.split(File.pathSeparator)), Stream.of("/usr/bin", "/bin", "/usr/sbin"))
                .filter(dir -> !dir.isEmpty() && Path.of(dir).isAbsolute())
                .map(dir -> Path.of(dir, name))
                .filter(Files::isExecutable)
                .findFirst();
    }
}
