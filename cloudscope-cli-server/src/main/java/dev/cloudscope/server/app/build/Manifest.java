package dev.cloudscope.server.app.build;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a publication holds: every file's path (relative to the site, '/'-separated), size and SHA-256 (lowercase
 * hex), sorted by path. Stored as {@code manifest.json} beside the site and returned to the client, which can
 * check any file it fetches.
 */
public record Manifest(String name, String version, List<File> files) {

    private static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    public record File(String path, long size, String sha256) {
    }

    public Manifest {
        files = files.stream().sorted(Comparator.comparing(File::path)).toList();
    }

    public Optional<File> file(String path) {
        return files.stream().filter(f -> f.path().equals(path)).findFirst();
    }

    public long totalBytes() {
        return files.stream().mapToLong(File::size).sum();
    }

    /** For the wire: {@code {name, version, files: [{path, size, sha256}]}}. */
    public Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("name", name);
        map.put("version", version);
        List<Map<String, Object>> list = new ArrayList<>(files.size());
        for (File f : files) {
            Map<String, Object> file = new LinkedHashMap<>();
            file.put("path", f.path());
            file.put("size", f.size());
            file.put("sha256", f.sha256());
            list.add(file);
        }
        map.put("files", list);
        return map;
    }

    public byte[] toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("name", name);
        root.put("version", version);
        ArrayNode list = root.putArray("files");
        for (File f : files) {
            list.addObject().put("path", f.path()).put("size", f.size()).put("sha256", f.sha256());
        }
        try {
            return JSON.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException("a tree of strings and numbers always serializes", e);
        }
    }

    public static Manifest parse(byte[] json) throws IOException {
        JsonNode root = JSON.readTree(json);
        if (root == null || !root.isObject() || !root.path("files").isArray()) {
            throw new IOException("not a manifest");
        }
        List<File> files = new ArrayList<>();
        for (JsonNode f : root.get("files")) {
            files.add(new File(f.path("path").asText(), f.path("size").asLong(), f.path("sha256").asText()));
        }
        return new Manifest(root.path("name").asText(), root.path("version").asText(), files);
    }
}
