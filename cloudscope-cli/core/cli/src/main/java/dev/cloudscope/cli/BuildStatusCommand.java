package dev.cloudscope.cli;

import dev.cloudscope.cloudbuild.BuildClient;
import dev.cloudscope.cloudbuild.BuildClientException;
import dev.cloudscope.cloudbuild.BuildEntry;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.json.JSONObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code cloudscope build status ID}: what the server knows of a build. */
@Command(
        name = "status",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {
            "Prints build ID's status, repository, branch, command, times and, as they apply, its stage, exit code, "
                    + "message and site URL: one 'key: value' line each (--json: the server's answer as one line).",
            "Exit code 0 whatever the build's status, once the server has answered."
        })
final class BuildStatusCommand implements Callable<Integer> {
    /** The fields shown, with their labels, in this order. */
    private static final Map<String, String> LABELS = new LinkedHashMap<>();

    static {
        LABELS.put("id", "id");
        LABELS.put("status", "status");
        LABELS.put("stage", "stage");
        LABELS.put("exitCode", "exit code");
        LABELS.put("message", "message");
        LABELS.put("repo", "repo");
        LABELS.put("branch", "branch");
        LABELS.put("command", "command");
        LABELS.put("name", "name");
        LABELS.put("version", "version");
        LABELS.put("createdAt", "created");
        LABELS.put("startedAt", "started");
        LABELS.put("endedAt", "ended");
        LABELS.put("siteUrl", "site");
    }

    @Spec
    CommandSpec spec;

    /** {@code status:    SUCCESS}: the label and its colon in 10 columns, a space, the value. */
    static String line(String label, String value) {
        return String.format("%-10s %s", label + ":", value);
    }

    @Parameters(index = "0", paramLabel = "ID", converter = BuildIdConverter.class,
            description = "The build's id, e.g. 20261130021833-3fa9c1.")
    String id;

    @Mixin
    BuildOptions options;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        try (BuildClient client = options.client()) {
            client.connect();
            JSONObject status = client.status(id);
            if (options.json) {
                out.println(Json.line(status));
            } else {
                for (Map.Entry<String, String> field : LABELS.entrySet()) {
                    String value = BuildEntry.textOf(status, field.getKey());
                    if (value != null) {
                        out.println(line(field.getValue(), value));
                    }
                }
            }
            out.flush();
            return 0;
        } catch (BuildClientException e) {
            throw BuildCommand.failure(e, id, null);
        }
    }
}
