package dev.cloudscope.server.app.build;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.ProgressMonitor;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.TagOpt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bare mirrors of the repositories built, each branch one commit deep: a build fetches its branch into the mirror
 * (nothing to fetch when the branch has not moved) and clones from there, instead of cloning from the network every
 * time. One build at a time per repository; a mirror a fetch failed in is removed (it is only a cache). Only the
 * server writes here; builds never see it. The {@value #KEEP} repositories used last are kept.
 */
final class RepositoryCache {

    private static final Logger log = LoggerFactory.getLogger(RepositoryCache.class);

    static final int KEEP = 20;

    private final Path root;
    private final CacheDirectory mirrors;
    private final Map<String, Object> locks = new ConcurrentHashMap<>();

    /** The node's repository mirrors: {@code WORKDIR/cache/git}, whichever runs its builds. */
    static RepositoryCache under(Path workDir) {
        return new RepositoryCache(workDir.resolve("cache").resolve("git"));
    }

    RepositoryCache(Path root) {
        this.root = root;
        this.mirrors = new CacheDirectory(root, KEEP);
    }

    /**
     * Fetches {@code branch} of {@code repo} into its mirror, then clones it from there into {@code into}, both under
     * the repository's lock (so that no other build's fetch changes the mirror meanwhile).
     *
     * @param timeoutSeconds how long either may wait for the other side (a remote that stops answering)
     */
    void clone(URI repo, String branch, Path into, ProgressMonitor monitor, int timeoutSeconds)
            throws GitAPIException, IOException {
        String key = key(repo);
        Path mirror = root.resolve(key);
        synchronized (locks.computeIfAbsent(key, k -> new Object())) {
            boolean created = !Files.isDirectory(mirror.resolve("objects"), LinkOption.NOFOLLOW_LINKS);
            try {
                if (created) {
                    Files.createDirectories(mirror);
                    Git.init().setBare(true).setDirectory(mirror.toFile()).call().close();
                }
                try (Git git = Git.open(mirror.toFile())) {
                    git.fetch().setRemote(repo.toString())
                            .setRefSpecs(new RefSpec("+refs/heads/" + branch + ":refs/heads/" + branch))
                            .setDepth(1)
                            .setTagOpt(TagOpt.NO_TAGS)
                            .setTimeout(timeoutSeconds)
                            .setProgressMonitor(monitor)
                            .call();
                }
                mirrors.touch(mirror);
            } catch (GitAPIException | IOException | RuntimeException e) {
                if (created) {
                    CacheDirectory.delete(mirror); // half made; a mirror that was whole stays (its other branches)
                }
                throw e;
            }
            Git.cloneRepository()
                    .setURI(mirror.toUri().toString())
                    .setDirectory(into.toFile())
                    .setBranch("refs/heads/" + branch)
                    .setBranchesToClone(java.util.List.of("refs/heads/" + branch))
                    .setCloneAllBranches(false)
                    .setCloneSubmodules(false)
                    .setNoTags()
                    .setDepth(1)
                    .setTimeout(timeoutSeconds)
                    .setProgressMonitor(monitor)
                    .call()
                    .close();
        }
        prune();
    }

    private static String key(URI repo) {
        try {
            byte[] sha = MessageDigest.getInstance("SHA-256").digest(repo.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    private void prune() {
        for (Path old : mirrors.surplus()) {
            synchronized (locks.computeIfAbsent(old.getFileName().toString(), k -> new Object())) {
                CacheDirectory.delete(old);
            }
        }
    }
}
