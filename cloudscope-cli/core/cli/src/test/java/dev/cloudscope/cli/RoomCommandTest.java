package dev.cloudscope.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import picocli.CommandLine;

/** {@code cloudscope room} against {@link RoomServer}: in this JVM with stdin and stdout replaced, and as a process. */
class RoomCommandTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static RoomServer server;

    @BeforeAll
    static void startServer() {
        server = new RoomServer();
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void twoMembersEachPrintOnlyTheOthersLinesInOrderOnce() throws Exception {
        String url = server.url("/chat");
        try (Member alice = new Member("room", "lobby", url, "--name", "alice")) {
            alice.awaitErr(joined("lobby", "alice", "1 member"));
            try (Member bob = new Member("room", "lobby", url, "--name", "bob")) {
                bob.awaitErr(joined("lobby", "bob", "2 members"));

                List<String> aliceLines = IntStream.rangeClosed(1, 50).mapToObj(i -> "line " + i + " from alice")
                        .collect(Collectors.toList());
                alice.type(aliceLines.toArray(String[]::new));
                bob.type("hi alice", "", "bye"); // the empty line is not sent
                alice.type("\u001b]0;pwned\u0007 and a\ttab\u009b2J"); // a terminal title, a tab, a C1 CSI

                String toBob = aliceLines.stream().map(l -> "alice: " + l + "\n").collect(Collectors.joining())
                        + "alice: \\x1b]0;pwned\\x07 and a\ttab\\x9b2J\n";
                String toAlice = "bob: hi alice\nbob: bye\n";
                bob.awaitOut(toBob);
                alice.awaitOut(toAlice);

                alice.endInput();
                bob.endInput();
                assertThat(alice.exitCode()).isZero();
                assertThat(bob.exitCode()).isZero();
                // once: nothing came twice, nothing came late
                assertThat(bob.out()).isEqualTo(toBob);
                assertThat(alice.out()).isEqualTo(toAlice);
                assertThat(alice.err()).isEqualTo(joined("lobby", "alice", "1 member"));
                assertThat(bob.err()).isEqualTo(joined("lobby", "bob", "2 members"));
            }
        }
        List<String> log = server.drainLog();
        assertThat(log).filteredOn(l -> l.startsWith("/chat leave lobby")).hasSize(2);
        assertThat(log).doesNotContain("/chat say lobby ");
        assertThat(server.members("lobby")).isZero();
    }

    @Test
    void theEndOfStdinLeavesTheRoomAndSucceeds() throws Exception {
        Result r = run(stdin(""), "room", "quiet", server.url("/chat"), "--name", "carol");

        assertThat(r.code).isZero();
        assertThat(r.out).isEmpty();
        assertThat(r.err).isEqualTo(joined("quiet", "carol", "1 member"));
        assertThat(server.drainLog()).containsSubsequence("/chat join quiet carol", "/chat leave quiet");
    }

    @Test
    void linesPipedBeforeTheJoinAreSentAfterItThenItLeaves() throws Exception {
        String url = server.url("/chat");
        try (Member dave = new Member("room", "piped", url, "--name", "dave")) {
            dave.awaitErr(joined("piped", "dave", "1 member"));

            Result erin = run(stdin("one\ntwo\r\nthree"), "room", "piped", url, "--name", "erin");

            assertThat(erin.code).isZero();
            dave.awaitOut("erin: one\nerin: two\nerin: three\n");
            assertThat(server.drainLog()).containsSubsequence("/chat join piped erin", "/chat say piped one",
                    "/chat say piped two", "/chat say piped three", "/chat leave piped");
        }
    }

    @Test
    void aLineOverTheLimitIsRefusedNotSent() throws Exception {
        String url = server.url("/chat");
        try (Member frank = new Member("room", "long", url, "--name", "frank")) {
            frank.awaitErr(joined("long", "frank", "1 member")); // before grace starts: else it may be 2
            try (Member grace = new Member("room", "long", url, "--name", "grace")) {
                grace.awaitUntil(() -> grace.err().startsWith("joined long as grace"));

                String atTheLimit = "y".repeat(Room.MAX_LINE_BYTES);
                frank.type("x".repeat(5000), atTheLimit, "after");

                grace.awaitOut("frank: " + atTheLimit + "\nfrank: after\n");
                assertThat(frank.err()).isEqualTo(joined("long", "frank", "1 member")
                        + "cloudscope: line not sent: 5000 bytes, over the limit of 4096\n");
            }
        }
    }

    @Test
    void aRefusedJoinFails() {
        String url = server.url("/chat");
        String tooLong = "r".repeat(65);

        Result room = run(stdin("never sent\n"), "room", tooLong, url, "--name", "heidi");
        Result name = run(stdin("never sent\n"), "room", "lobby", url, "--name", "bad\u001bname");

        assertThat(room.code).isEqualTo(1);
        assertThat(room.out).isEmpty();
        assertThat(room.err).isEqualTo("cloudscope: " + url + ": cannot join " + tooLong + ": bad room name\n");
        assertThat(name.code).isEqualTo(1);
        assertThat(name.err).isEqualTo("cloudscope: " + url + ": cannot join lobby: bad name\n");
        assertThat(server.drainLog()).noneMatch(l -> l.contains("never sent"));
    }

    @Test
    void reportsAServerWithoutRooms() {
        String url = server.url("/norooms");

        Result r = run(stdin("never sent\n"), "room", "lobby", url);

        assertThat(r.code).isEqualTo(1);
        assertThat(r.out).isEmpty();
        assertThat(r.err).isEqualTo("cloudscope: " + url + ": cannot join lobby: unexpected answer [] "
                + "(does the server have rooms?)\n");
    }

    @Test
    void reportsAServerThatIsNotListening() {
        String url = "http://127.0.0.1:" + ChatServer.freePort();

        Result r = run(stdin(""), "room", "lobby", url, "--timeout", "1s");

        assertThat(r.code).isEqualTo(1);
        assertThat(r.out).isEmpty();
        // a URL without a path means /chat
        assertThat(r.err)
                .isEqualTo("cloudscope: cannot connect to " + url + "/chat: connection refused (tried for 1s)\n");
    }

    @Test
    void reportsARefusedConnection() {
        String nope = server.url("/nope");
        String secret = server.url("/secret");

        Result unknown = run(stdin(""), "room", "lobby", nope);
        Result badToken = run(stdin(""), "room", "lobby", secret, "--token", "guess");

        assertThat(unknown.code).isEqualTo(1);
        assertThat(unknown.out).isEmpty();
        assertThat(unknown.err).isEqualTo("cloudscope: cannot connect to " + nope + ": Invalid namespace\n");
        assertThat(badToken.code).isEqualTo(1);
        assertThat(badToken.out).isEmpty();
        assertThat(badToken.err).isEqualTo("cloudscope: cannot connect to " + secret + ": unauthorized\n");
    }

    @Test
    void presentsTheToken() {
        Result r = run(stdin(""), "room", "vault", server.url("/secret"), "--token", RoomServer.TOKEN,
                "--name", "ivan");

        assertThat(r.code).isZero();
        assertThat(r.err).isEqualTo(joined("vault", "ivan", "1 member"));
    }

    @Test
    void reportsTheServerClosingTheConnection() throws Exception {
        String url = server.url("/rude");
        try (Member judy = new Member("room", "lobby", url, "--name", "judy")) {
            assertThat(judy.exitCode()).isEqualTo(1);
            assertThat(judy.out()).isEmpty();
            assertThat(judy.err()).isEqualTo(joined("lobby", "judy", "1 member")
                    + "cloudscope: " + url + ": server closed the connection\n");
        }
    }

    @Test
    void aUrlWithoutAPathMeansChat() {
        assertThat(RoomCommand.inChatNamespace(URI.create("http://h:1"))).hasToString("http://h:1/chat");
        assertThat(RoomCommand.inChatNamespace(URI.create("http://h:1?token=a%20b")))
                .hasToString("http://h:1/chat?token=a%20b");
        assertThat(RoomCommand.inChatNamespace(URI.create("ws://u@h/"))).hasToString("ws://u@h/");
        assertThat(RoomCommand.inChatNamespace(URI.create("http://h:1/other"))).hasToString("http://h:1/other");

        Result r = run(stdin(""), "room", "nopath", "127.0.0.1:" + server.port, "--name", "kim");

        assertThat(r.code).isZero();
        assertThat(server.drainLog()).contains("/chat join nopath kim", "/chat leave nopath");
    }

    @Test
    void help() {
        Result top = run(stdin(""), "--help");
        Result room = run(stdin(""), "room", "--help");

        assertThat(top.code).isZero();
        assertThat(top.out).contains("room");
        assertThat(room.code).isZero();
        assertThat(room.out).startsWith("Usage: cloudscope room").contains("ROOM", "[URL]", "--name=WHO", "--token",
                "--timeout", RoomCommand.DEFAULT_URL, "10s",
                "Default: the user name, " + System.getProperty("user.name"));
        assertThat(room.err).isEmpty();
    }

    @Test
    void usageErrors() {
        Result noRoom = run(stdin(""), "room");
        Result badTimeout = run(stdin(""), "room", "lobby", "--timeout", "soon");
        Result badUrl = run(stdin(""), "room", "lobby", "ftp://127.0.0.1/chat");

        assertThat(noRoom.code).isEqualTo(2);
        assertThat(noRoom.err).contains("Missing required parameter: 'ROOM'");
        assertThat(badTimeout.code).isEqualTo(2);
        assertThat(badTimeout.err).contains("'soon' is not a duration");
        assertThat(badUrl.code).isEqualTo(2);
        assertThat(badUrl.err).contains("is not an http(s) or ws(s) URL");
    }

    @Test
    void controlCharactersButTabAreShownEscaped() {
        assertThat(Room.printable("plain text, ünïcödé")).isEqualTo("plain text, ünïcödé");
        assertThat(Room.printable("a\tb")).isEqualTo("a\tb");
        assertThat(Room.printable("\u001b[31mred\u001b[0m")).isEqualTo("\\x1b[31mred\\x1b[0m");
        assertThat(Room.printable("two\nlines\r")).isEqualTo("two\\nlines\\r");
        assertThat(Room.printable("\u0000\u007f\u0085\u009b")).isEqualTo("\\x00\\x7f\\x85\\x9b");
    }

    @Test
    void saidIsPrintedAsFromColonText() throws Exception {
        assertThat(Room.said(List.of(new org.json.JSONObject("{\"room\":\"r\",\"from\":\"a\",\"text\":\"hi\"}"))))
                .isEqualTo("a: hi");
        assertThat(Room.said(List.of(new org.json.JSONObject("{\"room\":\"r\",\"text\":\"hi\"}")))).isEqualTo(": hi");
        assertThat(Room.said(List.of("not an object"))).isNull();
        assertThat(Room.said(List.of())).isNull();
    }

    @Test
    void linesAreReadWithALimit() throws IOException {
        LineReader lines = new LineReader(new StringReader("a\r\n\nbb\rc\n" + "z".repeat(10) + "\nend"), 4);

        assertThat(lines.next()).isEqualTo(new LineReader.Line("a", 1));
        assertThat(lines.next()).isEqualTo(new LineReader.Line("", 0));
        assertThat(lines.next()).isEqualTo(new LineReader.Line("bb\rc", 4));
        assertThat(lines.next()).isEqualTo(new LineReader.Line(null, 10));
        assertThat(lines.next()).isEqualTo(new LineReader.Line("end", 3));
        assertThat(lines.next()).isNull();

        LineReader limit = new LineReader(new StringReader("abcd\r\nééé\n\uD83D\uDE00\n"), 4);
        assertThat(limit.next()).isEqualTo(new LineReader.Line("abcd", 4));
        assertThat(limit.next()).isEqualTo(new LineReader.Line(null, 6));
        assertThat(limit.next()).isEqualTo(new LineReader.Line("\uD83D\uDE00", 4));
    }

    /** As a user runs it: stdin and stdout are pipes, said lines come out as they arrive, Ctrl-C leaves. */
    @Test
    @EnabledOnOs({OS.LINUX, OS.MAC})
    void asAProcessItPrintsEachLineAsItComesAndLeavesOnCtrlC() throws Exception {
        String url = server.url("/chat");
        try (Member mallory = new Member("room", "procs", url, "--name", "mallory")) {
            mallory.awaitErr(joined("procs", "mallory", "1 member"));
            CliProcess niaj = new CliProcess("room", "procs", url, "--name", "niaj");
            try {
                assertThat(niaj.err.poll(WAIT.toSeconds(), TimeUnit.SECONDS))
                        .isEqualTo(joined("procs", "niaj", "2 members").strip());

                mallory.type("are you there?");
                assertThat(niaj.out.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("mallory: are you there?");
                niaj.type("yes");
                mallory.awaitOut("niaj: yes\n");

                IgnoredSigInt.assumeHandled(niaj.process.pid());
                new ProcessBuilder("kill", "-INT", String.valueOf(niaj.process.pid())).start().waitFor();

                assertThat(niaj.process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
                assertThat(niaj.process.exitValue()).isZero();
                assertThat(server.drainLog()).containsSubsequence("/chat say procs yes", "/chat leave procs");
            } finally {
                niaj.process.destroyForcibly();
            }
        }
    }

    @Test
    void asAProcessItEndsWhenThePipeCloses() throws Exception {
        String url = server.url("/chat");
        try (Member olivia = new Member("room", "pipe", url, "--name", "olivia")) {
            olivia.awaitErr(joined("pipe", "olivia", "1 member"));
            CliProcess peggy = new CliProcess("room", "pipe", url, "--name", "peggy");
            try {
                assertThat(peggy.err.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).startsWith("joined pipe as peggy");
                peggy.type("first", "second");
                peggy.stdin.close();

                assertThat(peggy.process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
                assertThat(peggy.process.exitValue()).isZero();
                olivia.awaitOut("peggy: first\npeggy: second\n");
                assertThat(server.drainLog()).containsSubsequence("/chat say pipe second", "/chat leave pipe");
            } finally {
                peggy.process.destroyForcibly();
            }
        }
    }

    private static String joined(String room, String name, String members) {
        return "joined " + room + " as " + name + " (" + members + "); type a line to send it, Ctrl-D to leave\n";
    }

    private static InputStream stdin(String text) {
        return new ByteArrayInputStream(text.getBytes(Charset.defaultCharset()));
    }

    private record Result(int code, String out, String err) {
    }

    /** A run to its end, with {@code in} as stdin. */
    private static Result run(InputStream in, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = newCommandLine(in, out, err);
        int code = cmd.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    private static CommandLine newCommandLine(InputStream in, StringWriter out, StringWriter err) {
        CommandLine cmd = CloudscopeCommand.newCommandLine();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        ((RoomCommand) cmd.getSubcommands().get("room").getCommand()).in = in;
        return cmd;
    }

    private static void waitFor(BooleanSupplier condition, Object what) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited " + WAIT.toSeconds() + " s for " + what);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /** A run in this JVM, on a thread of its own, whose stdin is a pipe the test writes to. */
    private static final class Member implements AutoCloseable {
        private final StringWriter out = new StringWriter();
        private final StringWriter err = new StringWriter();
        private final OutputStream stdin;
        private final FutureTask<Integer> run;

        Member(String... args) throws IOException {
            Pipe pipe = Pipe.open();
            stdin = Channels.newOutputStream(pipe.sink());
            CommandLine cmd = newCommandLine(Channels.newInputStream(pipe.source()), out, err);
            run = new FutureTask<>(() -> cmd.execute(args));
            Thread thread = new Thread(run, "room " + String.join(" ", args));
            thread.setDaemon(true);
            thread.start();
        }

        void type(String... lines) throws IOException {
            StringBuilder text = new StringBuilder();
            for (String line : lines) {
                text.append(line).append('\n');
            }
            stdin.write(text.toString().getBytes(Charset.defaultCharset()));
            stdin.flush();
        }

        void endInput() throws IOException {
            stdin.close();
        }

        int exitCode() throws InterruptedException, ExecutionException, TimeoutException {
            return run.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }

        String out() {
            return out.toString();
        }

        String err() {
            return err.toString();
        }

        void awaitOut(String expected) {
            waitFor(() -> out().equals(expected), "stdout " + expected + " (have: " + out() + ")");
        }

        void awaitErr(String expected) {
            waitFor(() -> err().equals(expected), new Object() {
                @Override
                public String toString() { // read when the wait fails, not when it starts
                    return "stderr " + expected + " (have: " + err() + ")";
                }
            });
        }

        void awaitUntil(BooleanSupplier condition) {
            waitFor(condition, "a condition (stdout: " + out() + ", stderr: " + err() + ")");
        }

        @Override
        public void close() throws IOException {
            stdin.close();
            try {
                run.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            } catch (InterruptedException | ExecutionException | TimeoutException e) {
                throw new AssertionError("room run did not end after its stdin did", e);
            }
        }
    }

    /** {@code cloudscope ARGS} as a process of its own, on this JVM's class path; its output line by line. */
    private static final class CliProcess {
        final Process process;
        final OutputStream stdin;
        final BlockingQueue<String> out = new LinkedBlockingQueue<>();
        final BlockingQueue<String> err = new LinkedBlockingQueue<>();

        CliProcess(String... args) throws IOException {
            List<String> command = new ArrayList<>(List.of(
                    Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), CloudscopeCommand.class.getName()));
            command.addAll(List.of(args));
            assertThat(Files.isExecutable(Paths.get(command.get(0)))).isTrue();
            process = new ProcessBuilder(command).start();
            stdin = process.getOutputStream();
            drain(process.getInputStream(), out);
            drain(process.getErrorStream(), err);
        }

        void type(String... lines) throws IOException {
            for (String line : lines) {
                stdin.write((line + "\n").getBytes(Charset.defaultCharset()));
            }
            stdin.flush();
        }

        private static void drain(InputStream stream, BlockingQueue<String> lines) {
            Thread t = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(stream, Charset.defaultCharset()))) {
                    for (String line = r.readLine(); line != null; line = r.readLine()) {
                        lines.add(line);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, "cli output");
            t.setDaemon(true);
            t.start();
        }
    }
}
