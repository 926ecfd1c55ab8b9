package dev.cloudscope.server.app.build;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link DependencyCache}: copies of successful installs, which a repository cannot turn against the host. */
class DependencyCacheTest {

    @TempDir
    Path temp;

    private Path project(String name, String lock) throws Exception {
        Path project = Files.createDirectories(temp.resolve(name));
        Files.writeString(project.resolve("package-lock.json"), lock);
        return project;
    }

    @Test
    void aNodeModulesThatIsALinkIsReplacedNotWrittenThrough() throws Exception {
        DependencyCache cache = new DependencyCache(temp.resolve("cache"));
        Path installed = project("installed", "{}");
        Files.createDirectories(installed.resolve("node_modules/pkg"));
        Files.writeString(installed.resolve("node_modules/pkg/index.js"), "module.exports = 1;");
        String key = DependencyCache.key("file:///repo#main", installed).orElseThrow();
        cache.store(key, installed);
        Path victim = Files.createDirectories(temp.resolve("host-directory"));
        Path hostile = project("hostile", "{}");
        Files.createSymbolicLink(hostile.resolve("node_modules"), victim);

        assertThat(cache.restore(DependencyCache.key("file:///repo#main", hostile).orElseThrow(), hostile)).isTrue();

        assertThat(victim).isEmptyDirectory();
        assertThat(hostile.resolve("node_modules")).isDirectory();
        assertThat(Files.isSymbolicLink(hostile.resolve("node_modules"))).isFalse();
        assertThat(hostile.resolve("node_modules/pkg/index.js")).hasContent("module.exports = 1;");
    }

    @Test
    void theSameLockFileInAnotherRepositoryOrBranchIsAnotherEntry() throws Exception {
        Path project = project("p", "{\"lockfileVersion\": 3}");

        String key = DependencyCache.key("https://git.example/a.git#main", project).orElseThrow();

        assertThat(DependencyCache.key("https://git.example/b.git#main", project)).isNotEqualTo(java.util.Optional.of(key));
        assertThat(DependencyCache.key("https://git.example/a.git#dev", project)).isNotEqualTo(java.util.Optional.of(key));
        assertThat(DependencyCache.key("https://git.example/a.git#main", project)).contains(key);
    }

    @Test
    void aProjectWithoutALockFileHasNoKey() throws Exception {
        Path project = Files.createDirectories(temp.resolve("no-lock"));
        Files.createSymbolicLink(project.resolve("package-lock.json"), temp.resolve("elsewhere.json"));

        assertThat(DependencyCache.key("x#main", project)).isEmpty();
        assertThat(Files.exists(project.resolve("package-lock.json"), LinkOption.NOFOLLOW_LINKS)).isTrue();
    }
}
