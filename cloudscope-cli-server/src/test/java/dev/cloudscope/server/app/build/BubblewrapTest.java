package dev.cloudscope.server.app.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cloudscope.server.app.build.BuildProcess.Ending;
import dev.cloudscope.server.app.build.BuildProcess.Outcome;
import dev.cloudscope.server.app.build.BuildProcess.Stream;
import dev.cloudscope.server.app.build.ProcessTesting.Lines;
import dev.cloudscope.server.app.build.ProcessTesting.Processes;
import dev.cloudscope.server.app.build.Sandbox.Limits;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The sandbox for real: bubblewrap, node and npm inside, the build user when the test runs as root. Skipped where
 * bwrap is not installed; the uid-drop cases are skipped unless the test runs as root (as CI does).
 */
class BubblewrapTest {

    @TempDir
    Path temp;
    /** The build's work dir, in the temp dir; the rest of the temp dir stands for the server's own files. */
    Path workDir;

    private Bubblewrap sandbox;
    private final Processes processes = new Processes();

    @BeforeAll
    static void needsBwrapAndNode() {
        assumeTrue(Bubblewrap.onPath("bwrap").isPresent(), "bubblewrap (bwrap) is not installed: no sandbox tests");
        Processes.assumeNode();
    }

    @BeforeEach
    void workDir() throws IOException {
        // @TempDir is 0700: the build user must be able to pass through to its work dir, as through build.workDir
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwx--x--x"));
        workDir = temp.resolve("work");
        sandbox = new Bubblewrap();
        sandbox.check(temp);
        sandbox.prepareWorkDir(workDir);
    }

    @AfterEach
    void killLeftovers() {
        processes.killMarked();
    }

    @Test
    void nodeAndNpmRunInside() throws Exception {
        Lines node = new Lines();
        Lines npm = new Lines();

        assertThat(run(List.of("node", "-e", "console.log(process.version)"), node).succeeded()).isTrue();
        assertThat(run(List.of("npm", "--version"), npm).succeeded()).as(npm.text()).isTrue();

        assertThat(node.of(Stream.OUT)).containsExactly(hostOutput("node", "--version"));
        assertThat(npm.of(Stream.OUT)).containsExactly(hostOutput("npm", "--version"));
    }

    @Test
    void npmReachesTheRegistryOverHttps() throws Exception {
        assumeTrue(reachable("registry.npmjs.org", 443), "registry.npmjs.org is unreachable from here");
        Lines lines = new Lines();

        Outcome outcome = run(List.of("npm", "view", "left-pad@1.3.0", "version"), lines);

        assertThat(outcome.succeeded()).as(lines.text()).isTrue();
        assertThat(lines.of(Stream.OUT)).containsExactly("1.3.0");
    }

    @Test
    void itRunsInItsWorkDirWithACleanEnvironment() throws Exception {
        Lines lines = new Lines();

        run(List.of("node", "-e", "console.log(process.cwd()); console.log(JSON.stringify(process.env))"),
                Map.of("CI", "true"), lines);

        assertThat(lines.of(Stream.OUT)).containsExactly(Bubblewrap.WORK_DIR, "{\"PATH\":\"" + Bubblewrap.PATH
                + "\",\"HOME\":\"" + Bubblewrap.HOME + "\",\"LANG\":\"C.UTF-8\",\"CI\":\"true\","
                + "\"PWD\":\"" + Bubblewrap.WORK_DIR + "\"}"); // bwrap's --chdir sets PWD
    }

    @Test
    void asRootItRunsAsTheBuildUserWhoOwnsTheWorkDir() throws Exception {
        assumeRoot();
        int uid = (Integer) Files.getAttribute(workDir, "unix:uid");
        Lines lines = new Lines();

        run(List.of("node", "-e", "console.log(process.getuid(), process.geteuid(), process.getgroups().length)"),
                lines);

        assertThat(uid).isNotZero();
        assertThat(lines.of(Stream.OUT)).containsExactly(uid + " " + uid + " 1");
    }

