package dev.cloudscope.cli;

import java.io.IOException;
import java.io.Reader;

/**
 * The lines of a {@link Reader}, each ended by {@code \n} or {@code \r\n} (or by the end of the input), with a
 * limit on their length: a longer line is read to its end but not kept, so that a line of any length (a file with
 * no newline at all) never takes more memory than the limit.
 */
final class LineReader {
    /** A line without its end; {@code text} is {@code null} when the line is over the limit. */
    record Line(String text, long utf8Bytes) {
        boolean tooLong() {
            return text == null;
        }
    }

    private final Reader in;
    private final int maxBytes;
    private final char[] buffer = new char[8192];
    private int pos;
    private int end;

    /** Lines of {@code in} of at most {@code maxBytes} bytes in UTF-8, the form they take on the wire. */
    LineReader(Reader in, int maxBytes) {
        this.in = in;
        this.maxBytes = maxBytes;
    }

    /** The next line, or {@code null} at the end of the input. */
    Line next() throws IOException {
        StringBuilder text = new StringBuilder();
        long bytes = 0;
        boolean any = false;
        boolean lastWasCr = false;
        while (true) {
            if (pos == end) {
                int n = in.read(buffer);
                if (n < 0) {
                    return any ? line(text, bytes, lastWasCr) : null;
                }
                pos = 0;
                end = n;
                continue;
            }
            char c = buffer[pos++];
            any = true;
            if (c == '\n') {
                return line(text, bytes, lastWasCr);
            }
            bytes += utf8Length(c);
            if (bytes <= maxBytes + 1L) { // + 1: a '\r' that turns out to end the line
                text.append(c);
            }
            lastWasCr = c == '\r';
        }
    }

    private Line line(StringBuilder text, long bytes, boolean endsWithCr) {
        if (endsWithCr) {
            bytes--;
            if (bytes <= maxBytes) {
                text.setLength(text.length() - 1); // all of it was kept, the '\r' last
            }
        }
        return new Line(bytes <= maxBytes ? text.toString() : null, bytes);
    }

    /** Bytes of {@code c} in UTF-8; each half of a surrogate pair counts 2 (the pair's 4 bytes). */
    private static int utf8Length(char c) {
        if (c < 0x80) {
            return 1;
        }
        if (c < 0x800 || Character.isSurrogate(c)) {
            return 2;
        }
        return 3;
    }
}
