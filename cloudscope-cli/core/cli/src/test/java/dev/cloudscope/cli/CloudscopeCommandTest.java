package dev.cloudscope.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class CloudscopeCommandTest {
    private static ChatServer server;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

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

    private int run(String... args) {
        CommandLine cmd = CloudscopeCommand.newCommandLine();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        return cmd.execute(args);
    }

    @Test
    void help() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).startsWith("Usage: cloudscope").contains("chat", "--version");
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void chatHelpShowsTheDefaults() {
        assertThat(run("chat", "--help")).isZero();
        assertThat(out.toString()).contains("Usage: cloudscope chat", "http://127.0.0.1:7001", "hello world!", "10s");
    }

    @Test
    void version() {
        assertThat(run("--version")).isZero();
        assertThat(out.toString()).isEqualTo("cloudscope " + System.getProperty("cloudscope.expectedVersion") + "\n");
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void noSubcommandIsAUsageError() {
        assertThat(run()).isEqualTo(2);
        assertThat(err.toString()).contains("Missing required subcommand");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void chats() {
        int code = run("chat", server.url("/chat"));

        assertThat(out.toString()).isEqualTo("connect!\nres from server: a!\nres from server: b!\n");
        assertThat(err.toString()).isEmpty();
        assertThat(code).isZero();
    }

    @Test
    void sendsTheMessage() {
        int code = run("chat", server.url("/echo"), "--message", "hi there");

        assertThat(out.toString()).isEqualTo("connect!\nres from server: hi there!\n");
        assertThat(code).isZero();
    }

    @Test
    void sendsTheLessonsMessageByDefault() {
        int code = run("chat", server.url("/echo"));

        assertThat(out.toString()).isEqualTo("connect!\nres from server: hello world!!\n");
        assertThat(code).isZero();
    }

    @Test
    void reportsARefusedConnection() {
        String url = "http://127.0.0.1:" + ChatServer.freePort();

        int code = run("chat", url, "--timeout", "1s"); // it tries again until the timeout

        assertThat(code).isEqualTo(1);
        assertThat(out.toString()).isEmpty();
        assertThat(err.toString())
                .isEqualTo("cloudscope: cannot connect to " + url + ": connection refused (tried for 1s)\n");
    }

    @Test
    void reportsAnUnknownNamespace() {
        String url = server.url("/nope");

        int code = run("chat", url);

        assertThat(code).isEqualTo(1);
        assertThat(out.toString()).isEmpty();
        assertThat(err.toString()).isEqualTo("cloudscope: cannot connect to " + url + ": Invalid namespace\n");
    }

    @Test
    void reportsNoAnswerInTime() {
        String url = server.url("/mute");

        // long enough to connect on a loaded machine: the server connects, then never acks
        int code = run("chat", url, "--timeout", "3s");

        assertThat(code).isEqualTo(1);
        assertThat(out.toString()).isEqualTo("connect!\n");
        assertThat(err.toString()).isEqualTo("cloudscope: no answer from " + url + " within 3s\n");
    }

    @Test
    void reportsTheServerClosingTheConnection() {
        String url = server.url("/rude");

        int code = run("chat", url);

        assertThat(code).isEqualTo(1);
        assertThat(out.toString()).isEqualTo("connect!\n");
        assertThat(err.toString()).isEqualTo("cloudscope: " + url + ": server closed the connection\n");
    }

    @Test
    void aBadTimeoutIsAUsageError() {
        assertThat(run("chat", "--timeout", "soon")).isEqualTo(2);
        assertThat(err.toString()).contains("--timeout", "'soon' is not a duration");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void aBadUrlIsAUsageError() {
        assertThat(run("chat", "ftp://127.0.0.1/chat")).isEqualTo(2);
        assertThat(err.toString()).contains("is not an http(s) or ws(s) URL");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void disconnectReasonsInWords() {
        assertThat(Conversation.describeDisconnect("io server disconnect")).isEqualTo("server closed the connection");
        assertThat(Conversation.describeDisconnect("transport close")).isEqualTo("server closed the connection");
        assertThat(Conversation.describeDisconnect("ping timeout")).isEqualTo("connection lost (ping timeout)");
    }
}
