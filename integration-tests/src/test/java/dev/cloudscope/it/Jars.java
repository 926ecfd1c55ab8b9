package dev.cloudscope.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** The two jars under test, as the build produced them, and the java that runs them. */
final class Jars {

    private Jars() {
    }

    static Path server() {
        return jar("cloudscope.server.jar", "cloudscope-cli-server/target/cloudscope-cli-server.jar");
    }

    static Path cli() {
        return jar("cloudscope.cli.jar", "cloudscope-cli/core/cli/target/cloudscope.jar");
    }

    static String java() {
        return Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static Path jar(String property, String fromRoot) {
        String configured = System.getProperty(property);
        Path jar = configured != null ? Paths.get(configured) : Paths.get("..").resolve(fromRoot);
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar.toAbsolutePath().normalize() + " is missing: run 'mvn verify' from the root");
        }
        return jar.toAbsolutePath().normalize();
    }
}
