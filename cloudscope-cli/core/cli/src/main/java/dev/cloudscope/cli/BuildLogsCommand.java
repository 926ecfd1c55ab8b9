package dev.cloudscope.cli;

import dev.cloudscope.cloudbuild.BuildClient;
import dev.cloudscope.cloudbuild.BuildClientException;
import dev.cloudscope.protocol.BuildEvents;
import java.util.concurrent.Callable;
import org.json.JSONObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code cloudscope build logs ID [--follow]}: a build's log so far, or followed to its status. */
@Command(
        name = "logs",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {
            "Prints build ID's log as 'cloudscope build' shows it: what it holds now, or with --follow everything "
                    + "until the build's status (connecting again if the connection is lost).",
            "Once the status is printed, the exit code is build's: 0 for SUCCESS, 1 for any other; Ctrl-C stops "
                    + "following and leaves the build alone."
        })
final class BuildLogsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "ID", converter = BuildIdConverter.class,
            description = "The build's id, e.g. 20261130021833-3fa9c1.")
    String id;

    @Option(names = {"-f", "--follow"}, description = "Go on until the build's status.")
    boolean follow;

    @Mixin
    BuildOptions options;

    @Override
    public Integer call() throws InterruptedException {
        BuildOutput output = new BuildOutput(BuildOutput.mode(options.json), spec.commandLine().getOut(),
                spec.commandLine().getErr(), "cloudscope build logs ID --follow" + options.serverArgument());
        output.following(id);
        try (BuildClient client = options.client()) {
            client.connect();
            boolean toTheEnd = follow;
            if (!follow) {
                // a finished build's log is read to its end; a running one's up to what it holds now
                JSONObject status = client.status(id);
                toTheEnd = BuildEvents.FINAL_STATUSES.contains(String.valueOf(status.opt("status")));
            }
            BuildClient.FollowResult result = client.follow(id, 0, output, toTheEnd);
            return result.finished() ? output.finish(result) : 0;
        } catch (BuildClientException e) {
            throw BuildCommand.failure(e, id, output);
        } finally {
            output.close();
        }
    }
}
