package dev.cloudscope.server.app.build;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.eclipse.jgit.lib.Repository;

/**
 * A client's {@code build} request once it has passed every check: nothing is queued, cloned or created before.
 * Each refusal is one short line naming the field and the rule; none repeats the repository URL (it may hold
 * credentials) or the branch (it may hold control characters).
 *
 * @param repo    the repository to clone: an absolute URI whose scheme is in {@code build.repoSchemes}
 * @param branch  a branch name by git's rules ({@code git check-ref-format --branch})
 * @param command the command as listed in {@code build.commands}
 * @param argv    the command split at whitespace: run as this argv, never through a shell
 */
public record BuildRequest(URI repo, String branch, String command, List<String> argv) {

    public static final List<String> DEFAULT_REPO_SCHEMES = List.of("https");
    public static final List<String> DEFAULT_COMMANDS = List.of("npm run build");
    public static final int MAX_REPO = 2048;
    public static final int MAX_BRANCH = 200;

    public BuildRequest {
        argv = List.copyOf(argv);
    }

    /**
     * Checks a {@code build} packet's payload ({@code {repo, branch, command?}}, as decoded from JSON; other
     * fields are ignored). A missing command is the first of {@code commands}.
     */
    public static BuildRequest parse(Object payload, Collection<String> repoSchemes, List<String> commands)
            throws InvalidInputException {
        if (!(payload instanceof Map<?, ?> fields)) {
            throw new InvalidInputException("build: expected an object {repo, branch, command?}");
        }
        URI repo = checkRepo(string(fields, "repo", true), repoSchemes);
        String branch = string(fields, "branch", true);
        checkBranch(branch);
        String command = string(fields, "command", false);
        if (commands.isEmpty()) {
            throw new InvalidInputException("command: no command is allowed on this server (build.commands)");
        }
        String allowed = command == null ? normalize(commands.get(0)) : allowedCommand(command, commands);
        return new BuildRequest(repo, branch, allowed, Arrays.asList(allowed.split(" ")));
    }

    /** The repository for logs and messages: without any user part. */
    public String displayRepo() {
        return withoutUserInfo(repo);
    }

    private static String string(Map<?, ?> fields, String field, boolean required) throws InvalidInputException {
        Object value = fields.get(field);
        if (value == null) {
            if (required) {
                throw new InvalidInputException(field + ": is required");
            }
            return null;
        }
        if (!(value instanceof String text)) {
            throw new InvalidInputException(field + ": must be a string");
        }
        if (text.isEmpty()) {
            throw new InvalidInputException(field + ": must not be empty");
        }
        return text;
    }

