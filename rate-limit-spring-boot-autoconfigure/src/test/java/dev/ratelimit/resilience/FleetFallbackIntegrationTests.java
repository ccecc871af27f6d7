package dev.ratelimit.resilience;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.Decision;
import dev.ratelimit.core.LimitSpec;
import dev.ratelimit.core.RateLimitRequest;
import dev.ratelimit.local.InMemoryRateLimiter;
import dev.ratelimit.redis.RedisFleet;
import dev.ratelimit.redis.RedisRateLimiter;
import dev.ratelimit.test.EmbeddedRedisServer;
import dev.ratelimit.test.context.LettuceConnectionFactories;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Several instances of an application, each with its own resilient limiter, local
 * fallback and fleet heartbeat, on one real redis-server that then stops: with the fleet
 * counted in Redis, the instances on their fallbacks together admit at most each limit,
 * never a copy of it each.
 *
 * @author rate-limit-spring-boot
 */
class FleetFallbackIntegrationTests {

	private static final int INSTANCES = 3;

	/**
	 * Long enough that a busy machine does not miss a lifetime (three intervals) of
	 * heartbeats and count an instance out while the test runs.
	 */
	private static final Duration INTERVAL = Duration.ofMillis(500);

	private static final Duration WAIT = Duration.ofSeconds(20);

	private final String prefix = "rl-fleet-" + UUID.randomUUID();

	private final List<Instance> instances = new ArrayList<>();

	private EmbeddedRedisServer server;

	private LettuceConnectionFactory connectionFactory;

	@BeforeEach
	void startFleet() {
		this.server = new EmbeddedRedisServer();
		this.connectionFactory = LettuceConnectionFactories.started(this.server, Duration.ofSeconds(5));
		for (int i = 0; i < INSTANCES; i++) {
			// A template of its own each, like separate processes; one connection factory
			// suffices.
			this.instances.add(new Instance(new StringRedisTemplate(this.connectionFactory), this.prefix));
		}
		this.instances.forEach((instance) -> instance.fleet.start());
		await().atMost(WAIT)
			.until(() -> this.instances.stream().allMatch((instance) -> instance.fleet.instances() == INSTANCES));
	}

	@AfterEach
	void stopFleet() {
		this.instances.forEach(Instance::close);
		this.connectionFactory.destroy();
		this.server.close();
	}

	@Test
	void onRedisTheInstancesShareOneLimit() {
		RateLimitRequest request = request(10);
		assertThat(admitted(request, 10)).isEqualTo(10);
	}

	@Test
	void whileRedisIsDownTheInstancesTogetherAdmitAtMostTheLimit() {
		this.server.stop();
		RateLimitRequest request = request(10);
		List<Decision> decisions = new ArrayList<>();
		for (Instance instance : this.instances) {
			for (int i = 0; i < 10; i++) {
				decisions.add(instance.limiter.check(request));
			}
		}
		assertThat(decisions).allMatch(Decision::isFallback);
		// The count from before the outage is remembered: a third of 10 each, rounded
		// down.
		assertThat(this.instances).allMatch((instance) -> instance.fleet.instances() == INSTANCES);
		assertThat(decisions.stream().filter(Decision::isAllowed).count()).isEqualTo(9);
		for (int i = 0; i < INSTANCES; i++) {
			assertThat(decisions.subList(i * 10, i * 10 + 10).stream().filter(Decision::isAllowed).count())
				.isEqualTo(3);
		}
		assertThat(decisions.get(decisions.size() - 1).binding().limit().limit()).isEqualTo(3);
	}

	@Test
	void whileRedisIsDownALimitSmallerThanTheFleetAdmitsOnePerInstance() {
		this.server.stop();
		RateLimitRequest request = request(2);
		long admitted = 0;
		for (Instance instance : this.instances) {
			for (int i = 0; i < 3; i++) {
				Decision decision = instance.limiter.check(request);
				assertThat(decision.isFallback()).isTrue();
				admitted += decision.isAllowed() ? 1 : 0;
			}
		}
		// The documented exception: a share is never below 1.
		assertThat(admitted).isEqualTo(INSTANCES);
	}

	private long admitted(RateLimitRequest request, int attemptsPerInstance) {
		long admitted = 0;
		for (Instance instance : this.instances) {
			for (int i = 0; i < attemptsPerInstance; i++) {
				Decision decision = instance.limiter.check(request);
				assertThat(decision.isFallback()).isFalse();
				admitted += decision.isAllowed() ? 1 : 0;
			}
		}
		return admitted;
	}

	private static RateLimitRequest request(long limit) {
		return new RateLimitRequest("u:" + UUID.randomUUID(), "op",
				List.of(LimitSpec.of(limit, Duration.ofHours(1), Algorithm.FIXED_WINDOW)), 1);
	}

	/**
	 * One instance of the application: its own heartbeat, local fallback and breaker.
	 */
	private static final class Instance {

		private final RedisFleet fleet;

		private final ResilientRateLimiter limiter;

		Instance(StringRedisTemplate template, String prefix) {
			this.fleet = new RedisFleet(template, prefix, INTERVAL);
			CircuitBreaker breaker = CircuitBreaker.of("test",
					CircuitBreakerConfig.custom()
						.slidingWindow(4, 2, SlidingWindowType.COUNT_BASED)
						.failureRateThreshold(50)
						.waitDurationInOpenState(Duration.ofMinutes(1))
						.permittedNumberOfCallsInHalfOpenState(1)
						.build());
			this.limiter = new ResilientRateLimiter(new RedisRateLimiter(template, prefix), FailureMode.LOCAL,
					new InMemoryRateLimiter(), this.fleet, breaker, BackendCallExecutor.create(4),
					Duration.ofMillis(100));
		}

		void close() {
			this.limiter.close();
			this.fleet.stop();
		}

	}

}