    @Test
    void asRootTheBuildCannotReadARootOnlyFileInItsOwnWorkDir() throws Exception {
        assumeRoot(); // the case bwrap --uid alone gets wrong: root inside a user namespace still reads it
        Path secret = Files.writeString(workDir.resolve("secret.conf"), "token = hunter2\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        assertThat((Integer) Files.getAttribute(secret, "unix:uid")).isZero();
        Lines lines = new Lines();

        run(List.of("node", "-e", """
                const fs = require('fs');
                console.log('visible', fs.existsSync('secret.conf'));
                try { console.log('read', fs.readFileSync('secret.conf', 'utf8')); } catch (e) { console.log(e.code); }
                try { fs.chmodSync('secret.conf', 0o644); console.log('chmod'); } catch (e) { console.log(e.code); }
                """), lines);

        assertThat(lines.of(Stream.OUT)).containsExactly("visible true", "EACCES", "EPERM");
    }

    @Test
    void theServersFilesAreNotThere() throws Exception {
        Path config = Files.createDirectories(temp.resolve("config")).resolve("application.conf");
        Files.writeString(config, "auth.tokens = [\"hunter2\"]\n");
        Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-r--r--")); // even world-readable
        Lines lines = new Lines();

        run(List.of("node", "-e", """
                const fs = require('fs');
                for (const path of process.argv.slice(1)) console.log(path, fs.existsSync(path));
                console.log(fs.readdirSync('/').sort().join(' '));
                """, config.toString(), temp.toString(), "/root", "/home", "/work", "/etc/shadow", "/etc/passwd",
                "/var", "/opt", "/run", "/etc/npmrc"), lines);

        assertThat(lines.of(Stream.OUT)).startsWith(config + " false", temp + " false", "/root false", "/home false",
                "/work false", "/etc/shadow false", "/etc/passwd false", "/var false", "/opt false", "/run false",
                "/etc/npmrc false");
        assertThat(lines.of(Stream.OUT).get(11).split(" "))
                .isSubsetOf("bin", "build", "dev", "etc", "lib", "lib32", "lib64", "libx32", "proc", "sbin", "tmp",
                        "usr")
                .contains("build", "etc", "usr", "tmp", "proc", "dev");
    }

    @Test
    void itCannotWriteOutsideItsWorkDirAndItsTmpIsItsOwn() throws Exception {
        String marker = processes.marker();
        Lines lines = new Lines();

        run(List.of("node", "-e", """
                const fs = require('fs');
                for (const path of process.argv.slice(1)) {
                  try { fs.writeFileSync(path, 'x'); console.log(path, 'written'); } catch (e) { console.log(path, e.code); }
                }
                """, "/usr/" + marker, "/" + marker, "/etc/" + marker, "/etc/hosts", "/dev/" + marker,
                "/proc/" + marker, "/tmp/" + marker, "/build/" + marker), lines);

        assertThat(lines.of(Stream.OUT)).containsExactly("/usr/" + marker + " EROFS", "/" + marker + " EROFS",
                "/etc/" + marker + " EROFS", "/etc/hosts EROFS", "/dev/" + marker + " EROFS",
                "/proc/" + marker + " ENOENT", "/tmp/" + marker + " written", "/build/" + marker + " written");
        assertThat(Path.of("/tmp", marker)).doesNotExist(); // its /tmp was a tmpfs of its own, now gone
        assertThat(workDir.resolve(marker)).exists();
        if (isRoot()) {
            assertThat(Files.getAttribute(workDir.resolve(marker), "unix:uid"))
                    .isEqualTo(Files.getAttribute(workDir, "unix:uid"));
        }
    }

    @Test
    void itLeavesNoProcessBehindWhenItExits() throws Exception {
        String marker = processes.marker();
        Lines lines = new Lines();

        Outcome outcome = run(List.of("node", "-e", Processes.detachGrandchild(marker, "grandchild.pid")
                + "console.log('bye')"), lines);

        assertThat(outcome.succeeded()).as(lines.text()).isTrue();
        assertThat(workDir.resolve("grandchild.pid")).exists();
        assertThat(workDir.resolve("grandchild.pid.stdout")).exists();
        // the pid namespace ended with the command: the detached ones too, the one holding stdout as well
        assertThat(outcome.took()).isLessThan(BuildProcess.DRAIN_TIMEOUT);
        // the kernel kills what was left in the build's pid namespace when its first process ends: soon, not at once
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(processes.marked()).isEmpty());
        assertThat(Thread.getAllStackTraces().keySet()).map(Thread::getName)
                .noneMatch(name -> name.startsWith("build-process-"));
    }

