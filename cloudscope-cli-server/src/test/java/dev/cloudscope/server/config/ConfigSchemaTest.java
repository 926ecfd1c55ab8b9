package dev.cloudscope.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;

/**
 * {@link ConfigSchema}: the defaults are the schema. Here on defaults of the test's own (a nested {@code io.cors},
 * as a later application.conf may have), over which each case lays its config as ConfigLoader does.
 */
class ConfigSchemaTest {

    private static final Config DEFAULTS = ConfigFactory.parseString("""
            server { host = "127.0.0.1", port = 7001 }
            io {
              namespace { "/" { connectionMiddleware = [auth] } }
              pingInterval = 25s
              pingTimeout = 20s
              cors { origins = [], maxAge = 1h }
            }
            auth { tokens = [] }
            build { enabled = false, store { s3 { endpoint = "" } } }
            cluster { redis = "" }
            """);

    private static void check(String hocon) {
        new ConfigSchema(DEFAULTS).check(ConfigFactory.parseString(hocon).withFallback(DEFAULTS).resolve());
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> assertCheckFails(String hocon) {
        return assertThatThrownBy(() -> check(hocon)).isInstanceOf(ConfigProblem.class);
    }

    @Test
    void theDefaultsThemselvesAreClean() {
        assertThatCode(() -> check("")).doesNotThrowAnyException();
    }

    @Test
    void everyKeyOfTheDefaultsIsKnownAtAnyDepth() {
        assertThatCode(() -> check("""
                server.port = 7100
                io.pingInterval = 1s
                io.cors { origins = ["https://example.com"], maxAge = 10m }
                auth.tokens = [a, b]
                """)).doesNotThrowAnyException();
    }

    @Test
    void aTypoInASectionNamesTheNearestKey() {
        assertCheckFails("io.pingIntervall = 1s").hasMessage("io.pingIntervall: unknown key (did you mean io.pingInterval?)");
        assertCheckFails("server.prot = 7002").hasMessage("server.prot: unknown key (did you mean server.port?)");
        assertCheckFails("auth.token = [a]").hasMessage("auth.token: unknown key (did you mean auth.tokens?)");
    }

    @Test
    void aTypoOneLevelDeeperNamesTheNearestKey() {
        assertCheckFails("io.cors.origin = []").hasMessage("io.cors.origin: unknown key (did you mean io.cors.origins?)");
    }

    @Test
    void aDifferenceOfCaseIsNearest() {
        assertCheckFails("io.pinginterval = 1s").hasMessage("io.pinginterval: unknown key (did you mean io.pingInterval?)");
    }

    @Test
    void withoutANearKeyTheSectionsKnownKeysAreListed() {
        assertCheckFails("io.timeout = 1s")
                .hasMessage("io.timeout: unknown key (known keys of io: cors, namespace, pingInterval, pingTimeout)");
        assertCheckFails("io.cors.credentials = true")
                .hasMessage("io.cors.credentials: unknown key (known keys of io.cors: maxAge, origins)");
    }

    @Test
    void aWholeUnknownSectionIsNamedByItsOwnKey() {
        assertCheckFails("io.compression { level = 6 }")
                .hasMessage("io.compression: unknown key (known keys of io: cors, namespace, pingInterval, pingTimeout)");
        assertCheckFails("server { tls { cert = a.pem } }")
                .hasMessage("server.tls: unknown key (known keys of server: host, port)");
    }

    @Test
    void aKeyInTheWrongSectionPointsToWhereItBelongsAndToNothingMerelySimilar() {
        assertCheckFails("server.pingInterval = 1s")
                .hasMessage("server.pingInterval: unknown key (did you mean io.pingInterval?)");
        assertCheckFails("io.tokens = [a]").hasMessage("io.tokens: unknown key (did you mean auth.tokens?)");
        assertCheckFails("auth.origins = [a]").hasMessage("auth.origins: unknown key (did you mean io.cors.origins?)");
        // misplaced and misspelt: no guess, the keys that server does have
        assertCheckFails("server.pingIntervall = 1s")
                .hasMessage("server.pingIntervall: unknown key (known keys of server: host, port)");
    }

    @Test
    void aValueWhoseDefaultIsAScalarOrAListHasNoKeys() {
        assertCheckFails("server.port.x = 1")
                .hasMessage("server.port.x: unknown key (server.port takes a single value, as in server.port = 7001)");
        assertCheckFails("io.pingInterval { seconds = 1 }").hasMessage(
                "io.pingInterval.seconds: unknown key (io.pingInterval takes a single value, as in io.pingInterval = \"25s\")");
        assertCheckFails("auth.tokens.first = a")
                .hasMessage("auth.tokens.first: unknown key (auth.tokens takes a list, as in auth.tokens = [])");
    }

    @Test
    void anObjectWhoseDefaultIsAnObjectMustStayOne() {
        assertCheckFails("auth = [s3cret]").hasMessage("auth: expected an object (known keys of auth: tokens), not a list");
        assertCheckFails("io.cors = \"*\"")
                .hasMessage("io.cors: expected an object (known keys of io.cors: maxAge, origins), not a string");
    }

    @Test
    void namespacesAreTheUsersNamesAndLeftToConfigLoader() {
        assertThatCode(() -> check("io.namespace { \"/admin\" { connectionMiddleware = [auth], anything = 1 } }"))
                .doesNotThrowAnyException();
    }

    @Test
    void keysOutsideTheServersSectionsAreIgnored() {
        assertThatCode(() -> check("""
                java.version = "17.0.9"
                user.home = /home/someone
                akka.loglevel = DEBUG
                servr.port = 7002
                """)).doesNotThrowAnyException();
    }

    @Test
    void nettysSystemPropertiesUnderIoAreNotOurs() {
        assertThatCode(() -> check("io.netty.leakDetection.level = paranoid")).doesNotThrowAnyException();
    }

    @Test
    void everySectionMustBeInTheDefaults() {
        assertThatThrownBy(() -> new ConfigSchema(ConfigFactory.parseString("server {}, io {}")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("'auth'");
    }

    @Test
    void distanceIsLevenshteinCaseAside() {
        assertThat(ConfigSchema.distance("pingIntervall", "pingInterval")).isEqualTo(1);
        assertThat(ConfigSchema.distance("prot", "port")).isEqualTo(2);
        assertThat(ConfigSchema.distance("kitten", "sitting")).isEqualTo(3);
        assertThat(ConfigSchema.distance("PORT", "port")).isZero();
        assertThat(ConfigSchema.distance("", "host")).isEqualTo(4);
    }
}
