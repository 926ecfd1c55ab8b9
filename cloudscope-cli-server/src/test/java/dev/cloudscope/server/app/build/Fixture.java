package dev.cloudscope.server.app.build;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.PersonIdent;

/**
 * A fixture front-end project, committed by the test to a real git repository of its own (JGit, branch
 * {@code main}): a package.json whose build script is {@code node build.js}, and a build.js that writes
 * {@code dist/index.html}, or whatever the test puts there instead.
 */
final class Fixture {

    static final String BRANCH = "main";

    /** Node code every build.js starts with: fs, and a blocking sleep(ms). */
    static final String PRELUDE = """
            const fs = require('fs');
            const sleep = ms => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
            """;

    private final String name;
    private final Map<String, String> files = new LinkedHashMap<>();

    private Fixture(String name) {
        this.name = name;
        packageJson("""
                {
                  "name": "%s",
                  "version": "1.0.0",
                  "private": true,
                  "scripts": {"build": "node build.js"}
                }
                """.formatted(name));
        buildJs(site());
    }

    /** A project with no dependencies whose build writes {@link #html()} to dist/index.html. */
    static Fixture project(String name) {
        return new Fixture(name);
    }

    /** The page the default build writes. */
    String html() {
        return "<!doctype html>\n<title>" + name + "</title>\n<h1>Hello from " + name + "</h1>\n";
    }

    /** Node code that writes {@link #html()} to dist/index.html. */
    String site() {
        return "fs.mkdirSync('dist', {recursive: true});\nfs.writeFileSync('dist/index.html', "
                + jsString(html()) + ");\n";
    }

    String name() {
        return name;
    }

    Fixture packageJson(String json) {
        return file("package.json", json);
    }

    /** build.js: {@link #PRELUDE}, then {@code code}. */
    Fixture buildJs(String code) {
        return file("build.js", PRELUDE + code);
    }

    /** The content of one of the project's files. */
    String content(String path) {
        return files.get(path);
    }

    /** build.js: {@link #PRELUDE}, then {@code code}, then {@link #site()}. */
    Fixture buildJsThenSite(String code) {
        return buildJs(code + site());
    }

    Fixture file(String path, String content) {
        files.put(path, content);
        return this;
    }

    /** Commits the files to a new repository at {@code dir}, on branch main: its file:// URL. */
    String commitTo(Path dir) {
        try {
            Files.createDirectories(dir);
            for (Map.Entry<String, String> file : files.entrySet()) {
                if (file.getValue() == null) {
                    continue; // put there by the test itself (e.g. a binary file)
                }
                Path path = dir.resolve(file.getKey());
                Files.createDirectories(path.getParent());
                Files.writeString(path, file.getValue());
            }
            PersonIdent who = new PersonIdent("Fixture", "fixture@cloudscope.test");
            try (Git git = Git.init().setInitialBranch(BRANCH).setDirectory(dir.toFile()).call()) {
                git.add().addFilepattern(".").call();
                git.commit().setMessage("fixture " + name).setAuthor(who).setCommitter(who).setSign(false).call();
            }
            return dir.toUri().toString().replaceFirst("^file:/+", "file:///");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GitAPIException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code text} as a JavaScript string literal. */
    static String jsString(String text) {
        StringBuilder out = new StringBuilder("'");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '\'' -> out.append("\\'");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                default -> out.append(c);
            }
        }
        return out.append("'").toString();
    }
}
