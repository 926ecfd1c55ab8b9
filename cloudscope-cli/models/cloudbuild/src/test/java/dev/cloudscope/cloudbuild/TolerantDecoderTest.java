package dev.cloudscope.cloudbuild;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TolerantDecoderTest {

    @Test
    void wrapsABareConnectErrorPayload() {
        assertThat(TolerantDecoder.normalize("4/nope,\"Invalid namespace\""))
                .isEqualTo("4/nope,{\"message\":\"Invalid namespace\"}");
        assertThat(TolerantDecoder.normalize("4\"Invalid namespace\""))
                .isEqualTo("4{\"message\":\"Invalid namespace\"}");
        assertThat(TolerantDecoder.normalize("4/chat,")).isEqualTo("4/chat,{\"message\":\"refused by the server\"}");
        assertThat(TolerantDecoder.normalize("4/chat")).isEqualTo("4/chat,{\"message\":\"refused by the server\"}");
    }

    @Test
    void leavesEverythingElseAlone() {
        assertThat(TolerantDecoder.normalize("4/chat,{\"message\":\"unauthorized\"}"))
                .isEqualTo("4/chat,{\"message\":\"unauthorized\"}");
        assertThat(TolerantDecoder.normalize("2/chat,[\"res\",\"x\"]")).isEqualTo("2/chat,[\"res\",\"x\"]");
        assertThat(TolerantDecoder.normalize("0/chat,{\"sid\":\"abc\"}")).isEqualTo("0/chat,{\"sid\":\"abc\"}");
        assertThat(TolerantDecoder.normalize("")).isEmpty();
    }
}
