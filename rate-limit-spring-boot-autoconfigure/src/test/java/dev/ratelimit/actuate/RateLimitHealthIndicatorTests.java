package dev.ratelimit.actuate;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import dev.ratelimit.core.LimitSpec;
import dev.ratelimit.core.RateLimitRequest;
import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.local.InMemoryRateLimiter;
import dev.ratelimit.redis.RedisRateLimiter;
import dev.ratelimit.resilience.BackendCallExecutor;
import dev.ratelimit.resilience.FailureMode;
import dev.ratelimit.resilience.ResilientRateLimiter;
import dev.ratelimit.test.EmbeddedRedisServer;
import dev.ratelimit.test.context.LettuceConnectionFactories;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The health indicator against real Redis servers of its own, which the tests stop and
 * freeze.
 */
class RateLimitHealthIndicatorTests {

	private static final Status DEGRADED = new Status("DEGRADED");

	/**
	 * The timeout of indicators whose Redis is stopped or frozen.
	 */
	private static final Duration TIMEOUT = Duration.ofMillis(300);

	/**
	 * The timeout of indicators whose Redis answers: a cold first connection on a busy
	 * machine must not make them report DOWN. They return as soon as Redis answers.
	 */
	private static final Duration GENEROUS = Duration.ofSeconds(10);

	private static final RateLimitRequest REQUEST = new RateLimitRequest("u:alice", "aigeneration",
			List.of(LimitSpec.of(5, Duration.ofHours(1))), 1);

	private final List<AutoCloseable> resources = new ArrayList<>();

	@AfterEach
	void close() throws Exception {
		for (int i = this.resources.size() - 1; i >= 0; i--) {
			this.resources.get(i).close();
		}
	}

	@Test
	void inMemoryLimiterIsUp() {
		Health health = indicator(new InMemoryRateLimiter(Clock.systemUTC(), 100), DEGRADED).health();
		assertThat(health.getStatus()).isEqualTo(Status.UP);
		assertThat(health.getDetails()).containsEntry("backend", "in-memory").doesNotContainKey("pingMillis");
	}

	@Test
	void redisUpReportsPingLatencyAndWhetherTheScriptIsLoaded() {
		EmbeddedRedisServer server = server();
		RedisRateLimiter redis = redisLimiter(server);
		RateLimitHealthIndicator indicator = indicator(redis, DEGRADED);
		Health before = indicator.health();
		assertThat(before.getStatus()).isEqualTo(Status.UP);
		assertThat(before.getDetails()).containsEntry("backend", "redis").containsEntry("scriptLoaded", false);
		assertThat((double) before.getDetails().get("pingMillis")).isGreaterThan(0).isLessThan(GENEROUS.toMillis());
		redis.check(REQUEST);
		assertThat(indicator.health().getDetails()).containsEntry("scriptLoaded", true);
	}

	@Test
	void plainRedisLimiterIsDownWhileRedisIsStopped() {
		EmbeddedRedisServer server = server();
		RedisRateLimiter redis = connected(redisLimiter(server));
		RateLimitHealthIndicator indicator = indicator(redis, DEGRADED, TIMEOUT);
		server.stop();
		Health health = timed(indicator);
		assertThat(health.getStatus()).isEqualTo(Status.DOWN);
		assertThat(health.getDetails()).containsEntry("backend", "redis").containsKey("error");
	}

	@Test
	void aRedisThatHangsCannotHangTheHealthCheck() {
		EmbeddedRedisServer server = server();
		RedisRateLimiter redis = connected(redisLimiter(server));
		RateLimitHealthIndicator indicator = indicator(redis, DEGRADED, TIMEOUT);
		server.suspend();
		try {
			Health first = timed(indicator);
			assertThat(first.getStatus()).isEqualTo(Status.DOWN);
			assertThat((String) first.getDetails().get("error")).contains("did not answer PING within 300ms");
			// The stuck probe is waited for again, not joined by a second one.
			assertThat(timed(indicator).getStatus()).isEqualTo(Status.DOWN);
		}
		finally {
			server.resume();
		}
	}

	@Test
	void resilientLimiterWithRedisUpIsUpWithItsBreaker() {
		EmbeddedRedisServer server = server();
		Health health = indicator(resilient(server, FailureMode.LOCAL), DEGRADED).health();
		assertThat(health.getStatus()).isEqualTo(Status.UP);
		assertThat(health.getDetails()).containsEntry("backend", "redis")
			.containsEntry("failureMode", "local")
			.containsEntry("circuitBreaker", "CLOSED")
			.containsEntry("fallback", false)
			.containsKey("pingMillis");
	}

