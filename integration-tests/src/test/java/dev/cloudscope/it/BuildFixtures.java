package dev.cloudscope.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The cloud build's fixtures: front-end projects with no npm dependencies (their build: {@code node build.js}, which
 * writes {@code dist/index.html}) committed to real git repositories on branch {@code main} with the git CLI, and
 * the bits of build.js the tests need (a line printed, the gate waited at, the site written).
 */
final class BuildFixtures {

    static final String VERSION = "1.0.0";
    private static final AtomicInteger SLEEPS = new AtomicInteger();

    private BuildFixtures() {
    }

    /** A project: {@code package.json} and {@code build.js}, plus any other files. */
    static final class Project {
        private final String name;
        private final Map<String, String> files = new LinkedHashMap<>();

        private Project(String name) {
            this.name = name;
            files.put("package.json", packageJson(name, null));
        }

        String name() {
            return name;
        }

        /** {@code build.js}: {@code body} inside an async function, after the helpers (see {@link #HELPERS}). */
        Project build(String body) {
            files.put("build.js", HELPERS + "\n(async () => {\n" + body + "\n})().catch(e => {\n"
                    + "  console.error('build.js: ' + (e && e.stack || e));\n  process.exit(1);\n});\n");
            return this;
        }

        /** {@code package.json} with these dependencies (a JSON object's text). */
        Project dependencies(String json) {
            files.put("package.json", packageJson(name, json));
            return this;
        }

        Project file(String path, String content) {
            files.put(path, content);
            return this;
        }

        /** Commits the project as the first commit of branch {@code main} of a new repository {@code parent/DIR}. */
        Path commit(Path parent) {
            Path repo = parent.resolve("repo-" + name + "-" + System.nanoTime());
            try {
                Files.createDirectories(repo);
                for (Map.Entry<String, String> file : files.entrySet()) {
                    Path path = repo.resolve(file.getKey());
                    Files.createDirectories(path.getParent());
                    Files.writeString(path, file.getValue(), StandardCharsets.UTF_8);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            git(repo, "init", "-q", "-b", "main");
            git(repo, "add", "-A");
            git(repo, "commit", "-q", "-m", "fixture: " + name);
            return repo;
        }
    }

    static Project project(String name) {
        return new Project(name);
    }

    /**
     * What every build.js has: {@code fs}, {@code gate()} (connects to the test's {@link BuildGate} on the
     * port given, and resolves once it says go), {@code sleep(ms)} and
     * {@code site(html)} (writes {@code dist/index.html} and {@code dist/app.js}).
     */
    static final String HELPERS = """
            'use strict';
            const fs = require('fs');
            const net = require('net');
            function gate(port) {
              return new Promise((resolve, reject) => {
                const socket = net.connect(port, '127.0.0.1');
                let said = '';
                socket.setEncoding('utf8');
                socket.on('data', chunk => {
                  said += chunk;
                  if (said.includes('\\n')) { socket.destroy(); resolve(); }
                });
                socket.on('error', reject);
                socket.on('close', () => reject(new Error('the gate closed')));
              });
            }
            function sleep(ms) { return new Promise(resolve => setTimeout(resolve, ms)); }
            function site(html) {
              fs.mkdirSync('dist', { recursive: true });
              fs.writeFileSync('dist/index.html', html);
              fs.writeFileSync('dist/app.js', 'console.log(' + JSON.stringify(html.length) + ');\\n');
            }
            """;

    /** The html a fixture's {@code site(...)} call writes for {@code name}, as the test expects to fetch it. */
    static String html(String name) {
        return "<!doctype html>\n<title>" + name + "</title>\n<h1>built by cloudscope: " + name + "</h1>\n";
    }

    /** {@code site('...html(name)...')}: the JS call that writes {@link #html(String)}. */
    static String siteCall(String name) {
        return "site(" + jsString(html(name)) + ");";
    }

    /** A JS string literal. */
    static String jsString(String text) {
        StringBuilder b = new StringBuilder("'");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '\'' -> b.append("\\'");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                default -> b.append(c);
            }
        }
        return b.append('\'').toString();
    }

    static String packageJson(String name, String dependencies) {
        return "{\n  \"name\": \"" + name + "\",\n  \"version\": \"" + VERSION + "\",\n  \"private\": true,\n"
                + "  \"scripts\": { \"build\": \"node build.js\" }"
                + (dependencies == null ? "" : ",\n  \"dependencies\": " + dependencies) + "\n}\n";
    }

    static String fileUrl(Path repo) {
        return "file://" + repo.toAbsolutePath().normalize();
    }

    /** The branch's head commit, as {@code git rev-parse}. */
    static String head(Path repo) {
        return git(repo, "rev-parse", "HEAD").strip();
    }

    /** An argument for {@code sleep} that no other process has: a test finds a build's sleep by it. */
    static String sleepMarker() {
        return String.valueOf(300_000 + SLEEPS.incrementAndGet() * 1000 + (ProcessHandle.current().pid() % 1000));
    }

    /**
     * The pids of live processes (not zombies) whose argv is exactly {@code argv}, e.g. {@code sleep 3007}: what a
     * build started and must not leave behind.
     */
    static List<Long> running(String... argv) {
        String wanted = String.join("\0", argv);
        List<Long> pids = new ArrayList<>();
        try (var proc = Files.list(Path.of("/proc"))) {
            for (Path dir : proc.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    String cmdline = Files.readString(dir.resolve("cmdline"), StandardCharsets.UTF_8);
                    String stat = Files.readString(dir.resolve("stat"), StandardCharsets.UTF_8);
                    int name = stat.lastIndexOf(')');
                    boolean zombie = name > 0 && name + 2 < stat.length() && stat.charAt(name + 2) == 'Z';
                    if (!zombie && cmdline.replaceAll("\0$", "").equals(wanted)) {
                        pids.add(Long.parseLong(dir.getFileName().toString()));
                    }
                } catch (IOException e) {
                    // gone meanwhile
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return pids;
    }

    /** Runs git in {@code dir} (no global or system config, a fixed author); its stdout, or fails with its output. */
    static String git(Path dir, String... args) {
        List<String> command = new ArrayList<>(List.of("git", "-c", "user.name=cloudscope-it",
                "-c", "user.email=it@cloudscope.invalid", "-c", "commit.gpgsign=false",
                "-c", "init.defaultBranch=main"));
        command.addAll(List.of(args));
        try {
            ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
            builder.environment().put("GIT_CONFIG_NOSYSTEM", "1");
            builder.environment().put("GIT_CONFIG_GLOBAL", "/dev/null");
            Process git = builder.start();
            String output = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!git.waitFor(60, TimeUnit.SECONDS)) {
                git.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + ": still running after 60 s");
            }
            if (git.exitValue() != 0) {
                throw new AssertionError(String.join(" ", command) + " in " + dir + " failed (exit code "
                        + git.exitValue() + "):\n" + output);
            }
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run git (is it installed?)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
