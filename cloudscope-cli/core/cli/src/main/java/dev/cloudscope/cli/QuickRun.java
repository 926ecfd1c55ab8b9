package dev.cloudscope.cli;

import java.io.BufferedWriter;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.util.HashSet;
import java.util.Set;

/**
 * The everyday invocations, {@code chat [URL]} and {@code echo [URL]} with any of {@code --message}/{@code -m},
 * {@code --timeout} and {@code --token}, run without building picocli's command model. Picocli's reflection over
 * the annotations (and its Java 5 class files, which class data sharing cannot archive) is a good part of a short
 * run's start-up; for these arguments it would only fill {@link ConversationOptions} with what is filled here.
 *
 * <p>Anything else, or anything in doubt, is left to picocli ({@link #run} returns {@code null}): help, version,
 * unknown or repeated options, {@code --}, {@code @files}, option values that start with {@code -} or {@code @}, and
 * any value the converters reject, so that picocli reports the usage error exactly as before. What is run here
 * behaves as the picocli path does: the same options, converters, commands, output streams and failure handling.
 */
final class QuickRun {

    private QuickRun() {
    }

    /** Runs {@code args} on the process's stdout and stderr; the exit code, or {@code null} to use picocli. */
    static Integer run(String[] args) {
        ConversationOptions options = parse(args);
        if (options == null) {
            return null;
        }
        // the writers picocli's CommandLine.getOut() and getErr() would make
        return run(args[0], options, newPrintWriter(System.out, encoding("sun.stdout.encoding")),
                newPrintWriter(System.err, encoding("sun.stderr.encoding")));
    }

    /** Runs {@code args} on {@code out} and {@code err}; the exit code, or {@code null} to use picocli. */
    static Integer run(String[] args, PrintWriter out, PrintWriter err) {
        ConversationOptions options = parse(args);
        return options == null ? null : run(args[0], options, out, err);
    }

    private static int run(String command, ConversationOptions options, PrintWriter out, PrintWriter err) {
        try {
            return command.equals("chat") ? ChatCommand.run(options, out) : EchoCommand.run(options, out);
        } catch (Exception e) {
            return FailureHandler.report(e, err); // as the FailureHandler picocli calls would
        } finally {
            out.flush();
        }
    }

    /** The options {@code args} give, or {@code null} when they are not of the simple kind run here. */
    static ConversationOptions parse(String[] args) {
        if (args.length == 0 || !(args[0].equals("chat") || args[0].equals("echo"))
                || System.getProperty("picocli.trace") != null) {
            return null;
        }
        String url = null;
        String message = ConversationOptions.DEFAULT_MESSAGE;
        String timeout = ConversationOptions.DEFAULT_TIMEOUT;
        String token = System.getenv(ConversationOptions.TOKEN_VARIABLE);
        Set<String> seen = new HashSet<>();
        for (int i = 1; i < args.length; i++) {
            String arg = args[i];
            if (!looksSpecial(arg)) {
                if (url != null) {
                    return null; // a second positional parameter: picocli's usage error
                }
                url = arg;
                continue;
            }
            String name = arg;
            String value;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                name = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            } else if (i + 1 < args.length && !looksSpecial(args[i + 1])) {
                value = args[++i];
            } else {
                return null;
            }
            if (name.equals("-m")) {
                name = "--message";
            }
            if (!seen.add(name)) {
                return null; // given twice: picocli's usage error
            }
            switch (name) {
                case "--message" -> message = value;
                case "--timeout" -> timeout = value;
                case "--token" -> token = value;
                default -> {
                    return null;
                }
            }
        }
        ConversationOptions options = new ConversationOptions();
        try {
            if (url != null) {
                options.url = new UrlConverter().convert(url);
            }
            options.timeout = new DurationConverter().convert(timeout);
        } catch (RuntimeException e) {
            return null; // picocli reports it as a usage error
        }
        options.message = message;
        options.token = token;
        return options;
    }

    /** An argument picocli might read as an option, an end of options or an argument file. */
    private static boolean looksSpecial(String arg) {
        return arg.startsWith("-") || arg.startsWith("@");
    }

    /** picocli's CommandLine.getStdoutEncoding/getStderrEncoding. */
    private static Charset encoding(String property) {
        String name = System.getProperty(property);
        if (name == null) {
            return Charset.defaultCharset();
        }
        try {
            return Charset.forName("cp65001".equalsIgnoreCase(name) ? "UTF-8" : name);
        } catch (Exception e) {
            return Charset.defaultCharset();
        }
    }

    /** picocli's CommandLine.newPrintWriter. */
    private static PrintWriter newPrintWriter(OutputStream stream, Charset charset) {
        return new PrintWriter(new BufferedWriter(new OutputStreamWriter(stream, charset)), true);
    }
}
