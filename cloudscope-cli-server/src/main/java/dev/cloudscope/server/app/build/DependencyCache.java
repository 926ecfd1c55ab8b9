package dev.cloudscope.server.app.build;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code node_modules} of successful installs, keyed by the repository, the branch and the SHA-256 of their
 * {@code package-lock.json}: a rebuild with an unchanged lock file copies them in instead of running {@code npm ci}.
 * Copies, never links: a build may change its own {@code node_modules}, and must not change the next build's. Never
 * shared between repositories or branches: an install runs the packages' scripts, and what they left must reach no
 * other project that merely has the same lock file. Only the server writes here (builds cannot see it); the newest
 * {@value #KEEP} entries are kept.
 */
final class DependencyCache {

    private static final Logger log = LoggerFactory.getLogger(DependencyCache.class);

    static final int KEEP = 10;

    private final Path root;
    private final CacheDirectory entries;

    /** The node's dependency cache: {@code WORKDIR/cache/node_modules}, whichever runs its builds. */
    static DependencyCache under(Path workDir) {
        return new DependencyCache(workDir.resolve("cache").resolve("node_modules"));
    }

    DependencyCache(Path root) {
        this.root = root;
        this.entries = new CacheDirectory(root, KEEP);
    }

    /** The key of {@code project}'s locked dependencies in {@code scope} (its repository and branch), or empty without a lock file. */
    static Optional<String> key(String scope, Path project) throws IOException {
        Path lock = project.resolve("package-lock.json");
        if (!Files.isRegularFile(lock, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        try (InputStream in = Files.newInputStream(lock)) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update((scope + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            byte[] buffer = new byte[65536];
            for (int n; (n = in.read(buffer)) > 0; ) {
                sha.update(buffer, 0, n);
            }
            return Optional.of(HexFormat.of().formatHex(sha.digest()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    /** Copies the cached {@code node_modules} of {@code key} into {@code project}. @return false on a miss */
    boolean restore(String key, Path project) throws IOException {
        Path cached = root.resolve(key).resolve("node_modules");
        if (!Files.isDirectory(cached, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        entries.touch(root.resolve(key));
        // whatever the repository put there goes first, as links, never followed: a node_modules that is a link to
        // a directory of the host must not have the server, root, copy files into it
        Path modules = project.resolve("node_modules");
        CacheDirectory.delete(modules);
        copyTree(cached, modules);
        return true;
    }

    /** Keeps a copy of {@code project}'s {@code node_modules} under {@code key}, if there is none yet. */
    void store(String key, Path project) {
        Path modules = project.resolve("node_modules");
        Path entry = root.resolve(key);
        if (Files.isDirectory(entry) || !Files.isDirectory(modules, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Path staging = root.resolve(".incoming-" + UUID.randomUUID());
        try {
            copyTree(modules, staging.resolve("node_modules"));
            Files.move(staging, entry, StandardCopyOption.ATOMIC_MOVE); // whole, or not at all
            entries.prune();
        } catch (IOException e) {
            log.warn("could not keep the dependencies of lock {}: {}", key, e.toString());
            CacheDirectory.delete(staging);
        }
    }

    /** Regular files, directories and links copied as they are (a link's target is never followed). */
    private static void copyTree(Path from, Path to) throws IOException {
        Files.createDirectories(to.getParent());
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Files.createDirectory(to.resolve(from.relativize(dir).toString())); // a new one, never through a link
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Path target = to.resolve(from.relativize(file).toString());
                if (attrs.isSymbolicLink()) {
                    Files.createSymbolicLink(target, Files.readSymbolicLink(file));
                } else if (attrs.isRegularFile()) {
                    Files.copy(file, target, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
