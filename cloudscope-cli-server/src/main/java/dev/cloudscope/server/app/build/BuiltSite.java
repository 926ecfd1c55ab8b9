package dev.cloudscope.server.app.build;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A build's output directory ({@code dist} or {@code build}) on its way to a store: copied, file by file, into a
 * directory the server owns, hashing each file as it is copied, so that what is published is exactly what the
 * manifest describes even if the build's directory changes afterwards.
 *
 * <p>Only regular files are published. A link to a file inside the built directory is published as a copy of that
 * file; a link that leads outside it (it could name the server's config), a link to a directory, or anything that
 * is neither a file nor a directory refuses the whole publication, as do more than {@link #MAX_FILES} files or
 * {@link #MAX_BYTES} bytes.
 */
public final class BuiltSite {

    public static final List<String> OUTPUT_DIRS = List.of("dist", "build");
    public static final int MAX_FILES = 20_000;
    public static final long MAX_BYTES = 1024L * 1024 * 1024;

    private BuiltSite() {
    }

    /** The project's built directory: {@code dist}, else {@code build}; a link is not followed. */
    public static Path find(Path projectDir) throws InvalidInputException {
        for (String name : OUTPUT_DIRS) {
            Path dir = projectDir.resolve(name);
            if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                return dir;
            }
        }
        throw new InvalidInputException("publish: the build made neither dist/ nor build/");
    }

    /** Copies {@code builtDir}'s files under {@code target} (created; must not exist) and describes them. */
    public static Manifest copy(String name, String version, Path builtDir, Path target)
            throws InvalidInputException, IOException {
        if (!Files.isDirectory(builtDir, LinkOption.NOFOLLOW_LINKS)) {
            throw new InvalidInputException("publish: " + builtDir.getFileName() + " is not a directory");
        }
        Path root = builtDir.toRealPath();
        String label = builtDir.getFileName().toString();
        Files.createDirectories(target.getParent());
        Files.createDirectory(target);
        List<Manifest.File> files = new ArrayList<>();
        long[] total = {0};
        InvalidInputException[] refused = {null};
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (!dir.equals(root)) {
                    String relative = relative(root, dir);
                    if (refused(relative)) {
                        return FileVisitResult.TERMINATE;
                    }
                    Files.createDirectory(target.resolve(relative));
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                String relative = relative(root, file);
                if (refused(relative)) {
                    return FileVisitResult.TERMINATE;
                }
                Path source = file;
                if (attrs.isSymbolicLink()) {
                    Path real;
                    try {
                        real = file.toRealPath();
                    } catch (IOException e) {
                        return refuse(label + "/" + relative + " is a broken link");
                    }
                    if (!real.startsWith(root)) {
                        return refuse(label + "/" + relative + " links outside " + label + "/");
                    }
                    if (!Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS)) {
                        return refuse(label + "/" + relative + " links to a directory");
                    }
                    source = real;
                } else if (!attrs.isRegularFile()) {
                    return refuse(label + "/" + relative + " is not a regular file");
                }
                if (files.size() >= MAX_FILES) {
                    return refuse(label + "/ has more than " + MAX_FILES + " files");
                }
                Manifest.File copied = copyFile(source, target.resolve(relative), relative);
                total[0] += copied.size();
                if (total[0] > MAX_BYTES) {
                    return refuse(label + "/ holds more than " + LogFormat.size(MAX_BYTES));
                }
                files.add(copied);
                return FileVisitResult.CONTINUE;
            }

            private boolean refused(String relative) {
                for (int i = 0; i < relative.length(); i++) {
                    char c = relative.charAt(i);
                    if (c < 0x20 || c == 0x7f || c == '\\' || Character.isISOControl(c)) {
                        refuse(label + "/ has a file name with a control character or a backslash");
                        return true;
                    }
                }
                return false;
            }

            private FileVisitResult refuse(String message) {
                refused[0] = new InvalidInputException("publish: " + message);
                return FileVisitResult.TERMINATE;
            }
        });
        if (refused[0] != null) {
            throw refused[0];
        }
        return new Manifest(name, version, files);
    }

    private static Manifest.File copyFile(Path source, Path target, String relative) throws IOException {
        MessageDigest sha256 = sha256();
        long size;
        try (InputStream in = Files.newInputStream(source, LinkOption.NOFOLLOW_LINKS);
             OutputStream out = new DigestOutputStream(Files.newOutputStream(target, StandardOpenOption.CREATE_NEW,
                     StandardOpenOption.WRITE), sha256)) {
            size = in.transferTo(out);
        }
        return new Manifest.File(relative, size, HexFormat.of().formatHex(sha256.digest()));
    }

    static String relative(Path root, Path path) {
        List<String> parts = new ArrayList<>();
        for (Path part : root.relativize(path)) {
            parts.add(part.toString());
        }
        return String.join("/", parts);
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
