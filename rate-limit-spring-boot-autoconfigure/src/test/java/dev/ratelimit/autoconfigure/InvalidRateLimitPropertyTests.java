package dev.ratelimit.autoconfigure;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.core.env.MapPropertySource;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link InvalidRateLimitProperty}: the property is named as it is in its
 * source, so that Boot's failure analysis finds where it is set.
 *
 * @author rate-limit-spring-boot
 */
class InvalidRateLimitPropertyTests {

	private final MockEnvironment environment = new MockEnvironment();

	@Test
	void propertySetAsValidatedKeepsItsName() {
		source(Map.of("rate-limit.default-tier", "gold"));
		InvalidConfigurationPropertyValueException ex = invalid("rate-limit.default-tier", "bound");
		assertThat(ex.getName()).isEqualTo("rate-limit.default-tier");
		assertThat(ex.getValue()).isEqualTo("gold");
		assertThat(ex.getReason()).isEqualTo("tier 'gold' is not configured. Configure it.");
	}

	@Test
	void entryOfAShortFormIsReportedByTheShortForm() {
		source(Map.of("rate-limit.tiers.free.limits.ai_generation", "0/1h, 20/1d"));
		InvalidConfigurationPropertyValueException ex = invalid("rate-limit.tiers.free.limits.ai_generation[0].limit",
				0L);
		assertThat(ex.getName()).isEqualTo("rate-limit.tiers.free.limits.ai_generation");
		assertThat(ex.getValue()).isEqualTo("0/1h, 20/1d");
		assertThat(ex.getReason()).startsWith("rate-limit.tiers.free.limits.ai_generation[0].limit: ");
	}

	@Test
	void namesMatchWhateverTheirSpelling() {
		source(Map.of("rate-limit.tiers.Free.limits[ai-generation][0]", "0/1h"));
		assertThat(invalid("rate-limit.tiers.free.limits.ai_generation[0].limit", 0L).getName())
			.isEqualTo("rate-limit.tiers.Free.limits[ai-generation][0]");
	}

	@Test
	void groupIsReportedByThePropertySetBeneathIt() {
		Map<String, Object> properties = new LinkedHashMap<>();
		properties.put("rate-limit.tiers.enterprise.unlimited", "true");
		properties.put("rate-limit.tiers.enterprise.limits.api_requests", "1/1h");
		source(properties);
		assertThat(invalid("rate-limit.tiers.enterprise.limits", null).getName())
			.isEqualTo("rate-limit.tiers.enterprise.limits.api_requests");
	}

	@Test
	void propertySetNowhereKeepsItsNameAndBoundValue() {
		source(Map.of("rate-limit.key-prefix", "rl"));
		InvalidConfigurationPropertyValueException ex = invalid("rate-limit.default-tier", "free");
		assertThat(ex.getName()).isEqualTo("rate-limit.default-tier");
		assertThat(ex.getValue()).isEqualTo("free");
	}

	@Test
	void withoutEnvironmentThePropertyKeepsItsName() {
		InvalidConfigurationPropertyValueException ex = InvalidRateLimitProperty.of("rate-limit.health.timeout", "0s",
				"must be positive.", "Give a duration.");
		assertThat(ex.getName()).isEqualTo("rate-limit.health.timeout");
		assertThat(ex.getReason()).isEqualTo("must be positive. Give a duration.");
	}

	private void source(Map<String, Object> properties) {
		this.environment.getPropertySources().addFirst(new MapPropertySource("test", properties));
	}

	private InvalidConfigurationPropertyValueException invalid(String property, Object value) {
		return InvalidRateLimitProperty.in(this.environment)
			.invalid(property, value, "tier 'gold' is not configured", "Configure it.");
	}

}
