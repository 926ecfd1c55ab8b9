package dev.cloudscope.server.app.build;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A file of a published site, found for a request: its path in the site, Content-Type and size, and its bytes.
 * {@link #localFile} is set for a file on this machine (the server may send it with zero copy).
 */
public final class SiteFile {

    /** The bytes, opened on demand (a stream from S3 is opened already and must be closed). */
    @FunctionalInterface
    public interface Content {
        InputStream open() throws IOException;
    }

    private final String path;
    private final String contentType;
    private final long size;
    private final Path localFile;
    private final Content content;

    public SiteFile(String path, String contentType, long size, Path localFile, Content content) {
        this.path = path;
        this.contentType = contentType;
        this.size = size;
        this.localFile = localFile;
        this.content = content;
    }

    public String path() {
        return path;
    }

    public String contentType() {
        return contentType;
    }

    public long size() {
        return size;
    }

    public Optional<Path> localFile() {
        return Optional.ofNullable(localFile);
    }

    public InputStream open() throws IOException {
        return content.open();
    }

    @Override
    public String toString() {
        return path + " (" + contentType + ", " + size + " bytes)";
    }
}
