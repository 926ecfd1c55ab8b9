package dev.cloudscope.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/** The invocations run without picocli: the same options and the same run as picocli's, or left to picocli. */
class QuickRunTest {
    private static ChatServer server;

    @BeforeAll
    static void startServer() {
        server = new ChatServer();
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void readsWhatPicocliReads() throws IllegalAccessException {
        List<String[]> cases = List.of(
                new String[] {"chat"},
                new String[] {"echo"},
                new String[] {"chat", "http://127.0.0.1:7001/chat"},
                new String[] {"chat", "127.0.0.1:7001/chat"},
                new String[] {"echo", "ws://localhost:9/x", "--timeout", "500ms"},
                new String[] {"chat", "-m", "hi"},
                new String[] {"chat", "--message", "hi there", "http://127.0.0.1:1"},
                new String[] {"chat", "--message=a=b", "--timeout=2m", "--token=t"},
                new String[] {"chat", "--token", "secret", "--timeout", "PT3S", "https://example.org/chat"},
                new String[] {"chat", "--message", ""},
                new String[] {"chat", "help"});
        for (String[] args : cases) {
            ConversationOptions quick = QuickRun.parse(args);
            ConversationOptions picocli = picocliOptions(args);
            assertThat(quick).as(String.join(" ", args)).isNotNull();
            // every option field, so that an option added later without teaching QuickRun fails here
            for (Field field : ConversationOptions.class.getDeclaredFields()) {
                if (!Modifier.isStatic(field.getModifiers())) {
                    assertThat(field.get(quick)).as(String.join(" ", args) + ": " + field.getName())
                            .isEqualTo(field.get(picocli));
                }
            }
        }
    }

    @Test
    void leavesEverythingElseToPicocli() {
        List<String[]> cases = List.of(
                new String[] {},
                new String[] {"--help"},
                new String[] {"--version"},
                new String[] {"help"},
                new String[] {"help", "chat"},
                new String[] {"chat", "--help"},
                new String[] {"chat", "-h"},
                new String[] {"echo", "-V"},
                new String[] {"chat", "http://a", "http://b"},
                new String[] {"chat", "--timeout", "soon"},
                new String[] {"chat", "--timeout", "0s"},
                new String[] {"chat", "ftp://127.0.0.1/chat"},
                new String[] {"chat", "http:///nohost"},
                new String[] {"chat", "--message", "a", "--message", "b"},
                new String[] {"chat", "-m", "a", "--message", "b"},
                new String[] {"chat", "--message"},
                new String[] {"chat", "--message", "-x"},
                new String[] {"chat", "-mhi"},
                new String[] {"chat", "-m=hi"},
                new String[] {"chat", "--verbose"},
                new String[] {"chat", "--", "http://a"},
                new String[] {"chat", "@args.txt"},
                new String[] {"chat", "--message", "@args.txt"},
                new String[] {"Chat"},
                new String[] {"room", "lobby"});
        for (String[] args : cases) {
            assertThat(QuickRun.parse(args)).as(String.join(" ", args)).isNull();
            assertThat(QuickRun.run(args, new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter())))
                    .as(String.join(" ", args)).isNull();
        }
    }

    @Test
    void runsAsPicocliRuns() {
        List<String[]> cases = List.of(
                new String[] {"chat", server.url("/chat")},
                new String[] {"echo", server.url("/echo"), "--message", "hi there"},
                new String[] {"echo", server.url("/chat"), "--timeout", "1s"},
                new String[] {"chat", server.url("/echo"), "-m", "ünïcödé"},
                new String[] {"chat", server.url("/nope")},
                new String[] {"chat", server.url("/rude")},
                new String[] {"chat", server.url("/mute"), "--timeout", "1s"},
                new String[] {"chat", "http://127.0.0.1:" + ChatServer.freePort(), "--timeout", "600ms"});
        for (String[] args : cases) {
            StringWriter quickOut = new StringWriter();
            StringWriter quickErr = new StringWriter();
            Integer quickCode = QuickRun.run(args, new PrintWriter(quickOut, true), new PrintWriter(quickErr, true));

            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            CommandLine cmd = CloudscopeCommand.newCommandLine();
            cmd.setOut(new PrintWriter(out, true));
            cmd.setErr(new PrintWriter(err, true));
            int code = cmd.execute(args);

            String what = String.join(" ", args);
            if (args[0].equals("echo") && args[1].endsWith("/echo")) {
                assertThat(out.toString()).as(what).isEqualTo("connect!\nack: hi there\n");
            }
            assertThat(quickCode).as(what).isEqualTo(code);
            assertThat(quickOut.toString()).as(what).isEqualTo(out.toString());
            assertThat(quickErr.toString()).as(what).isEqualTo(err.toString());
        }
    }

    private static ConversationOptions picocliOptions(String[] args) {
        ParseResult result = CloudscopeCommand.newCommandLine().parseArgs(args);
        Object command = result.subcommand().commandSpec().userObject();
        return command instanceof ChatCommand chat ? chat.options : ((EchoCommand) command).options;
    }
}
