package dev.cloudscope.cloudbuild;

import static org.assertj.core.api.Assertions.assertThat;

import io.socket.client.SocketIOException;
import io.socket.engineio.client.EngineIOException;
import java.net.ConnectException;
import java.net.ProtocolException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;

class ConnectErrorsTest {

    @Test
    void describesUnreachableServers() {
        ConnectException okhttp = new ConnectException("Failed to connect to /127.0.0.1:1");
        okhttp.initCause(new ConnectException("Connection refused"));
        assertThat(ConnectErrors.describe(new EngineIOException("websocket error", okhttp)))
                .isEqualTo("connection refused");
        assertThat(ConnectErrors.describe(new EngineIOException("websocket error",
                new ConnectException("Failed to connect to /10.0.0.1:1")))).isEqualTo("connection refused");
        assertThat(ConnectErrors.describe(new EngineIOException("websocket error",
                new UnknownHostException("nowhere.invalid")))).isEqualTo("unknown host nowhere.invalid");
        assertThat(ConnectErrors.describe(new EngineIOException("websocket error",
                new SocketTimeoutException("connect timed out")))).isEqualTo("connection timed out");
        assertThat(ConnectErrors.describe(new SocketIOException("timeout"))).isEqualTo("connection timed out");
        assertThat(ConnectErrors.describe(new EngineIOException("websocket error",
                new ProtocolException("Expected HTTP 101 response but was '404 Not Found'"))))
                .isEqualTo("Expected HTTP 101 response but was '404 Not Found'");
        assertThat(ConnectErrors.describe(new EngineIOException("websocket error", new RuntimeException())))
                .isEqualTo("websocket error");
    }

    @Test
    void describesRefusals() throws Exception {
        assertThat(ConnectErrors.describe("Invalid namespace")).isEqualTo("Invalid namespace");
        assertThat(ConnectErrors.describe(new JSONObject("{\"message\":\"unauthorized\"}"))).isEqualTo("unauthorized");
        assertThat(ConnectErrors.describe(new JSONObject("{\"code\":3}"))).isEqualTo("{\"code\":3}");
        assertThat(ConnectErrors.describe(null)).isEqualTo("unknown error");
        assertThat(ConnectErrors.describe(" ")).isEqualTo("unknown error");
    }

    @Test
    void tellsTheServersRefusalsFromFailuresToReachIt() throws Exception {
        assertThat(ConnectErrors.byServer("Invalid namespace")).isTrue();
        assertThat(ConnectErrors.byServer(new JSONObject("{\"message\":\"unauthorized\"}"))).isTrue();
        assertThat(ConnectErrors.byServer(new EngineIOException("websocket error",
                new ConnectException("Connection refused")))).isFalse();
        assertThat(ConnectErrors.byServer(new SocketIOException("timeout"))).isFalse();
        assertThat(ConnectErrors.byServer(null)).isFalse();
    }
}
