package dev.ratelimit.autoconfigure;

import java.time.Clock;
import java.time.Duration;

import dev.ratelimit.actuate.RateLimitHealthIndicator;
import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.local.InMemoryRateLimiter;
import dev.ratelimit.resilience.BackendCallExecutor;
import dev.ratelimit.resilience.FailureMode;
import dev.ratelimit.resilience.ResilientRateLimiter;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.health.actuate.endpoint.CompositeHealthDescriptor;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.health.actuate.endpoint.HttpCodeStatusMapper;
import org.springframework.boot.health.autoconfigure.actuate.endpoint.HealthEndpointAutoConfiguration;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.autoconfigure.registry.HealthContributorRegistryAutoConfiguration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.health.registry.HealthContributorRegistry;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

class RateLimitHealthAutoConfigurationTests {

	private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
		.withConfiguration(
				AutoConfigurations.of(RateLimitAutoConfiguration.class, RateLimitOverridesAutoConfiguration.class,
						RateLimitHealthAutoConfiguration.class, HealthContributorAutoConfiguration.class,
						HealthContributorRegistryAutoConfiguration.class, HealthEndpointAutoConfiguration.class))
		.withPropertyValues("rate-limit.tiers.free.limits.api_requests=1000/1h",
				"management.endpoint.health.show-details=always");

	@Test
	void registersTheRatelimitContributor() {
		this.runner.run((context) -> {
			assertThat(context).hasSingleBean(RateLimitHealthIndicator.class);
			assertThat(context.getBean(HealthContributorRegistry.class).getContributor("ratelimit"))
				.isSameAs(context.getBean(RateLimitHealthIndicator.class));
			assertThat(component(context.getBean(HealthEndpoint.class), "ratelimit")).isEqualTo(Status.UP);
		});
	}

	@Test
	void disabledByManagementHealthRatelimitEnabled() {
		this.runner.withPropertyValues("management.health.ratelimit.enabled=false").run((context) -> {
			assertThat(context).doesNotHaveBean(RateLimitHealthIndicator.class);
			assertThat(context.getBean(HealthContributorRegistry.class).getContributor("ratelimit")).isNull();
		});
	}

	@Test
	void absentWithoutSpringBootHealth() {
		this.runner.withClassLoader(new FilteredClassLoader(HealthIndicator.class))
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(RateLimitHealthIndicator.class));
	}

	@Test
	void absentWhenRateLimitingIsDisabled() {
		this.runner.withPropertyValues("rate-limit.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(RateLimitHealthIndicator.class));
	}

	@Test
	void userContributorWins() {
		this.runner.withUserConfiguration(UserHealthIndicator.class).run((context) -> {
			assertThat(context).doesNotHaveBean(RateLimitHealthIndicator.class);
			assertThat(context.getBean(HealthContributorRegistry.class).getContributor("ratelimit"))
				.isSameAs(context.getBean("ratelimitHealthIndicator"));
		});
	}

	@Test
	void limiterOnItsFallbackLeavesTheApplicationUpByDefault() {
		this.runner.withUserConfiguration(LimiterOnFallback.class).run((context) -> {
			HealthEndpoint endpoint = context.getBean(HealthEndpoint.class);
			assertThat(component(endpoint, "ratelimit")).isEqualTo(new Status("DEGRADED"));
			// Boot ignores statuses missing from its order when aggregating, and maps
			// them to 200.
			assertThat(endpoint.health().getStatus()).isEqualTo(Status.UP);
			assertThat(context.getBean(HttpCodeStatusMapper.class).getStatusCode(new Status("DEGRADED")))
				.isEqualTo(200);
		});
	}

	@Test
	void limiterOnItsFallbackTakesTheApplicationOutOfServiceWhenConfigured() {
		this.runner.withUserConfiguration(LimiterOnFallback.class)
			.withPropertyValues("rate-limit.health.fallback-status=OUT_OF_SERVICE")
			.run((context) -> {
				HealthEndpoint endpoint = context.getBean(HealthEndpoint.class);
				assertThat(component(endpoint, "ratelimit")).isEqualTo(Status.OUT_OF_SERVICE);
				assertThat(endpoint.health().getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
				assertThat(context.getBean(HttpCodeStatusMapper.class).getStatusCode(Status.OUT_OF_SERVICE))
					.isEqualTo(503);
			});
	}

	@Test
	void blankFallbackStatusFailsNamingTheProperty() {
		this.runner.withPropertyValues("rate-limit.health.fallback-status=out of service").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("Property rate-limit.health.fallback-status ");
		});
	}

	@Test
	void nonPositiveTimeoutFailsNamingTheProperty() {
		this.runner.withPropertyValues("rate-limit.health.timeout=0s").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("Property rate-limit.health.timeout ");
		});
	}

	private static Status component(HealthEndpoint endpoint, String name) {
		return ((CompositeHealthDescriptor) endpoint.health()).getComponents().get(name).getStatus();
	}

	@Configuration(proxyBeanMethods = false)
	static class UserHealthIndicator {

		@Bean
		HealthIndicator ratelimitHealthIndicator() {
			return () -> Health.up().build();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class LimiterOnFallback {

		/**
		 * A limiter whose breaker is forced open: on its fallback without any Redis.
		 */
		@Bean
		ResilientRateLimiter rateLimiter() {
			CircuitBreaker breaker = CircuitBreaker.ofDefaults("ratelimit");
			breaker.transitionToForcedOpenState();
			InMemoryRateLimiter local = new InMemoryRateLimiter(Clock.systemUTC(), 100);
			return new ResilientRateLimiter(local, FailureMode.LOCAL, local, 1, breaker, BackendCallExecutor.create(1),
					Duration.ofMillis(100));
		}

	}

}
