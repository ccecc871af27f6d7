package dev.ratelimit.autoconfigure;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * An invalid value in {@code application.yml} stops startup with a failure analysis that
 * names the property and the file and line where it is set.
 *
 * @author rate-limit-spring-boot
 */
@ExtendWith(OutputCaptureExtension.class)
class RateLimitConfigurationFailureTests {

	@Test
	void invalidLimitIsReportedWithItsFileAndLine(CapturedOutput output) {
		assertThatException().isThrownBy(() -> start("invalid-limit.yml"))
			.withRootCauseInstanceOf(InvalidConfigurationPropertyValueException.class);
		assertThat(output)
			.contains("Invalid value '0/1h, 20/1d' for configuration property "
					+ "'rate-limit.tiers.free.limits.api_requests' (originating from 'class path resource "
					+ "[dev/ratelimit/autoconfigure/invalid-limit.yml] - 5:")
			.contains("rate-limit.tiers.free.limits.api_requests[0].limit: the limit must be at least 1, was 0");
	}

	@Test
	void invalidDefaultTierIsReportedWithItsFileAndLine(CapturedOutput output) {
		assertThatException().isThrownBy(() -> start("invalid-default-tier.yml"))
			.withRootCauseInstanceOf(InvalidConfigurationPropertyValueException.class);
		assertThat(output)
			.contains("Invalid value 'gold' for configuration property 'rate-limit.default-tier' (originating from "
					+ "'class path resource [dev/ratelimit/autoconfigure/invalid-default-tier.yml] - 6:")
			.contains("tier 'gold' is not configured (configured: free)");
	}

	private static void start(String file) {
		new SpringApplicationBuilder(Application.class).web(WebApplicationType.NONE)
			.properties("spring.config.location=classpath:dev/ratelimit/autoconfigure/" + file)
			.run()
			.close();
	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration(RateLimitAutoConfiguration.class)
	static class Application {

	}

}
