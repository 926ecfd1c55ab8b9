package dev.cloudscope.server.app.build;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A build's id, made by the server: the UTC second it was made and 24 random bits, e.g.
 * {@code 20261130021833-3fa9c1}. Ids sort in the order they were made (to the second). A client sends ids back
 * ({@code follow}, {@code status}, {@code cancel}) and ids become directory names, so {@link #parse} accepts
 * exactly this form and nothing else.
 */
public record BuildId(String value) implements Comparable<BuildId> {

    private static final Pattern FORM = Pattern.compile("[0-9]{14}-[0-9a-f]{6}");
    private static final DateTimeFormatter SECOND =
            DateTimeFormatter.ofPattern("uuuuMMddHHmmss").withResolverStyle(ResolverStyle.STRICT);
    private static final SecureRandom RANDOM = new SecureRandom();

    public BuildId {
        if (!valid(value)) {
            throw new IllegalArgumentException("not a build id");
        }
    }

    /** A new id for now. */
    public static BuildId next() {
        return next(Clock.systemUTC());
    }

    public static BuildId next(Clock clock) {
        LocalDateTime now = LocalDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
        byte[] random = new byte[3];
        RANDOM.nextBytes(random);
        return new BuildId(SECOND.format(now) + "-" + HexFormat.of().formatHex(random));
    }

    /**
     * The id a client sent. Refuses anything but the exact form (14 digits of a real date and time, a dash, 6
     * lowercase hex digits): the message never repeats the input.
     */
    public static BuildId parse(String text) throws InvalidInputException {
        if (!valid(text)) {
            throw new InvalidInputException("id: not a build id");
        }
        return new BuildId(text);
    }

    /** Whether {@code text} is a build id (a directory name in the work dir that is not one is ignored). */
    public static boolean valid(String text) {
        if (text == null || text.length() != 21 || !FORM.matcher(text).matches()) {
            return false;
        }
        try {
            SECOND.parse(text.substring(0, 14));
            return true;
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    @Override
    public int compareTo(BuildId other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
