package dev.ratelimit.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.Decision;
import dev.ratelimit.core.FleetSize;
import dev.ratelimit.core.LimitSpec;
import dev.ratelimit.core.RateLimitRequest;
import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.redis.RedisFleet;
import dev.ratelimit.resilience.ResilientRateLimiter;
import dev.ratelimit.test.EmbeddedRedisServer;
import dev.ratelimit.test.RedisServer;
import dev.ratelimit.test.RedisServers;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for the fleet size that {@link RateLimitAutoConfiguration} gives the local
 * fallback: counted by heartbeats in Redis unless configured.
 *
 * @author rate-limit-spring-boot
 */
class RateLimitFleetAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(RateLimitAutoConfiguration.class,
				RateLimitOverridesAutoConfiguration.class, DataRedisAutoConfiguration.class))
		.withPropertyValues("rate-limit.tiers.free.limits.api_requests=1000/1h",
				"spring.data.redis.host=" + redis().host(), "spring.data.redis.port=" + redis().port(),
				"rate-limit.key-prefix=rl-fleet-" + System.nanoTime());

	@Test
	void byDefaultTheInstancesAreCountedByTheirHeartbeatsInRedis() {
		this.runner.run((context) -> {
			RedisFleet fleet = context.getBean(RedisFleet.class);
			assertThat(resilient(context).getFleetSize()).isSameAs(fleet);
			assertThat(fleet.getInterval()).isEqualTo(Duration.ofSeconds(5));
			assertThat(fleet.getKey()).endsWith(":{fleet}:instances");
			assertThat(fleet.isRunning()).isTrue();
			await().atMost(Duration.ofSeconds(20)).until(fleet::isCounted);
			assertThat(fleet.instances()).isEqualTo(1);
		});
	}

	@Test
	void twoInstancesWithTheDefaultsTogetherAdmitTheLimitWhileRedisIsDown() {
		try (EmbeddedRedisServer server = new EmbeddedRedisServer()) {
			ApplicationContextRunner instance = this.runner.withPropertyValues(
					"spring.data.redis.host=" + server.host(), "spring.data.redis.port=" + server.port(),
					"spring.data.redis.timeout=2s", "rate-limit.fallback.heartbeat-interval=500ms");
			instance.run((first) -> instance.run((second) -> {
				List<AssertableApplicationContext> instances = List.of(first, second);
				await().atMost(Duration.ofSeconds(20))
					.until(() -> instances.stream()
						.allMatch((context) -> context.getBean(RedisFleet.class).instances() == 2));
				server.stop();
				RateLimitRequest request = new RateLimitRequest("u:" + UUID.randomUUID(), "op",
						List.of(LimitSpec.of(4, Duration.ofHours(1), Algorithm.FIXED_WINDOW)), 1);
				int admitted = 0;
				for (AssertableApplicationContext context : instances) {
					for (int i = 0; i < 4; i++) {
						Decision decision = context.getBean(RateLimiter.class).check(request);
						assertThat(decision.isFallback()).isTrue();
						admitted += decision.isAllowed() ? 1 : 0;
					}
				}
				// 2 on each, never 4 on each.
				assertThat(admitted).isEqualTo(4);
			}));
		}
	}

	@Test
	void heartbeatIntervalIsConfigurable() {
		this.runner.withPropertyValues("rate-limit.fallback.heartbeat-interval=2s")
			.run((context) -> assertThat(context.getBean(RedisFleet.class).getInterval())
				.isEqualTo(Duration.ofSeconds(2)));
	}

	@Test
	void configuredInstancesAreUsedAsTheyAreWithoutHeartbeats() {
		this.runner.withPropertyValues("rate-limit.fallback.instances=3").run((context) -> {
			assertThat(context).doesNotHaveBean(RedisFleet.class);
			assertThat(resilient(context).getFleetSize().instances()).isEqualTo(3);
		});
	}

	@Test
	void noHeartbeatsOutsideTheLocalFailureMode() {
		this.runner.withPropertyValues("rate-limit.failure-mode=deny").run((context) -> {
			assertThat(context).doesNotHaveBean(RedisFleet.class);
			assertThat(resilient(context).getFleetSize().instances()).isEqualTo(1);
		});
	}

	@Test
	void fleetSizeOfTheApplicationWins() {
		this.runner.withUserConfiguration(FleetSizeConfiguration.class).run((context) -> {
			assertThat(context).doesNotHaveBean(RedisFleet.class);
			assertThat(resilient(context).getFleetSize()).isSameAs(context.getBean(FleetSize.class));
		});
	}

	@Test
	void invalidValuesFailAtStartupNamingTheProperty() {
		assertStartupFailure("rate-limit.fallback.instances=0", "rate-limit.fallback.instances");
		assertStartupFailure("rate-limit.fallback.heartbeat-interval=0s", "rate-limit.fallback.heartbeat-interval");
	}

	private void assertStartupFailure(String property, String named) {
		this.runner.withPropertyValues(property).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("Property " + named + " ");
		});
	}

	private static ResilientRateLimiter resilient(AssertableApplicationContext context) {
		assertThat(context).hasNotFailed();
		ResilientRateLimiter resilient = context.getBean(ResilientRateLimiter.class);
		assertThat(resilient).isNotNull();
		return resilient;
	}

	private static RedisServer redis() {
		return RedisServers.shared();
	}

	@Configuration(proxyBeanMethods = false)
	static class FleetSizeConfiguration {

		@Bean
		FleetSize fleetSize() {
			return () -> 4;
		}

	}

}
