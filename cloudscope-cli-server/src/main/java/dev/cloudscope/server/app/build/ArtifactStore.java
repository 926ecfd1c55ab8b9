package dev.cloudscope.server.app.build;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where built sites go and are served from: {@code NAME/VERSION/} per site (a scoped name is two levels,
 * {@code @scope/name/VERSION/}), its manifest beside it as {@code NAME/VERSION.manifest.json}. Publishing the same
 * name and version again replaces the site.
 */
public interface ArtifactStore {

    /**
     * Publishes the regular files under {@code builtDir} (see {@link BuiltSite}) as the site of {@code name} at
     * {@code version}, both checked by package.json's rules again here since they become paths.
     */
    Publication publish(String name, String version, Path builtDir) throws InvalidInputException, IOException;

    /**
     * A file of a published site: {@code path} is what follows {@code VERSION/} in the URL, still percent-encoded;
     * empty or ending in '/' means that directory's index.html. Empty for anything not found or not allowed
     * (traversal, a link, a directory without index.html): a 404 either way, no listing.
     */
    Optional<SiteFile> open(String name, String version, String path) throws IOException;

    /** The same for a whole request path after {@code /sites/}: {@code NAME/VERSION/PATH}. */
    default Optional<SiteFile> open(String requestPath) throws IOException {
        Optional<SitePath> site = SitePath.parse(requestPath);
        return site.isEmpty() ? Optional.empty() : open(site.get());
    }

    /** A file by a path already taken apart and checked. */
    Optional<SiteFile> open(SitePath path) throws IOException;

    /** The manifest of a published site. */
    Optional<Manifest> manifest(String name, String version) throws IOException;

    /** Where the site of {@code name} at {@code version} is (or would be) served; ends with '/'. */
    String siteUrl(String name, String version);
}
