package dev.cloudscope.server.app.build;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One entry of a build's log, numbered by the store from 1 without gaps: an output line, a stage's start or end, or
 * the final status (the last entry; nothing follows it).
 */
public sealed interface LogEntry {

    long seq();

    /** The entry as the wire and {@code --json} show it: {@code {"type": ..., "seq": ..., ...}}, nulls left out. */
    Map<String, Object> toMap();

    enum Stream {
        OUT("out"), ERR("err");

        private final String wire;

        Stream(String wire) {
            this.wire = wire;
        }

        public String wire() {
            return wire;
        }

        public static Stream ofWire(String wire) {
            return switch (wire) {
                case "out" -> OUT;
                case "err" -> ERR;
                default -> throw new IllegalArgumentException("no stream " + wire);
            };
        }
    }

    enum StageState {
        START("start"), END("end");

        private final String wire;

        StageState(String wire) {
            this.wire = wire;
        }

        public String wire() {
            return wire;
        }

        public static StageState ofWire(String wire) {
            return switch (wire) {
                case "start" -> START;
                case "end" -> END;
                default -> throw new IllegalArgumentException("no stage state " + wire);
            };
        }
    }

    /** A line the build printed, without its line break. */
    record Line(long seq, Stream stream, String line) implements LogEntry {
        @Override
        public Map<String, Object> toMap() {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("type", "log");
            map.put("seq", seq);
            map.put("stream", stream.wire());
            map.put("line", line);
            return map;
        }
    }

    /** A stage started ({@code exitCode} and {@code durationMs} null) or ended. */
    record Stage(long seq, String stage, StageState state, Integer exitCode, Long durationMs) implements LogEntry {
        @Override
        public Map<String, Object> toMap() {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("type", "stage");
            map.put("seq", seq);
            map.put("stage", stage);
            map.put("state", state.wire());
            putIfPresent(map, "exitCode", exitCode);
            putIfPresent(map, "durationMs", durationMs);
            return map;
        }
    }

    /**
     * The build's end: its status word (SUCCESS, FAILURE, TIMEOUT, CANCELLED, INTERNAL_ERROR), and as they apply
     * the stage that failed, its exit code, a message and the published site's URL.
     */
    record Status(long seq, String status, String stage, Integer exitCode, String message, String siteUrl)
            implements LogEntry {
        @Override
        public Map<String, Object> toMap() {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("type", "status");
            map.put("seq", seq);
            map.put("status", status);
            putIfPresent(map, "stage", stage);
            putIfPresent(map, "exitCode", exitCode);
            putIfPresent(map, "message", message);
            putIfPresent(map, "siteUrl", siteUrl);
            return map;
        }
    }

    private static void putIfPresent(Map<String, Object> map, String key, Object value) {
        if (value != null) {
            map.put(key, value);
        }
    }
}
