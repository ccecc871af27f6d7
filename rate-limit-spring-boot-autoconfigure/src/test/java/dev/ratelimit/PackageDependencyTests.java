package dev.ratelimit;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The packages depend on each other downwards only, and never in a cycle: {@code core} at
 * the bottom; {@code local} and {@code policy} on it; {@code redis}, {@code resilience}
 * and {@code web} above them; {@code actuate} above those; and {@code autoconfigure},
 * which wires everything, at the top.
 *
 * @author rate-limit-spring-boot
 */
class PackageDependencyTests {

	private static final JavaClasses classes = new ClassFileImporter()
		.withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
		.importPackages("dev.ratelimit");

	@Test
	void packagesAreFreeOfCycles() {
		slices().matching("dev.ratelimit.(*)..").should().beFreeOfCycles().check(classes);
	}

	@Test
	void coreDependsOnNoOtherPackage() {
		dependOnNoneOf("core", "local", "policy", "redis", "resilience", "web", "actuate", "autoconfigure");
	}

	@Test
	void localAndPolicyDependOnlyOnCore() {
		dependOnNoneOf("local", "policy", "redis", "resilience", "web", "actuate", "autoconfigure");
		dependOnNoneOf("policy", "local", "redis", "resilience", "web", "actuate", "autoconfigure");
	}

	@Test
	void backendAndWebDoNotDependOnTheLayersAbove() {
		dependOnNoneOf("redis", "web", "actuate", "autoconfigure");
		dependOnNoneOf("resilience", "web", "actuate", "autoconfigure");
		dependOnNoneOf("web", "redis", "resilience", "actuate", "autoconfigure");
	}

	@Test
	void onlyAutoConfigurationDependsOnAutoConfiguration() {
		dependOnNoneOf("actuate", "autoconfigure");
	}

	private static void dependOnNoneOf(String packageName, String... others) {
		String[] packages = new String[others.length];
		for (int i = 0; i < others.length; i++) {
			packages[i] = "dev.ratelimit." + others[i] + "..";
		}
		noClasses().that()
			.resideInAPackage("dev.ratelimit." + packageName + "..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage(packages)
			.check(classes);
	}

}
