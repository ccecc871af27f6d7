package dev.ratelimit.autoconfigure;

import dev.ratelimit.actuate.RateLimitBackendMetrics;
import dev.ratelimit.actuate.RateLimitMetrics;
import dev.ratelimit.test.context.SharedRedisConfiguration;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

class RateLimitMetricsAutoConfigurationTests {

	private static final AutoConfigurations METRICS = AutoConfigurations.of(MetricsAutoConfiguration.class,
			CompositeMeterRegistryAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class);

	private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(RateLimitAutoConfiguration.class,
				RateLimitOverridesAutoConfiguration.class, RateLimitMetricsAutoConfiguration.class))
		.withPropertyValues("rate-limit.tiers.free.limits.api_requests=1000/1h");

	@Test
	void withAMeterRegistryRecordsRequestsAndTheBackend() {
		this.runner.withConfiguration(METRICS).run((context) -> {
			assertThat(context).hasSingleBean(RateLimitMetrics.class).hasSingleBean(RateLimitBackendMetrics.class);
			// Excluded requests are counted from the start.
			assertThat(context.getBean(MeterRegistry.class)
				.get(RateLimitMetrics.REQUESTS)
				.tags("tier", "none", "operation", "none", "outcome", "excluded")
				.counter()
				.count()).isZero();
		});
	}

	@Test
	void withRedisBindsTheStateOfTheCircuitBreaker() {
		this.runner.withConfiguration(METRICS)
			.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class))
			.withUserConfiguration(SharedRedisConfiguration.class)
			.run((context) -> {
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				assertThat(registry.get(RateLimitBackendMetrics.FALLBACK_ACTIVE).gauge().value()).isZero();
				assertThat(registry.get(RateLimitBackendMetrics.CIRCUIT_BREAKER_STATE)
					.tag("state", "closed")
					.gauge()
					.value()).isOne();
				assertThat(registry.get(RateLimitBackendMetrics.CIRCUIT_BREAKER_STATE)
					.tag("state", "open")
					.gauge()
					.value()).isZero();
			});
	}

	@Test
	void withoutAMeterRegistryRecordsNothing() {
		this.runner.run((context) -> assertThat(context).hasNotFailed()
			.doesNotHaveBean(RateLimitMetrics.class)
			.doesNotHaveBean(RateLimitBackendMetrics.class));
	}

	@Test
	void withoutMicrometerRecordsNothing() {
		this.runner.withBean(SimpleMeterRegistry.class)
			.withClassLoader(new FilteredClassLoader(MeterRegistry.class))
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean(RateLimitMetrics.class)
				.doesNotHaveBean(RateLimitBackendMetrics.class));
	}

	@Test
	void withoutResilience4jRecordsRequestsOnly() {
		this.runner.withConfiguration(METRICS)
			.withClassLoader(new FilteredClassLoader(CircuitBreaker.class))
			.run((context) -> assertThat(context).hasSingleBean(RateLimitMetrics.class)
				.doesNotHaveBean(RateLimitBackendMetrics.class));
	}

	@Test
	void notAWebApplicationHasNoRequestMetrics() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(RateLimitAutoConfiguration.class,
					RateLimitOverridesAutoConfiguration.class, RateLimitMetricsAutoConfiguration.class))
			.withConfiguration(METRICS)
			.withPropertyValues("rate-limit.tiers.free.limits.api_requests=1000/1h")
			.run((context) -> assertThat(context).doesNotHaveBean(RateLimitMetrics.class)
				.hasSingleBean(RateLimitBackendMetrics.class));
	}

	@Test
	void disabledRateLimitingRecordsNothing() {
		this.runner.withConfiguration(METRICS)
			.withPropertyValues("rate-limit.enabled=false")
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(RateLimitMetrics.class));
	}

	@Test
	void nearLimitThresholdOutsideZeroToOneFailsNamingTheProperty() {
		this.runner.withConfiguration(METRICS)
			.withPropertyValues("rate-limit.metrics.near-limit-threshold=20")
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).rootCause()
					.isInstanceOf(InvalidConfigurationPropertyValueException.class)
					.hasMessageContaining("Property rate-limit.metrics.near-limit-threshold ")
					.hasMessageContaining("must be between 0 and 1, was 20.0");
			});
	}

}