	@Test
	void resilientLimiterOnItsFallbackReportsTheFallbackStatus() {
		EmbeddedRedisServer server = server();
		ResilientRateLimiter limiter = resilient(server, FailureMode.LOCAL);
		RateLimitHealthIndicator indicator = indicator(limiter, DEGRADED, TIMEOUT);
		server.stop();
		for (int i = 0; i < 2; i++) {
			assertThat(limiter.check(REQUEST).isFallback()).isTrue();
		}
		assertThat(limiter.getCircuitBreaker().getState()).isEqualTo(CircuitBreaker.State.OPEN);
		Health health = timed(indicator);
		assertThat(health.getStatus()).isEqualTo(DEGRADED);
		assertThat(health.getDetails()).containsEntry("circuitBreaker", "OPEN")
			.containsEntry("fallback", true)
			.containsKey("error");
	}

	@Test
	void fallbackStatusIsConfigurable() {
		EmbeddedRedisServer server = server();
		ResilientRateLimiter limiter = resilient(server, FailureMode.ALLOW);
		limiter.getCircuitBreaker().transitionToForcedOpenState();
		Health health = indicator(limiter, Status.OUT_OF_SERVICE).health();
		assertThat(health.getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
		assertThat(health.getDetails()).containsEntry("failureMode", "allow")
			.containsEntry("circuitBreaker", "FORCED_OPEN")
			.containsEntry("fallback", true)
			.doesNotContainKey("error");
	}

	@Test
	void resilientLimiterWhoseRedisIsUnreachableIsOnItsFallbackBeforeTheBreakerOpens() {
		EmbeddedRedisServer server = server();
		ResilientRateLimiter limiter = resilient(server, FailureMode.LOCAL);
		server.stop();
		Health health = timed(indicator(limiter, DEGRADED, TIMEOUT));
		assertThat(health.getStatus()).isEqualTo(DEGRADED);
		assertThat(health.getDetails()).containsEntry("circuitBreaker", "CLOSED").containsEntry("fallback", true);
	}

	private RateLimitHealthIndicator indicator(RateLimiter limiter, Status fallbackStatus) {
		return indicator(limiter, fallbackStatus, GENEROUS);
	}

	private RateLimitHealthIndicator indicator(RateLimiter limiter, Status fallbackStatus, Duration timeout) {
		ResilientRateLimiter resilient = (limiter instanceof ResilientRateLimiter layer) ? layer : null;
		RateLimiter inner = (resilient != null) ? resilient.getDelegate() : limiter;
		RedisRateLimiter redis = (inner instanceof RedisRateLimiter layer) ? layer : null;
		return register(
				new RateLimitHealthIndicator(new RateLimitBackend(limiter, redis, resilient), fallbackStatus, timeout));
	}

	/**
	 * The limiter, once its connection is up: what stops or freezes later is a Redis the
	 * client was talking to.
	 */
	private static RedisRateLimiter connected(RedisRateLimiter redis) {
		redis.ping();
		return redis;
	}

	/**
	 * The health, asserting that it took about the timeout at most, far less than the
	 * client's own command timeout.
	 */
	private static Health timed(RateLimitHealthIndicator indicator) {
		long start = System.nanoTime();
		Health health = indicator.health();
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(TIMEOUT.plusSeconds(1));
		return health;
	}

	private ResilientRateLimiter resilient(EmbeddedRedisServer server, FailureMode failureMode) {
		CircuitBreaker breaker = CircuitBreaker.of("ratelimit",
				CircuitBreakerConfig.custom()
					.slidingWindowSize(2)
					.minimumNumberOfCalls(2)
					.waitDurationInOpenState(Duration.ofMinutes(1))
					.build());
		return register(new ResilientRateLimiter(redisLimiter(server), failureMode,
				new InMemoryRateLimiter(Clock.systemUTC(), 100), 1, breaker, BackendCallExecutor.create(4),
				Duration.ofMillis(200)));
	}

	private RedisRateLimiter redisLimiter(EmbeddedRedisServer server) {
		LettuceConnectionFactory connectionFactory = LettuceConnectionFactories.started(server, Duration.ofSeconds(10));
		register(connectionFactory::destroy);
		return new RedisRateLimiter(new StringRedisTemplate(connectionFactory), "health-" + UUID.randomUUID());
	}

	private EmbeddedRedisServer server() {
		return register(new EmbeddedRedisServer());
	}

	private <T extends AutoCloseable> T register(T resource) {
		this.resources.add(resource);
		return resource;
	}

}
