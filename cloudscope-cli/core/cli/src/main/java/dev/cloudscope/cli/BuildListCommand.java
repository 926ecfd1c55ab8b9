package dev.cloudscope.cli;

import dev.cloudscope.cloudbuild.BuildClient;
import dev.cloudscope.cloudbuild.BuildClientException;
import dev.cloudscope.cloudbuild.BuildEntry;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.json.JSONObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code cloudscope build list}: the server's builds, newest first. */
@Command(
        name = "list",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {
            "Lists the server's builds, newest first: a table of id, status, repository, branch and age (since the "
                    + "build was asked for); --json: each build's status object, one per line."
        })
final class BuildListCommand implements Callable<Integer> {
    private static final List<String> HEADER = List.of("ID", "STATUS", "REPO", "BRANCH", "AGE");

    @Spec
    CommandSpec spec;

    @Mixin
    BuildOptions options;

    /** The clock ages are measured with; tests replace it. */
    Instant now;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        try (BuildClient client = options.client()) {
            client.connect();
            List<JSONObject> builds = client.list();
            if (options.json) {
                for (JSONObject build : builds) {
                    out.println(Json.line(build));
                }
            } else {
                Instant at = now != null ? now : Instant.now();
                List<List<String>> rows = new ArrayList<>();
                rows.add(HEADER);
                for (JSONObject build : builds) {
                    rows.add(List.of(text(build, "id"), text(build, "status"), text(build, "repo"),
                            text(build, "branch"), age(BuildEntry.textOf(build, "createdAt"), at)));
                }
                table(rows, out);
            }
            out.flush();
            return 0;
        } catch (BuildClientException e) {
            throw BuildCommand.failure(e, null, null);
        }
    }

    private static String text(JSONObject build, String key) {
        String value = BuildEntry.textOf(build, key);
        return value == null ? "-" : Room.printable(value);
    }

    /** Columns padded to their widest cell, two spaces apart; the last not padded. */
    static void table(List<List<String>> rows, PrintWriter out) {
        int columns = rows.get(0).size();
        int[] width = new int[columns];
        for (List<String> row : rows) {
            for (int i = 0; i < columns; i++) {
                width[i] = Math.max(width[i], row.get(i).length());
            }
        }
        for (List<String> row : rows) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < columns; i++) {
                b.append(row.get(i));
                if (i < columns - 1) {
                    b.append(" ".repeat(width[i] - row.get(i).length() + 2));
                }
            }
            out.println(b);
        }
    }

    /** How long ago {@code createdAt} (ISO-8601) was: {@code 12s}, {@code 5m}, {@code 3h}, {@code 2d}; or {@code -}. */
    static String age(String createdAt, Instant now) {
        if (createdAt == null) {
            return "-";
        }
        Instant created;
        try {
            created = DateTimeFormatter.ISO_DATE_TIME.parse(createdAt, Instant::from);
        } catch (DateTimeParseException e) {
            return "-";
        }
        long s = Math.max(0, Duration.between(created, now).getSeconds());
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return s / 60 + "m";
        }
        if (s < 86_400) {
            return s / 3600 + "h";
        }
        return s / 86_400 + "d";
    }
}
