package dev.ratelimit.policy;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.io.ClassPathResource;

import static org.assertj.core.api.Assertions.assertThat;

class RateLimitConfigurationFailureAnalyzerTests {

	@Test
	void analysisNamesThePropertyAndTheFix() {
		RateLimitConfigurationException ex = new RateLimitConfigurationException("rate-limit.default-tier",
				"tier 'gold' is not configured", "Set rate-limit.default-tier to one of the configured tiers.");
		FailureAnalysis analysis = new RateLimitConfigurationFailureAnalyzer()
			.analyze(new IllegalStateException("wrapped", ex));
		assertThat(analysis.getDescription()).contains("'rate-limit.default-tier'").contains("tier 'gold'");
		assertThat(analysis.getAction()).isEqualTo("Set rate-limit.default-tier to one of the configured tiers.");
	}

	@Test
	void isRegistered() throws Exception {
		String factories = new ClassPathResource("META-INF/spring.factories")
			.getContentAsString(StandardCharsets.UTF_8);
		assertThat(factories).contains(RateLimitConfigurationFailureAnalyzer.class.getName());
	}

}
