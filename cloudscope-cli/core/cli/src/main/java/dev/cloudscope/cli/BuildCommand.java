package dev.cloudscope.cli;

import dev.cloudscope.cloudbuild.BuildClient;
import dev.cloudscope.cloudbuild.BuildClientException;
import dev.cloudscope.cloudbuild.BuildClientException.Kind;
import dev.cloudscope.protocol.BuildEvents;
import java.io.File;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import org.json.JSONObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code cloudscope build [REPO]}: asks the server's cloud build ({@code /build}) to build a git repository's branch,
 * detaches from it at once (so that a lost connection does not cancel it), follows its log to its status, and
 * cancels it on Ctrl-C.
 */
@Command(
        name = "build",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        subcommands = {BuildLogsCommand.class, BuildStatusCommand.class, BuildCancelCommand.class,
            BuildListCommand.class},
        description = {
            "Asks the server to build REPO's BRANCH (clone, install, build, publish), shows its stages and its "
                    + "output live, then its status and the site's URL.",
            "",
            "Output: first 'build ID: REPO, branch BRANCH' and 'page: URL', the build's page on the server (open "
                    + "it in a browser to watch the build). Then the build's stdout lines go to stdout as they are, "
                    + "its stderr lines to stderr, each stream in its order. Stages are lines '==> install' on "
                    + "stdout, or on a terminal one progress line '[build 3/5: install] 12s'. At the end 'build ID: "
                    + "SUCCESS' and 'site: URL' on stdout, or 'cloudscope: build ID: FAILURE in stage S (exit code "
                    + "N): MESSAGE' on stderr. With --json, stdout has one JSON object per line: "
                    + "{\"type\":\"build\",\"id\":...,\"page\":...}, then each entry as the server sent it, with its "
                    + "type (stage, log, status).",
            "",
            "Ctrl-C cancels the build (and waits briefly for the server to confirm). The CLI detaches from the "
                    + "build as soon as the server has accepted it, since the server cancels a build whose owner "
                    + "disconnects: so a lost connection does not cancel it; the CLI connects again and goes on "
                    + "where it was, no line missed or shown twice. With --detach the CLI prints the build's id "
                    + "and how to follow it, and ends at once; Ctrl-C then leaves the build alone.",
            ""
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:The build succeeded (with --detach: it was accepted).",
            "1:It ended FAILURE, TIMEOUT, CANCELLED or INTERNAL_ERROR; or the server could not be reached, "
                    + "refused it, or did not answer in time.",
            "2:Invalid usage: also no git repository, no origin, or a detached HEAD to take a default from."
        })
final class BuildCommand implements Callable<Integer> {
    /** How long Ctrl-C waits for the server's answer to {@code cancel}, at most. */
    static final Duration CANCEL_GRACE = Duration.ofSeconds(3);

    @Spec
    CommandSpec spec;

    @Parameters(
            index = "0",
            arity = "0..1",
            paramLabel = "REPO",
            description = {"The git repository's URL, passed to the server as it is (it accepts the schemes it is "
                    + "configured for: https by default).",
                "Default: the current directory's repository's 'origin' remote."})
    String repo;

    @Option(
            names = "--branch",
            paramLabel = "BRANCH",
            description = {"The branch to build.", "Default: the current directory's repository's current branch "
                    + "(warns of commits not pushed to origin)."})
    String branch;

    @Option(
            names = "--command",
            paramLabel = "CMD",
            description = "The build command, one of those the server allows. Default: the server's (npm run build).")
    String command;

    @Option(
            names = "--detach",
            description = "Print the build's id and how to follow it, and end as soon as the server has accepted it.")
    boolean detach;

    @Mixin
    BuildOptions options;

    /** The directory whose repository gives the defaults; tests replace it. */
    Path workDir = Path.of("").toAbsolutePath();

