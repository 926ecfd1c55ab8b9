package dev.cloudscope.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The CLI's okhttp.platform setting spares OkHttp its provider scan and changes nothing about what OkHttp uses. */
class OkHttpPlatformTest {

    @Test
    void setsThePropertyUnlessTheUserDid() {
        String before = System.getProperty("okhttp.platform");
        try {
            System.clearProperty("okhttp.platform");
            CloudscopeCommand.skipOkHttpProviderScan();
            assertThat(System.getProperty("okhttp.platform")).isEqualTo("conscrypt");

            System.setProperty("okhttp.platform", "mine");
            CloudscopeCommand.skipOkHttpProviderScan();
            assertThat(System.getProperty("okhttp.platform")).isEqualTo("mine");
        } finally {
            if (before == null) {
                System.clearProperty("okhttp.platform");
            } else {
                System.setProperty("okhttp.platform", before);
            }
        }
    }

    @Test
    void okHttpSettlesOnTheSamePlatformWithAndWithoutIt() throws Exception {
        assertThat(platformInAFreshJvm(false)).isEqualTo("Jdk9Platform TLS");
        assertThat(platformInAFreshJvm(true)).isEqualTo("Jdk9Platform TLS");
    }

    private static String platformInAFreshJvm(boolean withProperty) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = withProperty
                ? new ProcessBuilder(java, "-Dokhttp.platform=conscrypt", "-cp", System.getProperty("java.class.path"),
                        PlatformProbe.class.getName())
                : new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), PlatformProbe.class.getName());
        Process p = pb.redirectErrorStream(true).start();
        try {
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    /** Prints OkHttp's platform and the protocol of the TLS context it would use. */
    public static final class PlatformProbe {
        public static void main(String[] args) {
            okhttp3.internal.platform.Platform platform = okhttp3.internal.platform.Platform.get();
            System.out.println(platform.getClass().getSimpleName() + " " + platform.getSSLContext().getProtocol());
        }
    }
}
