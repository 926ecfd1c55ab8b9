package dev.cloudscope.server.io.internal.netty;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which paths a bound prefix takes: everything under "/x/" and "/x" itself; "/" takes "/" alone. */
class HttpRoutesMatchTest {

    @ParameterizedTest
    @CsvSource({
        "/sites/, /sites/a/1.0.0/, true",
        "/sites/, /sites, true",
        "/sites/, /sitesx, false",
        "/sites/, /, false",
        "/, /, true",
        "/, /x, false",
        "/, /socket.io/, false",
        "/, /sites/a, false",
        "/, '', false"})
    void aPrefixTakesThePathsUnderItAndTheRootTakesOnlyItself(String prefix, String path, boolean taken) {
        assertThat(HttpRoutes.matches(prefix, path)).isEqualTo(taken);
    }
}