    @Test
    void aTimeoutKillsEverythingInTheSandbox() throws Exception {
        String marker = processes.marker();
        Lines lines = new Lines();
        BuildProcess process = new BuildProcess(wrap(List.of("node", "-e", Processes.detachGrandchild(marker,
                "grandchild.pid") + "console.log('hanging'); setInterval(() => {}, 1000)")), Duration.ofSeconds(3),
                lines);

        Outcome outcome = process.run();

        assertThat(outcome.ending()).isEqualTo(Ending.TIMED_OUT);
        assertThat(lines.of(Stream.OUT)).containsExactly("hanging");
        assertThat(workDir.resolve("grandchild.pid")).exists();
        // the kernel kills what was left in the build's pid namespace when its first process ends: soon, not at once
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(processes.marked()).isEmpty());
        assertThat(Thread.getAllStackTraces().keySet()).map(Thread::getName)
                .noneMatch(name -> name.startsWith("build-process-"));
    }

    @Test
    void cancelKillsEverythingInTheSandbox() throws Exception {
        String marker = processes.marker();
        Lines lines = new Lines();
        BuildProcess process = new BuildProcess(wrap(List.of("node", "-e", Processes.detachGrandchild(marker,
                "grandchild.pid") + "console.log('ready'); setInterval(() => {}, 1000)")), Duration.ofMinutes(1),
                lines);

        CompletableFuture<Outcome> outcome = BuildProcessTest.runAsync(process);
        await().atMost(Duration.ofSeconds(30)).until(() -> lines.all().contains("out:ready"));
        assertThat(processes.marked()).filteredOn(found -> found.endsWith(marker)).hasSize(2); // the grandchildren
        process.cancel();

        assertThat(outcome.get(30, TimeUnit.SECONDS).ending()).isEqualTo(Ending.CANCELLED);
        // the kernel kills what was left in the build's pid namespace when its first process ends: soon, not at once
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(processes.marked()).isEmpty());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 137})
    void exitCodesComeThroughTheSandbox(int code) throws Exception {
        String script = code == 137 ? "process.kill(process.pid, 'SIGKILL')" : "process.exit(" + code + ")";

        Outcome outcome = run(List.of("node", "-e", script), new Lines());

        assertThat(outcome.ending()).isEqualTo(Ending.EXITED);
        assertThat(outcome.exitCode()).isEqualTo(code);
    }

    @Test
    void theProcessLimitStopsAForkBomb() throws Exception {
        // sleep's argument is the marker: a number no other process has
        String seconds = "1000." + ThreadLocalRandom.current().nextLong(1_000_000_000L, 10_000_000_000L);
        processes.mark(seconds);
        Lines lines = new Lines();

        Outcome outcome = run(List.of("node", "-e", """
                const cp = require('child_process');
                let spawned = 0, failed = 0;
                for (let i = 0; i < 200; i++) {
                  try {
                    const child = cp.spawn('sleep', [process.argv[1]], {stdio: 'ignore'});
                    child.on('spawn', () => spawned++);
                    child.on('error', () => failed++);
                  } catch (e) { failed++; }
                }
                setTimeout(() => { console.log('spawned', spawned, 'failed', failed); process.exit(0); }, 2000);
                """, seconds), Map.of(), new Limits(50, Limits.DEFAULTS.maxMemoryBytes()), lines);

        assertThat(outcome.succeeded()).as(lines.text()).isTrue();
        String[] counts = lines.of(Stream.OUT).get(0).split(" ");
        int spawned = Integer.parseInt(counts[1]);
        int failed = Integer.parseInt(counts[3]);
        assertThat(spawned).as(lines.text()).isPositive().isLessThan(50);
        assertThat(spawned + failed).isEqualTo(200);
        // the kernel kills what was left in the build's pid namespace when its first process ends: soon, not at once
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(processes.marked()).isEmpty());
    }

    @Test
    void theMemoryLimitStopsABigAllocationAndBoundsTmp() throws Exception {
        Lines lines = new Lines();
        Limits limits = new Limits(Limits.DEFAULTS.maxProcesses(), 256L << 20);

        run(List.of("node", "-e", """
                try { Buffer.alloc(512 * 1024 * 1024, 1); console.log('allocated'); } catch (e) { console.log(e.message); }
                try {
                  const fd = require('fs').openSync('/tmp/big', 'w'), mib = Buffer.alloc(1 << 20, 1);
                  for (let i = 0; i < 512; i++) require('fs').writeSync(fd, mib);
                  console.log('written');
                } catch (e) { console.log(e.code); }
                """), Map.of(), limits, lines);

        assertThat(lines.of(Stream.OUT)).containsExactly("Array buffer allocation failed", "ENOSPC");
    }

    @Test
    void checkSaysWhenTheBuildUserCannotReachTheWorkRoot() throws IOException {
        assumeRoot();
        Path hidden = Files.createDirectories(temp.resolve("private/builds"));
        Files.setPosixFilePermissions(hidden.getParent(), PosixFilePermissions.fromString("rwx------"));

        assertThatThrownBy(() -> sandbox.check(hidden)).isInstanceOf(Sandbox.Unavailable.class)
                .hasMessageContaining("can reach " + hidden).hasMessageNotContaining("\n");
    }

    @Test
    void checkSaysWhenTheBuildUserDoesNotExist() {
        assumeRoot();
        Bubblewrap nobody = new Bubblewrap("cloudscope-no-such-user");

        assertThatThrownBy(() -> nobody.check(temp)).isInstanceOf(Sandbox.Unavailable.class)
                .hasMessage("build.sandbox = bwrap, but the build user cloudscope-no-such-user does not exist: create"
                        + " it with: useradd --system --no-create-home --shell /usr/sbin/nologin"
                        + " cloudscope-no-such-user");
    }

    @Test
    void prepareWorkDirGivesTheBuildItsFilesButNeverWhatALinkPointsTo() throws IOException {
        assumeRoot();
        Path outside = Files.writeString(temp.resolve("server-secret"), "x");
        Files.createDirectories(workDir.resolve("src/deep"));
        Files.writeString(workDir.resolve("src/deep/file.js"), "x");
        Files.createSymbolicLink(workDir.resolve("src/link"), outside);
        Files.createSymbolicLink(workDir.resolve("dirlink"), temp);

        sandbox.prepareWorkDir(workDir);

        Object buildUid = Files.getAttribute(workDir, "unix:uid");
        assertThat(buildUid).isNotEqualTo(0);
        for (Path path : List.of(workDir.resolve("src"), workDir.resolve("src/deep"), workDir.resolve("src/deep/file.js"),
                workDir.resolve("src/link"), workDir.resolve("dirlink"))) {
            assertThat(Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS)).as(path.toString())
                    .isEqualTo(buildUid);
        }
        assertThat(Files.getAttribute(outside, "unix:uid")).isEqualTo(0);
        assertThat(Files.getAttribute(temp, "unix:uid")).isEqualTo(0);
    }

    @Test
    void theNamesAreChecked() {
        assertThatThrownBy(() -> new Bubblewrap("--reuid=0")).isInstanceOf(IllegalArgumentException.class);
        if (isRoot()) {
            assertThatThrownBy(() -> new Bubblewrap("root")).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> wrap(List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> sandbox.wrap(List.of("true"), workDir, Map.of("A=B", "c"), Limits.DEFAULTS))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(Sandbox.named("BWRAP", Bubblewrap.DEFAULT_USER)).isInstanceOf(Bubblewrap.class);
        assertThat(Sandbox.named("none", Bubblewrap.DEFAULT_USER)).isInstanceOf(NoSandbox.class);
        assertThatThrownBy(() -> Sandbox.named("docker", Bubblewrap.DEFAULT_USER))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private Outcome run(List<String> argv, Lines lines) throws Exception {
        return run(argv, Map.of(), lines);
    }

    private Outcome run(List<String> argv, Map<String, String> env, Lines lines) throws Exception {
        return run(argv, env, Limits.DEFAULTS, lines);
    }

    private Outcome run(List<String> argv, Map<String, String> env, Limits limits, Lines lines) throws Exception {
        return new BuildProcess(sandbox.wrap(argv, workDir, env, limits), Duration.ofSeconds(60), lines).run();
    }

    private ProcessBuilder wrap(List<String> argv) {
        return sandbox.wrap(argv, workDir, Map.of(), Limits.DEFAULTS);
    }

    private static String hostOutput(String... argv) throws Exception {
        Process process = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        process.waitFor(30, TimeUnit.SECONDS);
        return out;
    }

    private static boolean reachable(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 5000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static void assumeRoot() {
        assumeTrue(isRoot(), "not running as root: the server runs builds as itself, there is no uid to drop");
    }
}
