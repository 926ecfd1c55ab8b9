package dev.cloudscope.server.app.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BuildIdTest {

    @Test
    void aNewIdIsTheUtcSecondAndSixHexDigitsAndParsesBack() throws Exception {
        Clock clock = Clock.fixed(Instant.parse("2026-11-30T02:18:33Z"), ZoneOffset.UTC);
        BuildId id = BuildId.next(clock);
        assertThat(id.value()).matches("20261130021833-[0-9a-f]{6}");
        assertThat(BuildId.parse(id.value())).isEqualTo(id);
    }

    @Test
    void idsAreUniqueAndSortByTime() {
        Set<BuildId> ids = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            ids.add(BuildId.next());
        }
        assertThat(ids).hasSizeGreaterThan(990);
        BuildId earlier = BuildId.next(Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC));
        BuildId later = BuildId.next(Clock.fixed(Instant.parse("2026-01-01T00:00:01Z"), ZoneOffset.UTC));
        assertThat(earlier).isLessThan(later);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "x", "20261130021833-3fa9c", "20261130021833-3fa9c1a", "20261130021833-3FA9C1",
            "20261130021833_3fa9c1", "2026113002183-33fa9c1", "../../../etc/passwd", "20261130021833-3fa9c/",
            "20261130021833-3fa9c1\n", " 20261130021833-3fa9c1", "20261330021833-3fa9c1", "20261131021833-3fa9c1",
            "20261130251833-3fa9c1", "２0261130021833-3fa9c1", "20261130021833-..%2f1", "20261130021833-3fa9g1"})
    void anythingElseIsRefusedWithoutRepeatingIt(String text) {
        assertThat(BuildId.valid(text)).isFalse();
        assertThatThrownBy(() -> BuildId.parse(text)).isInstanceOf(InvalidInputException.class)
                .hasMessage("id: not a build id");
        assertThatThrownBy(() -> new BuildId(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void nullIsRefused() {
        assertThatThrownBy(() -> BuildId.parse(null)).isInstanceOf(InvalidInputException.class);
    }
}
