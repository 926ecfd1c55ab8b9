package dev.cloudscope.server.app.build;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A directory of cache entries (one subdirectory each) kept by last use: an entry used is touched, and beyond
 * {@code keep} the least recently used go. Entries whose name starts with a dot (being made) are never pruned.
 */
final class CacheDirectory {

    private static final Logger log = LoggerFactory.getLogger(CacheDirectory.class);

    private final Path root;
    private final int keep;

    CacheDirectory(Path root, int keep) {
        this.root = root;
        this.keep = keep;
    }

    Path entry(String name) {
        return root.resolve(name);
    }

    /** Marks {@code entry} as just used. */
    void touch(Path entry) throws IOException {
        Files.setLastModifiedTime(entry, FileTime.from(Instant.now()));
    }

    /** The entries beyond the {@code keep} used last, which {@link #prune} removes. */
    List<Path> surplus() {
        try (Stream<Path> list = Files.list(root)) {
            List<Path> entries = list.filter(p -> !p.getFileName().toString().startsWith("."))
                    .sorted(Comparator.comparingLong(CacheDirectory::modified).reversed()).toList();
            return entries.subList(Math.min(keep, entries.size()), entries.size());
        } catch (IOException e) {
            return List.of();
        }
    }

    void prune() {
        surplus().forEach(CacheDirectory::delete);
    }

    private static long modified(Path path) {
        try {
            return Files.getLastModifiedTime(path, LinkOption.NOFOLLOW_LINKS).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }

    /** Removes a tree, its links as links (never followed). */
    static void delete(Path tree) {
        if (!Files.exists(tree, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(tree)) {
            for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            log.warn("could not remove {}: {}", tree, e.toString());
        }
    }
}
