package dev.cloudscope.cli;

import dev.cloudscope.cloudbuild.BuildClient;
import dev.cloudscope.cloudbuild.BuildClientException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.json.JSONObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code cloudscope build cancel ID}. */
@Command(
        name = "cancel",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {
            "Cancels build ID and prints its status as the server answers, 'build ID: CANCELLED' (a build that has "
                    + "ended keeps its status).",
            "Exit code 0 once the server has answered."
        })
final class BuildCancelCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

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
            JSONObject ack = client.cancel(id);
            out.println(options.json ? Json.line(ack) : "build " + id + ": " + ack.opt("status"));
            out.flush();
            return 0;
        } catch (BuildClientException e) {
            throw BuildCommand.failure(e, id, null);
        }
    }
}
