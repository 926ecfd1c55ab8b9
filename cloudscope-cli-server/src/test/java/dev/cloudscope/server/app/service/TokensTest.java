package dev.cloudscope.server.app.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cloudscope.server.config.ConfigProblem;
import dev.cloudscope.server.testing.TestServer;
import org.junit.jupiter.api.Test;

/**
 * {@link Tokens}, on config as the server loads it ({@code auth.tokens} in a HOCON file layered over the embedded
 * defaults by ConfigLoader): who may connect.
 */
class TokensTest {

    private static Tokens tokens(String hocon) {
        return new Tokens(TestServer.load(hocon, 7001).auth());
    }

    @Test
    void aConfiguredTokenIsAcceptedAndEveryOtherStringIsRejected() {
        Tokens tokens = tokens("auth.tokens = [\"s3cret\", \"other-one\"]");

        assertThat(tokens.required()).isTrue();
        assertThat(tokens.accepts("s3cret")).isTrue();
        assertThat(tokens.accepts("other-one")).isTrue();
        assertThat(tokens.accepts("wrong")).isFalse();
        assertThat(tokens.accepts("s3cre")).as("a prefix").isFalse();
        assertThat(tokens.accepts("s3cret ")).as("a longer string").isFalse();
        assertThat(tokens.accepts("S3CRET")).as("another case").isFalse();
        assertThat(tokens.accepts("")).as("the empty string").isFalse();
    }

    @Test
    void noTokenAtAllIsRejectedWhenTokensAreRequired() {
        Tokens tokens = tokens("auth.tokens = [s3cret]");

        assertThat(tokens.accepts(null)).isFalse();
    }

    @Test
    void anEmptyListLetsEveryoneInAsTheLessonDoes() {
        Tokens tokens = tokens("auth.tokens = []");

        assertThat(tokens.required()).isFalse();
        assertThat(tokens.accepts(null)).isTrue();
        assertThat(tokens.accepts("")).isTrue();
        assertThat(tokens.accepts("anything")).isTrue();
    }

    @Test
    void theEmbeddedDefaultsAreOpen() {
        Tokens tokens = tokens("");

        assertThat(tokens.required()).isFalse();
        assertThat(tokens.accepts(null)).isTrue();
    }

    @Test
    void tokensThatAreNotAListAreAConfigProblemNamingTheKey() {
        assertThatThrownBy(() -> tokens("auth.tokens = s3cret"))
                .isInstanceOf(ConfigProblem.class)
                .hasMessageContaining("auth.tokens")
                .satisfies(problem -> assertThat(problem.getMessage()).doesNotContain("\n"));
    }

    @Test
    void tokensThatAreNotStringsAreAConfigProblemNamingTheKey() {
        assertThatThrownBy(() -> tokens("auth.tokens = [{ token = s3cret }]"))
                .isInstanceOf(ConfigProblem.class)
                .hasMessageContaining("auth.tokens");
    }

    @Test
    void anEmptyTokenIsAConfigProblem() {
        assertThatThrownBy(() -> tokens("auth.tokens = [s3cret, \"\"]"))
                .isInstanceOf(ConfigProblem.class)
                .hasMessageContaining("auth.tokens");
    }

    @Test
    void aBadTokensEntryStopsTheServerBeforeItServesAnyone() {
        assertThatThrownBy(() -> TestServer.load("auth.tokens = s3cret", TestServer.freePort()))
                .isInstanceOf(ConfigProblem.class)
                .hasMessageContaining("auth.tokens");
    }

    @Test
    void theConfigProblemNeverEchoesTheTokens() {
        assertThatThrownBy(() -> tokens("auth.tokens = [s3cret-value, \"\"]"))
                .isInstanceOf(ConfigProblem.class)
                .satisfies(problem -> assertThat(problem.getMessage()).doesNotContain("s3cret-value"));
    }

}
