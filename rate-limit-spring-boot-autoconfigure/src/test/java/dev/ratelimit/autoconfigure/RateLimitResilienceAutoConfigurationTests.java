package dev.ratelimit.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.ratelimit.core.Decision;
import dev.ratelimit.core.LimitSpec;
import dev.ratelimit.core.RateLimitRequest;
import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.local.InMemoryRateLimiter;
import dev.ratelimit.redis.RedisRateLimiter;
import dev.ratelimit.resilience.FailureMode;
import dev.ratelimit.resilience.OverLimitCachingRateLimiter;
import dev.ratelimit.resilience.ResilientRateLimiter;
import dev.ratelimit.test.RedisServer;
import dev.ratelimit.test.RedisServers;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for the Redis failure handling that {@link RateLimitAutoConfiguration} sets up:
 * the circuit breaker's configuration, the failure mode and the over-limit cache.
 *
 * @author rate-limit-spring-boot
 */
class RateLimitResilienceAutoConfigurationTests {

	private static final String OWN_BREAKER = "rate-limit.circuit-breaker.";

	/** The deprecated keys, still read where the own ones are not set. */
	private static final String BREAKER = "resilience4j.circuitbreaker.instances.ratelimit.";

	private final ApplicationContextRunner runner = redisRunner(new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(RateLimitAutoConfiguration.class,
				RateLimitOverridesAutoConfiguration.class, DataRedisAutoConfiguration.class))
		.withPropertyValues("rate-limit.tiers.free.limits.api_requests=1000/1h"));

	private static ApplicationContextRunner redisRunner(ApplicationContextRunner runner) {
		RedisServer redis = RedisServers.shared();
		return runner.withPropertyValues("spring.data.redis.host=" + redis.host(),
				"spring.data.redis.port=" + redis.port());
	}

	@Test
	void lettuceRedisLimiterIsCheckedAsynchronouslyWithoutTheExecutor() {
		this.runner.run((context) -> {
			ResilientRateLimiter resilient = resilient(context);
			assertThat(((RedisRateLimiter) resilient.getDelegate()).canCheckAsync()).isTrue();
		});
	}

	@Test
	void redisLimiterIsGuardedByABreakerWithDefaultsForARateLimiter() {
		this.runner.run((context) -> {
			RateLimiter limiter = context.getBean(RateLimiter.class);
			assertThat(limiter).isInstanceOf(OverLimitCachingRateLimiter.class);
			ResilientRateLimiter resilient = resilient(context);
			assertThat(resilient.getDelegate()).isInstanceOf(RedisRateLimiter.class);
			assertThat(resilient.getFailureMode()).isEqualTo(FailureMode.LOCAL);
			assertThat(resilient.getTimeout()).isEqualTo(Duration.ofMillis(750));
			CircuitBreaker breaker = resilient.getCircuitBreaker();
			assertThat(breaker.getName()).isEqualTo("ratelimit");
			CircuitBreakerConfig config = breaker.getCircuitBreakerConfig();
			assertThat(config.getSlidingWindowType()).isEqualTo(SlidingWindowType.COUNT_BASED);
			assertThat(config.getSlidingWindowSize()).isEqualTo(10);
			assertThat(config.getMinimumNumberOfCalls()).isEqualTo(5);
			assertThat(config.getFailureRateThreshold()).isEqualTo(50);
			assertThat(config.getSlowCallRateThreshold()).isEqualTo(100);
			assertThat(config.getSlowCallDurationThreshold()).isEqualTo(Duration.ofSeconds(60));
			assertThat(config.getWaitIntervalFunctionInOpenState().apply(1)).isEqualTo(5000);
			assertThat(config.getPermittedNumberOfCallsInHalfOpenState()).isEqualTo(3);
			assertThat(config.getMaxWaitDurationInHalfOpenState()).isEqualTo(Duration.ZERO);
			assertThat(config.isAutomaticTransitionFromOpenToHalfOpenEnabled()).isFalse();
		});
	}

	@Test
	void breakerIsConfiguredWithItsOwnKeys() {
		assertBreakerConfiguredWith(OWN_BREAKER);
	}

	@Test
	void breakerIsStillConfiguredWithTheDeprecatedResilience4jKeys() {
		assertBreakerConfiguredWith(BREAKER);
	}

	@Test
	void ownKeysWinOverTheDeprecatedOnes() {
		this.runner
			.withPropertyValues(BREAKER + "sliding-window-size=30", BREAKER + "minimum-number-of-calls=3",
					OWN_BREAKER + "sliding-window-size=40")
			.run((context) -> {
				CircuitBreakerConfig config = resilient(context).getCircuitBreaker().getCircuitBreakerConfig();
				assertThat(config.getSlidingWindowSize()).isEqualTo(40);
				assertThat(config.getMinimumNumberOfCalls()).isEqualTo(3);
			});
	}

	@Test
	void outOfRangeOwnBreakerValuesFailNamingTheProperty() {
		assertStartupFailure(OWN_BREAKER + "failure-rate-threshold=150", OWN_BREAKER + "failure-rate-threshold");
		assertStartupFailure(OWN_BREAKER + "sliding-window-size=0", OWN_BREAKER + "sliding-window-size");
		this.runner.withPropertyValues(BREAKER + "sliding-window-size=0", OWN_BREAKER + "sliding-window-size=0")
			.run((context) -> assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining("Property " + OWN_BREAKER + "sliding-window-size "));
	}

	private void assertBreakerConfiguredWith(String prefix) {
		this.runner.withPropertyValues(prefix + "sliding-window-type=time-based", prefix + "sliding-window-size=30",
				prefix + "minimum-number-of-calls=3", prefix + "failure-rate-threshold=25",
				prefix + "slow-call-rate-threshold=80", prefix + "slow-call-duration-threshold=40ms",
				prefix + "wait-duration-in-open-state=2s", prefix + "permitted-number-of-calls-in-half-open-state=1",
				prefix + "max-wait-duration-in-half-open-state=10s",
				prefix + "automatic-transition-from-open-to-half-open-enabled=true", "rate-limit.redis.timeout=250ms")
			.run((context) -> {
				ResilientRateLimiter resilient = resilient(context);
				assertThat(resilient.getTimeout()).isEqualTo(Duration.ofMillis(250));
				CircuitBreakerConfig config = resilient.getCircuitBreaker().getCircuitBreakerConfig();
				assertThat(config.getSlidingWindowType()).isEqualTo(SlidingWindowType.TIME_BASED);
				assertThat(config.getSlidingWindowSize()).isEqualTo(30);
				assertThat(config.getMinimumNumberOfCalls()).isEqualTo(3);
				assertThat(config.getFailureRateThreshold()).isEqualTo(25);
				assertThat(config.getSlowCallRateThreshold()).isEqualTo(80);
				assertThat(config.getSlowCallDurationThreshold()).isEqualTo(Duration.ofMillis(40));
				assertThat(config.getWaitIntervalFunctionInOpenState().apply(1)).isEqualTo(2000);
				assertThat(config.getPermittedNumberOfCallsInHalfOpenState()).isEqualTo(1);
				assertThat(config.getMaxWaitDurationInHalfOpenState()).isEqualTo(Duration.ofSeconds(10));
				assertThat(config.isAutomaticTransitionFromOpenToHalfOpenEnabled()).isTrue();
			});
	}

	@Test
	void slowAnswersAloneDoNotOpenTheBreakerByDefault() {
		this.runner.withPropertyValues("rate-limit.redis.timeout=30ms")
			.run((context) -> assertThat(
					resilient(context).getCircuitBreaker().getCircuitBreakerConfig().getSlowCallDurationThreshold())
				.isEqualTo(Duration.ofSeconds(60)));
	}

	@Test
	void outOfRangeBreakerValuesFailNamingTheProperty() {
		assertStartupFailure(BREAKER + "failure-rate-threshold=150", BREAKER + "failure-rate-threshold");
		assertStartupFailure(BREAKER + "slow-call-rate-threshold=0", BREAKER + "slow-call-rate-threshold");
		assertStartupFailure(BREAKER + "sliding-window-size=0", BREAKER + "sliding-window-size");
		assertStartupFailure(BREAKER + "minimum-number-of-calls=-1", BREAKER + "minimum-number-of-calls");
		assertStartupFailure(BREAKER + "permitted-number-of-calls-in-half-open-state=0",
				BREAKER + "permitted-number-of-calls-in-half-open-state");
		assertStartupFailure(BREAKER + "wait-duration-in-open-state=0s", BREAKER + "wait-duration-in-open-state");
		assertStartupFailure(BREAKER + "slow-call-duration-threshold=-1s", BREAKER + "slow-call-duration-threshold");
		assertStartupFailure("rate-limit.over-limit-cache.max-entries=0", "rate-limit.over-limit-cache.max-entries");
	}

	@Test
	void unparseableBreakerValuesFailNamingTheProperty() {
		this.runner.withPropertyValues(BREAKER + "wait-duration-in-open-state=soon").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(causes(context.getStartupFailure())).anyMatch((cause) -> cause instanceof BindException
					&& cause.getMessage().contains("'" + BREAKER + "wait-duration-in-open-state'"));
		});
		this.runner.withPropertyValues(BREAKER + "sliding-window-type=sometimes").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(causes(context.getStartupFailure())).anyMatch((cause) -> cause instanceof BindException
					&& cause.getMessage().contains("'" + BREAKER + "sliding-window-type'"));
		});
	}

	@Test
	void breakerConfiguredInTheApplicationsRegistryIsUsedAsItIs() {
		this.runner.withUserConfiguration(RegistryWithRateLimitBreaker.class)
			.withPropertyValues(BREAKER + "sliding-window-size=99")
			.run((context) -> {
				CircuitBreaker breaker = resilient(context).getCircuitBreaker();
				assertThat(breaker).isSameAs(context.getBean(CircuitBreakerRegistry.class).circuitBreaker("ratelimit"));
				assertThat(breaker.getCircuitBreakerConfig().getSlidingWindowSize()).isEqualTo(7);
			});
	}

	@Test
	void breakerIsAddedToTheApplicationsRegistryWithTheRateLimitersConfiguration() {
		this.runner.withBean(CircuitBreakerRegistry.class, CircuitBreakerRegistry::ofDefaults)
			.withPropertyValues(BREAKER + "sliding-window-size=12")
			.run((context) -> {
				CircuitBreaker breaker = resilient(context).getCircuitBreaker();
				assertThat(context.getBean(CircuitBreakerRegistry.class).find("ratelimit")).containsSame(breaker);
				assertThat(breaker.getCircuitBreakerConfig().getSlidingWindowSize()).isEqualTo(12);
				assertThat(breaker.getCircuitBreakerConfig().getWaitIntervalFunctionInOpenState().apply(1))
					.isEqualTo(5000);
			});
	}

	@Test
	void failureModeAndFallbackShareAreConfigurable() {
		this.runner.withPropertyValues("rate-limit.failure-mode=deny", "rate-limit.redis.max-concurrent-calls=4")
			.run((context) -> assertThat(resilient(context).getFailureMode()).isEqualTo(FailureMode.DENY));
		assertStartupFailure("rate-limit.fallback.instances=0", "rate-limit.fallback.instances");
		assertStartupFailure("rate-limit.redis.timeout=0ms", "rate-limit.redis.timeout");
		assertStartupFailure("rate-limit.redis.max-concurrent-calls=0", "rate-limit.redis.max-concurrent-calls");
	}

	@Test
	void overLimitCacheCanBeTurnedOff() {
		this.runner.withPropertyValues("rate-limit.over-limit-cache.enabled=false")
			.run((context) -> assertThat(context.getBean(RateLimiter.class)).isInstanceOf(ResilientRateLimiter.class));
	}

	@Test
	void overLimitCacheAlsoGuardsRedisWithoutResilience4j() {
		this.runner.withClassLoader(new FilteredClassLoader(CircuitBreaker.class)).run((context) -> {
			RateLimiter limiter = context.getBean(RateLimiter.class);
			assertThat(limiter).isInstanceOf(OverLimitCachingRateLimiter.class);
			assertThat(((OverLimitCachingRateLimiter) limiter).getDelegate()).isInstanceOf(RedisRateLimiter.class);
		});
	}

	@Test
	void inMemoryLimiterHasNoOverLimitCache() {
		new ApplicationContextRunner()
			.withConfiguration(
					AutoConfigurations.of(RateLimitAutoConfiguration.class, RateLimitOverridesAutoConfiguration.class))
			.withPropertyValues("rate-limit.tiers.free.limits.api_requests=1000/1h")
			.run((context) -> assertThat(context.getBean(RateLimiter.class)).isInstanceOf(InMemoryRateLimiter.class));
	}

	@Test
	void closingTheContextStopsTheThreadsThatCallRedis() {
		// a breaker that stays closed while the first checks wait for the connection
		this.runner
			.withPropertyValues("rate-limit.failure-mode=allow", BREAKER + "sliding-window-size=100",
					BREAKER + "minimum-number-of-calls=100")
			.run((context) -> {
				ResilientRateLimiter resilient = resilient(context);
				RateLimitRequest request = new RateLimitRequest("u:close", "op",
						List.of(LimitSpec.of(10, Duration.ofHours(1))), 1);
				// the connection is opened in the background at startup
				await().atMost(Duration.ofSeconds(10)).until(() -> !resilient.check(request).isFallback());
				((ConfigurableApplicationContext) context.getSourceApplicationContext()).close();
				// Its executor is shut down: nothing reaches Redis any more.
				Decision afterClose = resilient.check(request);
				assertThat(afterClose.isFallback()).isTrue();
			});
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

	private static List<Throwable> causes(Throwable failure) {
		List<Throwable> causes = new ArrayList<>();
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			causes.add(cause);
		}
		return causes;
	}

	@Configuration(proxyBeanMethods = false)
	static class RegistryWithRateLimitBreaker {

		@Bean
		CircuitBreakerRegistry circuitBreakerRegistry() {
			CircuitBreakerRegistry registry = CircuitBreakerRegistry.ofDefaults();
			registry.circuitBreaker("ratelimit", CircuitBreakerConfig.custom().slidingWindowSize(7).build());
			return registry;
		}

	}

}
