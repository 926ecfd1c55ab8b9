package dev.cloudscope.server.app.build;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A request for a site's file, as the URL says it ({@code /sites/NAME/VERSION/PATH}), taken apart so that nothing
 * in it can leave the site: each segment is percent-decoded once, strictly, and refused if it is {@code .} or
 * {@code ..}, empty (but a trailing slash), or holds a slash, a backslash or a control character, before or after
 * decoding; name and version must pass package.json's rules. A directory (a trailing slash, or the site's root)
 * means its {@code index.html}.
 *
 * @param name     the package name ({@code @scope/name} takes two segments)
 * @param version  the version
 * @param segments the decoded path inside the site, never empty: a directory's has {@code index.html} added
 * @param index    whether {@code index.html} was added for a trailing slash (or the root)
 */
public record SitePath(String name, String version, List<String> segments, boolean index) {

    public static final String INDEX = "index.html";
    static final int MAX_LENGTH = 4096;

    public SitePath {
        segments = List.copyOf(segments);
    }

    /** The path inside the site, '/'-separated. */
    public String file() {
        return String.join("/", segments);
    }

    /**
     * A request path after {@code /sites/}: {@code NAME/VERSION/PATH}, still percent-encoded as it came in the
     * URL (a query or fragment is ignored). Empty when it could name anything outside a site.
     */
    public static Optional<SitePath> parse(String requestPath) {
        Optional<List<String>> parts = decode(requestPath);
        if (parts.isEmpty() || parts.get().size() < 2) {
            return Optional.empty();
        }
        List<String> all = parts.get();
        String name = all.get(0);
        int next = 1;
        if (name.startsWith("@")) {
            if (all.size() < 3 || all.get(1).isEmpty()) {
                return Optional.empty();
            }
            name = name + "/" + all.get(1);
            next = 2;
        }
        String version = all.get(next);
        if (!PackageJson.validName(name) || !PackageJson.validVersion(version)) {
            return Optional.empty();
        }
        return inside(name, version, all.subList(next + 1, all.size()));
    }

    /** The path inside a site of a name and version given apart: {@code PATH}, still percent-encoded. */
    public static Optional<SitePath> of(String name, String version, String path) {
        if (!PackageJson.validName(name) || !PackageJson.validVersion(version)) {
            return Optional.empty();
        }
        if (path == null || path.isEmpty()) {
            return inside(name, version, List.of());
        }
        return decode(path).flatMap(parts -> inside(name, version, parts));
    }

    private static Optional<SitePath> inside(String name, String version, List<String> rest) {
        List<String> segments = new ArrayList<>(rest);
        boolean index = segments.isEmpty() || segments.get(segments.size() - 1).isEmpty();
        if (index) {
            if (!segments.isEmpty()) {
                segments.remove(segments.size() - 1);
            }
            segments.add(INDEX);
        }
        for (String segment : segments) {
            if (segment.isEmpty()) {
                return Optional.empty(); // "//" inside
            }
        }
        return Optional.of(new SitePath(name, version, segments, index));
    }

    /** Split at '/', each part decoded and checked; a trailing '/' gives a last empty part. */
    private static Optional<List<String>> decode(String raw) {
        if (raw == null || raw.length() > MAX_LENGTH) {
            return Optional.empty();
        }
        int cut = indexOfAny(raw, '?', '#');
        String path = cut < 0 ? raw : raw.substring(0, cut);
        if (path.startsWith("/")) {
            path = path.substring(1);
        }
        if (path.isEmpty()) {
            return Optional.empty();
        }
        List<String> parts = new ArrayList<>();
        String[] rawParts = path.split("/", -1);
        for (int i = 0; i < rawParts.length; i++) {
            String part = rawParts[i];
            if (part.isEmpty()) {
                if (i == rawParts.length - 1) {
                    parts.add(""); // the trailing slash of a directory
                    continue;
                }
                return Optional.empty();
            }
            Optional<String> decoded = percentDecode(part);
            if (decoded.isEmpty() || !safeSegment(decoded.get())) {
                return Optional.empty();
            }
            parts.add(decoded.get());
        }
        return Optional.of(parts);
    }

    private static boolean safeSegment(String segment) {
        if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
            return false;
        }
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c == '/' || c == '\\' || c < 0x20 || c == 0x7f || Character.isISOControl(c)) {
                return false;
            }
        }
        return !segment.contains(":"); // no drive letters, no alternate data streams, nothing a filesystem reads
    }

    /** %XX to bytes, the bytes as UTF-8; malformed escapes or bytes refuse the whole path. '+' stays '+'. */
    private static Optional<String> percentDecode(String part) {
        if (part.indexOf('%') < 0) {
            return Optional.of(part);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(part.length());
        for (int i = 0; i < part.length(); i++) {
            char c = part.charAt(i);
            if (c == '%') {
                if (i + 2 >= part.length()) {
                    return Optional.empty();
                }
                int hi = Character.digit(part.charAt(i + 1), 16);
                int lo = Character.digit(part.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    return Optional.empty();
                }
                bytes.write(hi * 16 + lo);
                i += 2;
            } else if (c < 0x80) {
                bytes.write(c);
            } else {
                byte[] utf8 = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                if (Character.isHighSurrogate(c) && i + 1 < part.length()) {
                    utf8 = part.substring(i, i + 2).getBytes(StandardCharsets.UTF_8);
                    i++;
                }
                bytes.writeBytes(utf8);
            }
        }
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }

    private static int indexOfAny(String text, char a, char b) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == a || c == b) {
                return i;
            }
        }
        return -1;
    }
}
