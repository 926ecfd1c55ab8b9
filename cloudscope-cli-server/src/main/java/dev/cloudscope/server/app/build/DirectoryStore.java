package dev.cloudscope.server.app.build;

import java.io.IOException;
import java.net.URI;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;
import java.util.UUID;

/**
 * The embedded {@link ArtifactStore}: a directory ({@code WORKDIR/sites}) that the server serves at
 * {@code http://HOST:PORT/sites/}. A site is copied into {@code .staging/} first (a name no package can have, so
 * never served) and moved into place whole, so a request sees the old site or the new one, never half of one.
 */
public final class DirectoryStore implements ArtifactStore {

    static final String STAGING = ".staging";
    static final String MANIFEST_SUFFIX = ".manifest.json";

    private final Path root;
    private final String baseUrl;
    private final Object swap = new Object();

    /**
     * @param root    the sites' directory, e.g. {@code build.workDir}/sites
     * @param baseUrl where the server serves it, e.g. {@code http://127.0.0.1:7001/sites/}
     */
    public DirectoryStore(Path root, URI baseUrl) throws IOException {
        this.root = Files.createDirectories(root).toRealPath();
        String base = baseUrl.toString();
        this.baseUrl = base.endsWith("/") ? base : base + "/";
        deleteTree(this.root.resolve(STAGING)); // what a stopped server left half-copied
    }

    public Path root() {
        return root;
    }

    @Override
    public Publication publish(String name, String version, Path builtDir) throws InvalidInputException, IOException {
        PackageJson.checkName(name);
        PackageJson.checkVersion(version);
        Path staging = root.resolve(STAGING).resolve(UUID.randomUUID().toString());
        try {
            Manifest manifest = BuiltSite.copy(name, version, builtDir, staging.resolve("site"));
            Files.write(staging.resolve("manifest.json"), manifest.toJson());
            Path site = PackageJson.sitePath(root, name, version);
            Path manifestFile = site.resolveSibling(version + MANIFEST_SUFFIX);
            synchronized (swap) { // two builds of the same name and version: one replaces the other whole
                Files.createDirectories(site.getParent());
                boolean replacing = Files.exists(site, LinkOption.NOFOLLOW_LINKS);
                if (replacing) {
                    move(site, staging.resolve("old"));
                }
                try {
                    move(staging.resolve("site"), site);
                } catch (IOException e) {
                    if (replacing) { // the old site back rather than none
                        move(staging.resolve("old"), site);
                    }
                    throw e;
                }
                Files.move(staging.resolve("manifest.json"), manifestFile, StandardCopyOption.REPLACE_EXISTING,
                        StandardCopyOption.ATOMIC_MOVE);
            }
            return new Publication(siteUrl(name, version), manifest);
        } finally {
            deleteTree(staging);
        }
    }

    @Override
    public Optional<SiteFile> open(String name, String version, String path) throws IOException {
        Optional<SitePath> site = SitePath.of(name, version, path);
        return site.isEmpty() ? Optional.empty() : open(site.get());
    }

    /** The same as {@link #open(String)}: a request path after {@code /sites/} to a file, safely. */
    public Optional<SiteFile> resolve(String requestPath) throws IOException {
        return open(requestPath);
    }

    @Override
    public Optional<SiteFile> open(SitePath request) throws IOException {
        Path site = PackageJson.sitePath(root, request.name(), request.version());
        Path file = site;
        // every level checked without following links: a link anywhere in the site is never followed
        if (!Files.isDirectory(site, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        for (String segment : request.segments()) {
            file = file.resolve(segment);
            if (!file.normalize().startsWith(site)) {
                return Optional.empty();
            }
        }
        BasicFileAttributes attributes;
        try {
            Path level = site;
            for (String segment : request.segments().subList(0, request.segments().size() - 1)) {
                level = level.resolve(segment);
                if (!Files.readAttributes(level, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isDirectory()) {
                    return Optional.empty();
                }
            }
            attributes = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        if (attributes.isDirectory() && !request.index()) {
            // /sites/a/1.0.0/docs (no slash): that directory's index.html, as /sites/a/1.0.0/docs/
            file = file.resolve(SitePath.INDEX);
            try {
                attributes = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException e) {
                return Optional.empty();
            }
        }
        if (!attributes.isRegularFile()) {
            return Optional.empty();
        }
        Path found = file;
        String relative = BuiltSite.relative(site, found);
        return Optional.of(new SiteFile(relative, ContentTypes.of(relative), attributes.size(), found,
                () -> Files.newInputStream(found, LinkOption.NOFOLLOW_LINKS)));
    }

    @Override
    public Optional<Manifest> manifest(String name, String version) throws IOException {
        if (!PackageJson.validName(name) || !PackageJson.validVersion(version)) {
            return Optional.empty();
        }
        Path file = PackageJson.sitePath(root, name, version).resolveSibling(version + MANIFEST_SUFFIX);
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        return Optional.of(Manifest.parse(Files.readAllBytes(file)));
    }

    @Override
    public String siteUrl(String name, String version) {
        return baseUrl + PackageJson.siteKey(name, version) + "/";
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
