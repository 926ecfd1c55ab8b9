package dev.cloudscope.server.app.build;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * How {@link FileLogStore} writes an entry: one JSON object per line, {@code {"seq":1,"type":"log","stream":"out",
 * "line":"..."}}, readable with {@code cat} and {@code jq}; Jackson's streaming API, so encoding costs no more than
 * copying the line.
 */
final class LogFormat {

    static final JsonFactory JSON = JsonFactory.builder().build();

    private LogFormat() {
    }

    /** A growable byte buffer the generator writes into: the writer's not-yet-flushed tail of the log. */
    static final class Tail extends OutputStream {
        byte[] bytes = new byte[64 * 1024];
        int size;

        @Override
        public void write(int b) {
            ensure(1);
            bytes[size++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            ensure(len);
            System.arraycopy(b, off, bytes, size, len);
            size += len;
        }

        private void ensure(int more) {
            if (size + more > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
            }
        }

        /** Back to the default capacity once a burst has been written out, so an idle log holds little. */
        void clear() {
            size = 0;
            if (bytes.length > 256 * 1024) {
                bytes = new byte[64 * 1024];
            }
        }
    }

    static JsonGenerator generator(OutputStream out) throws IOException {
        JsonGenerator generator = JSON.createGenerator(out);
        generator.setRootValueSeparator(null);
        return generator;
    }

    static void write(JsonGenerator g, LogEntry entry) throws IOException {
        g.writeStartObject();
        g.writeNumberField("seq", entry.seq());
        if (entry instanceof LogEntry.Line l) {
            g.writeStringField("type", "log");
            g.writeStringField("stream", l.stream().wire());
            g.writeStringField("line", clean(l.line()));
        } else if (entry instanceof LogEntry.Stage s) {
            g.writeStringField("type", "stage");
            g.writeStringField("stage", clean(s.stage()));
            g.writeStringField("state", s.state().wire());
            if (s.exitCode() != null) {
                g.writeNumberField("exitCode", s.exitCode());
            }
            if (s.durationMs() != null) {
                g.writeNumberField("durationMs", s.durationMs());
            }
        } else if (entry instanceof LogEntry.Status s) {
            g.writeStringField("type", "status");
            g.writeStringField("status", clean(s.status()));
            if (s.stage() != null) {
                g.writeStringField("stage", clean(s.stage()));
            }
            if (s.exitCode() != null) {
                g.writeNumberField("exitCode", s.exitCode());
            }
            if (s.message() != null) {
                g.writeStringField("message", clean(s.message()));
            }
            if (s.siteUrl() != null) {
                g.writeStringField("siteUrl", clean(s.siteUrl()));
            }
        }
        g.writeEndObject();
        g.writeRaw('\n');
        g.flush();
    }

    /** One entry from one line (without its '\n'). */
    static LogEntry read(byte[] bytes, int offset, int length) throws IOException {
        long seq = -1;
        String type = null, stream = null, line = null, stage = null, state = null, status = null, message = null,
                siteUrl = null;
        Integer exitCode = null;
        Long durationMs = null;
        try (JsonParser p = JSON.createParser(bytes, offset, length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("a log line that is not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "seq" -> seq = p.getLongValue();
                    case "type" -> type = p.getText();
                    case "stream" -> stream = p.getText();
                    case "line" -> line = p.getText();
                    case "stage" -> stage = p.getText();
                    case "state" -> state = p.getText();
                    case "status" -> status = p.getText();
                    case "message" -> message = p.getText();
                    case "siteUrl" -> siteUrl = p.getText();
                    case "exitCode" -> exitCode = p.getIntValue();
                    case "durationMs" -> durationMs = p.getLongValue();
                    default -> p.skipChildren();
                }
            }
        }
        if (seq < 1 || type == null) {
            throw new IOException("a log line without seq or type");
        }
        try {
            return switch (type) {
                case "log" -> new LogEntry.Line(seq, LogEntry.Stream.ofWire(stream), line == null ? "" : line);
                case "stage" -> new LogEntry.Stage(seq, stage, LogEntry.StageState.ofWire(state), exitCode, durationMs);
                case "status" -> new LogEntry.Status(seq, status, stage, exitCode, message, siteUrl);
                default -> throw new IOException("a log line of unknown type");
            };
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IOException("a malformed log line", e);
        }
    }

    /** Lone surrogates (a process's broken UTF-16 never reaches here, but a String may) become U+FFFD. */
    static String clean(String text) {
        int n = text.length();
        for (int i = 0; i < n; i++) {
            if (Character.isSurrogate(text.charAt(i))) {
                return replaceLoneSurrogates(text);
            }
        }
        return text;
    }

    private static String replaceLoneSurrogates(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                out.append(c).append(text.charAt(++i));
            } else if (Character.isSurrogate(c)) {
                out.append('\uFFFD');
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** The UTF-8 size of a line plus its line break: what counts toward {@code build.maxLogBytes}. */
    static long outputBytes(String line) {
        long bytes = 1;
        int n = line.length();
        for (int i = 0; i < n; i++) {
            char c = line.charAt(i);
            bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
        }
        return bytes;
    }

    /** 4194304 → "4 MiB", 65536 → "64 KiB", else bytes. */
    static String size(long bytes) {
        if (bytes > 0 && bytes % (1024 * 1024) == 0) {
            return bytes / (1024 * 1024) + " MiB";
        }
        if (bytes > 0 && bytes % 1024 == 0) {
            return bytes / 1024 + " KiB";
        }
        return bytes + " bytes";
    }
}
