package dev.cloudscope.server.app.build;

import dev.cloudscope.server.io.HttpGet;
import dev.cloudscope.server.io.HttpHandler;
import dev.cloudscope.server.io.HttpReply;
import jakarta.inject.Inject;
import java.io.IOException;
import java.util.Optional;

/**
 * {@code GET /sites/NAME/VERSION/PATH}: the published sites of the directory store, with their content types; no
 * traversal, no listing (the store resolves paths). A site is the build's own code: it runs sandboxed by
 * Content-Security-Policy, in an origin of its own, so its scripts can reach neither the server's pages nor a
 * token they keep.
 */
public class Sites implements HttpHandler {

    static final String PREFIX = "/sites/";
    static final String SANDBOX = "sandbox allow-scripts allow-forms allow-popups allow-modals allow-downloads";

    private final ArtifactStore store;

    @Inject
    Sites(ArtifactStore store) {
        this.store = store;
    }

    @Override
    public HttpReply get(HttpGet request) throws IOException {
        String rawPath = request.rawPath();
        if (!rawPath.startsWith(PREFIX)) {
            return HttpReply.notFound();
        }
        Optional<SiteFile> file = store.open(rawPath.substring(PREFIX.length()));
        if (file.isEmpty() || file.get().localFile().isEmpty()) {
            return HttpReply.notFound();
        }
        return HttpReply.file(file.get().localFile().get(), file.get().contentType())
                .with("Content-Security-Policy", SANDBOX)
                .with("Cache-Control", "no-cache");
    }
}
