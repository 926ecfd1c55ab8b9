package dev.cloudscope.server.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** Who may use whom in the server: an app sees the public API only, egg's semantics never see the transport. */
@AnalyzeClasses(packages = "dev.cloudscope.server", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule theAppUsesOnlyThePublicApi = noClasses().that().resideInAPackage("..server.app..")
            .should().dependOnClassesThat().resideInAPackage("..server.io.internal..")
            .because("an app author touches app/ and config only; the framework's internals may change");

    @ArchTest
    static final ArchRule thePublicApiHidesTheInternals = noClasses().that().resideInAPackage("dev.cloudscope.server.io")
            .should().dependOnClassesThat().resideInAnyPackage("..server.io.internal..", "com.corundumstudio..", "io.netty..");

    @ArchTest
    static final ArchRule theCoreKnowsNoTransport = noClasses().that().resideInAPackage("..server.io.internal.core..")
            .should().dependOnClassesThat().resideInAnyPackage("..server.io.internal.netty..", "com.corundumstudio..",
                    "io.netty..")
            .because("egg's semantics (connections, onions, lanes, rooms) stay apart from the protocol's quirks");

    @ArchTest
    static final ArchRule nettySocketIoStaysInTheAdapter = noClasses()
            .that().resideOutsideOfPackage("..server.io.internal.netty..")
            .should().dependOnClassesThat().resideInAPackage("com.corundumstudio..");

    @ArchTest
    static final ArchRule configKnowsNeitherTheAppNorTheFramework = noClasses().that().resideInAPackage("..server.config..")
            .should().dependOnClassesThat().resideInAnyPackage("..server.app..", "..server.io..");

    @ArchTest
    static final ArchRule packagesAreFreeOfCycles = slices().matching("dev.cloudscope.server.(**)")
            .should().beFreeOfCycles();
}