    /** {@code build.repoSchemes}; https (and any scheme but file) needs a host; no password ever. */
    static URI checkRepo(String text, Collection<String> repoSchemes) throws InvalidInputException {
        if (text.length() > MAX_REPO) {
            throw new InvalidInputException("repo: longer than " + MAX_REPO + " characters");
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c <= ' ' || c == 0x7f || Character.isISOControl(c) || Character.isSpaceChar(c)) {
                throw new InvalidInputException("repo: must not contain spaces or control characters");
            }
        }
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new InvalidInputException("repo: not a valid URL"); // e's message would repeat the input
        }
        String scheme = uri.getScheme();
        if (scheme == null || uri.isOpaque()) {
            throw new InvalidInputException("repo: must be a URL such as https://host/owner/project.git");
        }
        scheme = scheme.toLowerCase(Locale.ROOT);
        Set<String> allowed = repoSchemes.stream().map(s -> s.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
        if (!allowed.contains(scheme)) {
            throw new InvalidInputException("repo: scheme \"" + scheme + "\" is not allowed (allowed: "
                    + String.join(", ", repoSchemes) + ")");
        }
        if (uri.getRawUserInfo() != null) {
            // a password or token in the URL would end up in logs, statuses and the clone's .git/config
            boolean userOnly = scheme.equals("ssh") && !uri.getRawUserInfo().contains(":");
            if (!userOnly) {
                throw new InvalidInputException("repo: must not contain credentials (user or password)");
            }
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new InvalidInputException("repo: must not have a query or a fragment");
        }
        if (scheme.equals("file")) {
            if (uri.getRawAuthority() != null && !uri.getRawAuthority().isEmpty()) {
                throw new InvalidInputException("repo: a file URL must have no host (file:///path)");
            }
            if (uri.getPath() == null || !uri.getPath().startsWith("/")) {
                throw new InvalidInputException("repo: a file URL needs an absolute path (file:///path)");
            }
        } else if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new InvalidInputException("repo: must have a host");
        }
        return uri;
    }

    /** git's rules for a branch name (git check-ref-format --branch), JGit's on top. */
    static void checkBranch(String branch) throws InvalidInputException {
        if (branch.length() > MAX_BRANCH) {
            throw new InvalidInputException("branch: longer than " + MAX_BRANCH + " characters");
        }
        for (int i = 0; i < branch.length(); i++) {
            char c = branch.charAt(i);
            int type = Character.getType(c);
            if (c <= ' ' || Character.isISOControl(c) || Character.isSpaceChar(c) || type == Character.FORMAT) {
                throw new InvalidInputException("branch: must not contain spaces or control characters");
            }
            if ("~^:?*[\\".indexOf(c) >= 0) {
                throw new InvalidInputException("branch: must not contain any of ~ ^ : ? * [ \\");
            }
        }
        if (branch.startsWith("-")) {
            throw new InvalidInputException("branch: must not start with \"-\"");
        }
        if (branch.startsWith("/") || branch.endsWith("/")) {
            throw new InvalidInputException("branch: must not start or end with \"/\"");
        }
        if (branch.contains("//")) {
            throw new InvalidInputException("branch: must not contain \"//\"");
        }
        if (branch.contains("..")) {
            throw new InvalidInputException("branch: must not contain \"..\"");
        }
        if (branch.contains("@{") || branch.equals("@")) {
            throw new InvalidInputException("branch: must not contain \"@{\" or be \"@\"");
        }
        if (branch.endsWith(".")) {
            throw new InvalidInputException("branch: must not end with \".\"");
        }
        for (String part : branch.split("/")) {
            if (part.startsWith(".")) {
                throw new InvalidInputException("branch: no part may start with \".\"");
            }
            if (part.endsWith(".lock")) {
                throw new InvalidInputException("branch: no part may end with \".lock\"");
            }
        }
        if (branch.equals("HEAD")) {
            throw new InvalidInputException("branch: must not be \"HEAD\"");
        }
        if (!Repository.isValidRefName("refs/heads/" + branch)) {
            throw new InvalidInputException("branch: not a valid git branch name");
        }
    }

    private static String allowedCommand(String command, List<String> commands) throws InvalidInputException {
        String wanted = normalize(command);
        for (String allowed : commands) {
            if (normalize(allowed).equals(wanted)) {
                return normalize(allowed);
            }
        }
        // the client's own text is not repeated: it is theirs, and may be long
        throw new InvalidInputException("command: not allowed (allowed: "
                + commands.stream().map(BuildRequest::normalize).collect(Collectors.joining(", ")) + ")");
    }

    /** Runs of whitespace as one space, none at the ends: the argv's separators. */
    private static String normalize(String command) {
        return command.strip().replaceAll("\\s+", " ");
    }

    static String withoutUserInfo(URI uri) {
        if (uri.getRawUserInfo() == null) {
            return uri.toString();
        }
        try {
            return new URI(uri.getScheme(), null, uri.getHost(), uri.getPort(), uri.getPath(), null, null)
                    .toString();
        } catch (URISyntaxException e) {
            return uri.getScheme() + "://" + uri.getHost();
        }
    }
}
