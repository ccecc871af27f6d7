package dev.ratelimit.autoconfigure;

import java.io.InputStream;
import java.net.URL;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The configuration metadata the build writes: the configuration processor's, merged with
 * the hand-written hints and deprecations.
 *
 * @author rate-limit-spring-boot
 */
class RateLimitConfigurationMetadataTests {

	private static final Map<String, JsonNode> properties = new HashMap<>();

	private static final Map<String, JsonNode> hints = new HashMap<>();

	@BeforeAll
	static void readMetadata() throws Exception {
		// Other jars have metadata too: read this module's, which declares
		// rate-limit.enabled.
		Enumeration<URL> resources = RateLimitConfigurationMetadataTests.class.getClassLoader()
			.getResources("META-INF/spring-configuration-metadata.json");
		while (resources.hasMoreElements()) {
			try (InputStream input = resources.nextElement().openStream()) {
				JsonNode metadata = JsonMapper.shared().readTree(input);
				if (metadata.path("groups")
					.valueStream()
					.anyMatch((group) -> group.get("name").asString().equals("rate-limit"))) {
					metadata.get("properties")
						.forEach((property) -> properties.put(property.get("name").asString(), property));
					metadata.path("hints").forEach((hint) -> hints.put(hint.get("name").asString(), hint));
				}
			}
		}
	}

	@Test
	void everyGroupOfPropertiesIsDescribed() {
		assertThat(properties).containsKeys("rate-limit.fallback.instances", "rate-limit.headers.ietf",
				"rate-limit.filter.order", "rate-limit.problem.type", "rate-limit.metrics.near-limit-threshold",
				"rate-limit.health.fallback-status", "rate-limit.circuit-breaker.sliding-window-size",
				"rate-limit.tiers", "rate-limit.operations", "management.health.ratelimit.enabled");
		assertThat(
				properties.get("rate-limit.circuit-breaker.wait-duration-in-open-state").get("defaultValue").asString())
			.isEqualTo("5s");
		assertThat(properties.get("rate-limit.tiers").get("description").asString()).contains("sliding-log");
		assertThat(properties.get("rate-limit.operations").get("description").asString())
			.contains("identity, ip or global");
	}

	@Test
	void enumeratedValuesHaveHints() {
		assertThat(values("rate-limit.failure-mode")).containsExactly("local", "allow", "deny");
		assertThat(values("rate-limit.identity.forwarded-header")).containsExactly("X-Forwarded-For", "Forwarded");
		assertThat(values("rate-limit.health.fallback-status")).contains("DEGRADED", "OUT_OF_SERVICE", "DOWN");
		assertThat(values("rate-limit.circuit-breaker.sliding-window-type")).containsExactly("count-based",
				"time-based");
	}

	@Test
	void everyHintIsForAProperty() {
		hints.keySet()
			.forEach((name) -> assertThat(properties).containsKey(name.replaceFirst("\\.(keys|values)$", "")));
	}

	@Test
	void deprecatedBreakerKeysNameTheirReplacement() {
		List<JsonNode> deprecated = properties.values()
			.stream()
			.filter((property) -> property.get("name").asString().startsWith("resilience4j."))
			.toList();
		assertThat(deprecated).hasSize(10).allSatisfy((property) -> {
			String replacement = property.get("deprecation").get("replacement").asString();
			assertThat(properties).containsKey(replacement);
			assertThat(replacement).startsWith("rate-limit.circuit-breaker.");
		});
	}

	private static List<String> values(String hint) {
		assertThat(hints).containsKey(hint);
		return hints.get(hint).get("values").valueStream().map((value) -> value.get("value").asString()).toList();
	}

}
