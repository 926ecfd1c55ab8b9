package dev.cloudscope.cli;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

/**
 * What {@code cloudscope build} builds when it is not told: the {@code origin} remote's URL and the current branch
 * of the git repository the current directory is in (JGit; {@code GIT_DIR} and {@code GIT_CEILING_DIRECTORIES} as
 * git reads them), and the warning that the server will not see commits that were not pushed.
 */
final class GitDefaults {
    /** Commits not pushed are counted up to here ("10000 or more"). */
    static final int COUNT_LIMIT = 10_000;

    private GitDefaults() {
    }

    /** The repository and branch to build, with the warnings to show (none when both were given). */
    record Target(String repo, String branch, List<String> warnings) {
    }

    /**
     * {@code repo} and {@code branch}, each read from the repository {@code dir} is in when not given. Fails with
     * exit code 2 ({@link FailureHandler#USAGE}) when one is needed and cannot be read: no repository, no
     * {@code origin}, a detached HEAD. Warns when the branch has commits {@code origin}'s does not have (as far as
     * its remote-tracking branch knows), or is not on {@code origin} at all, when {@code repo} is that {@code origin}.
     *
     * @param ceiling a directory not to look above (tests), or {@code null}
     */
    static Target resolve(String repo, String branch, Path dir, File ceiling) {
        if (repo != null && branch != null) {
            return new Target(repo, branch, List.of());
        }
        String where = dir.toString();
        try (Repository git = open(dir, ceiling)) {
            if (git == null) {
                throw usage(repo == null
                        ? "no git repository in " + where + " (nor above it): run it in a clone of the project, "
                                + "or give REPO and --branch"
                        : "no --branch, and no git repository in " + where + " to take the current branch from: "
                                + "give --branch");
            }
            where = (git.isBare() ? git.getDirectory() : git.getWorkTree()).toString();
            String origin = git.getConfig().getString("remote", "origin", "url");
            String target = repo;
            if (target == null) {
                if (origin == null || origin.isBlank()) {
                    throw usage("the git repository in " + where + " has no remote 'origin': add it (git remote add "
                            + "origin URL) or give REPO");
                }
                target = origin;
            }
            String name = branch;
            if (name == null) {
                String head = git.getFullBranch();
                if (head == null || !head.startsWith(Constants.R_HEADS)) {
                    throw usage("HEAD is detached in " + where
                            + (head == null ? "" : " (at " + abbreviate(head) + ")") + ": give --branch");
                }
                name = head.substring(Constants.R_HEADS.length());
            }
            List<String> warnings = new ArrayList<>();
            if (target.equals(origin)) {
                notPushed(git, name, warnings);
            }
            return new Target(target, name, List.copyOf(warnings));
        } catch (IOException e) {
            throw usage("cannot read the git repository in " + where + ": " + e.getMessage());
        }
    }

    private static Repository open(Path dir, File ceiling) throws IOException {
        FileRepositoryBuilder builder = new FileRepositoryBuilder().readEnvironment();
        if (ceiling != null) {
            builder.addCeilingDirectory(ceiling);
        }
        builder.findGitDir(dir.toFile());
        if (builder.getGitDir() == null) {
            return null;
        }
        return builder.setMustExist(true).build();
    }

    /** Adds a warning when {@code branch} has commits {@code origin/branch} has not, or there is no such branch. */
    private static void notPushed(Repository git, String branch, List<String> warnings) throws IOException {
        Ref local = git.exactRef(Constants.R_HEADS + branch);
        if (local == null || local.getObjectId() == null) {
            return; // not a local branch (or no commit yet): nothing to compare
        }
        Ref remote = git.exactRef(Constants.R_REMOTES + "origin/" + branch);
        if (remote == null || remote.getObjectId() == null) {
            warnings.add("branch " + branch + " is not on origin (no origin/" + branch + "): the server cannot "
                    + "build it; push it first (git push -u origin " + branch + ")");
            return;
        }
        int ahead = countAhead(git, local.getObjectId(), remote.getObjectId());
        if (ahead > 0) {
            String count = ahead >= COUNT_LIMIT ? COUNT_LIMIT + " or more commits" : ahead == 1 ? "1 commit"
                    : ahead + " commits";
            warnings.add(count + " on " + branch + " not pushed to origin/" + branch + ": the server builds origin/"
                    + branch + " without " + (ahead == 1 ? "it" : "them") + " (git push)");
        }
    }

    private static int countAhead(Repository git, ObjectId local, ObjectId remote) throws IOException {
        try (RevWalk walk = new RevWalk(git)) {
            walk.markStart(walk.parseCommit(local));
            walk.markUninteresting(walk.parseCommit(remote));
            int n = 0;
            while (walk.next() != null && n < COUNT_LIMIT) {
                n++;
            }
            return n;
        } catch (org.eclipse.jgit.errors.MissingObjectException e) {
            return 0; // a remote-tracking ref whose commit is gone (a broken clone): nothing to say
        }
    }

    private static String abbreviate(String head) {
        return ObjectId.isId(head) ? head.substring(0, 7) : head;
    }

    private static CliFailure usage(String message) {
        return new CliFailure(message, FailureHandler.USAGE);
    }
}