    /** A directory not to look above for that repository (tests), or {@code null}. */
    File ceiling;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        GitDefaults.Target target = GitDefaults.resolve(repo, branch, workDir, ceiling);
        for (String warning : target.warnings()) {
            err.println("cloudscope: warning: " + warning);
        }
        err.flush();
        BuildOutput output = new BuildOutput(BuildOutput.mode(options.json), out, err,
                "cloudscope build logs ID --follow" + options.serverArgument());
        try (BuildClient client = options.client()) {
            return run(client, target, output);
        } finally {
            output.close();
        }
    }

    private int run(BuildClient client, GitDefaults.Target target, BuildOutput output) throws InterruptedException {
        AtomicBoolean interrupted = new AtomicBoolean();
        // with --detach, Ctrl-C keeps its usual meaning: the build, once detached, is left alone
        SigInt.Registration onCtrlC = detach ? () -> { } : SigInt.onInterrupt(() -> {
            interrupted.set(true);
            client.stop();
        });
        String id = null;
        try {
            client.connect();
            try {
                id = client.build(target.repo(), target.branch(), command);
            } catch (BuildClientException e) {
                if (e.kind() == Kind.REFUSED) {
                    throw new CliFailure(client.url() + ": build refused: " + e.getMessage());
                }
                throw e;
            }
            output.accepted(id, target.repo(), target.branch(), options.page(id));
            detach(client, id);
            if (detach) {
                output.detached(id);
                return 0;
            }
            return output.finish(client.follow(id, 0, output, true));
        } catch (BuildClientException e) {
            if (e.kind() == Kind.STOPPED && interrupted.get()) {
                output.close();
                throw cancelled(client, id, output);
            }
            throw failure(e, id, output);
        } finally {
            onCtrlC.close();
        }
    }

    /**
     * {@code detach}: from now on only {@code cancel} ends the build early, not a lost connection. Without
     * {@code --detach}, a detach the server refuses is a warning (the build goes on, but a lost connection would
     * cancel it), and a connection lost before its answer is not an error: following connects again, and the
     * build's status tells whether the server cancelled it. With {@code --detach} either is a failure: the CLI
     * ends, and the server cancels a build whose owner disconnects without having detached.
     */
    private void detach(BuildClient client, String id) throws InterruptedException {
        try {
            client.detach(id);
        } catch (BuildClientException e) {
            if (e.kind() == Kind.STOPPED) {
                throw e;
            }
            if (detach) {
                throw new CliFailure("build " + id + ": cannot detach (" + e.getMessage() + "): the server cancels "
                        + "it when this connection ends");
            }
            if (e.kind() != Kind.LOST) {
                PrintWriter err = spec.commandLine().getErr();
                err.println("cloudscope: warning: build " + id + ": cannot detach (" + e.getMessage()
                        + "): losing the connection would cancel it");
                err.flush();
            }
        }
    }

    /** Ctrl-C: {@code cancel}, waiting briefly for the answer; always a failure (exit code 1). */
    private CliFailure cancelled(BuildClient client, String id, BuildOutput output) throws InterruptedException {
        if (id == null) {
            return new CliFailure("interrupted before the server accepted the build");
        }
        Duration grace = options.timeout.compareTo(CANCEL_GRACE) < 0 ? options.timeout : CANCEL_GRACE;
        try {
            JSONObject ack = client.cancel(id, grace);
            String status = String.valueOf(ack.opt("status"));
            return new CliFailure("build " + id + ": " + status + (BuildEvents.CANCELLED.equals(status)
                    ? " (Ctrl-C)" : " (Ctrl-C: cancel asked)"));
        } catch (BuildClientException e) {
            return new CliFailure("build " + id + ": Ctrl-C, but the cancel was not confirmed: " + e.getMessage()
                    + "; the build may go on: cloudscope build cancel " + id + options.serverArgument());
        }
    }

    /**
     * What a failed call about build {@code id} (or none) means for the user: the server's refusal names the build;
     * while following ({@code output} not {@code null}), a connection that cannot be had says how to go on.
     */
    static CliFailure failure(BuildClientException e, String id, BuildOutput output) {
        if (id == null) {
            return new CliFailure(e.getMessage());
        }
        return switch (e.kind()) {
            case REFUSED -> new CliFailure("build " + id + ": " + e.getMessage());
            case LOST, NO_ANSWER, CONNECT -> new CliFailure(output == null ? e.getMessage()
                    : e.getMessage() + "; the build goes on on the server: " + output.hint(id));
            default -> new CliFailure(e.getMessage());
        };
    }
}
