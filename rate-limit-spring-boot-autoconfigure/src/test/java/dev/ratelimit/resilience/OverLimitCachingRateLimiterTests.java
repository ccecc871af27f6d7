package dev.ratelimit.resilience;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.Decision;
import dev.ratelimit.core.LimitSpec;
import dev.ratelimit.core.LimitState;
import dev.ratelimit.core.RateLimitRequest;
import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.local.InMemoryRateLimiter;
import dev.ratelimit.redis.RedisRateLimiter;
import dev.ratelimit.test.CommandStats;
import dev.ratelimit.test.EmbeddedRedisServer;
import dev.ratelimit.test.MutableClock;
import dev.ratelimit.test.context.LettuceConnectionFactories;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link OverLimitCachingRateLimiter} around a {@link RedisRateLimiter} on a
 * real redis-server of its own, whose {@code INFO commandstats} show every script call.
 * The limiter and the cache share one clock, so the cache's waits can be compared with
 * Redis's own answers.
 *
 * @author rate-limit-spring-boot
 */
class OverLimitCachingRateLimiterTests {

	private static final LimitSpec TWO_PER_MINUTE = LimitSpec.of(2, Duration.ofMinutes(1));

	private static EmbeddedRedisServer server;

	private static LettuceConnectionFactory connectionFactory;

	private static StringRedisTemplate redis;

	private final MutableClock clock = MutableClock.startingAtMidnight();

	private RedisRateLimiter redisLimiter;

	private OverLimitCachingRateLimiter limiter;

	private final String scope = "u:" + UUID.randomUUID();

	@BeforeAll
	static void startRedis() {
		server = new EmbeddedRedisServer();
		connectionFactory = LettuceConnectionFactories.started(server);
		redis = new StringRedisTemplate(connectionFactory);
	}

	@AfterAll
	static void stopRedis() {
		connectionFactory.destroy();
		server.close();
	}

	@BeforeEach
	void createLimiter() {
		this.redisLimiter = new RedisRateLimiter(redis, "rl-test-" + UUID.randomUUID(), this.clock);
		this.limiter = new OverLimitCachingRateLimiter(this.redisLimiter, 100, this.clock);
	}

	@Test
	void deniedCallerCostsNoRedisCallUntilRetryAfter() {
		RateLimitRequest request = request(TWO_PER_MINUTE, 1);
		assertThat(this.limiter.check(request).isAllowed()).isTrue();
		assertThat(this.limiter.check(request).isAllowed()).isTrue();
		Decision denied = this.limiter.check(request);
		assertThat(denied.isAllowed()).isFalse();
		// token bucket, 2 per minute: one unit every 30s
		assertThat(denied.retryAfter()).isEqualTo(Duration.ofSeconds(30));
		long calls = scriptCalls();
		for (int i = 0; i < 30; i++) {
			assertThat(this.limiter.check(request).isAllowed()).isFalse();
			this.clock.advance(Duration.ofMillis(999));
		}
		this.clock.advance(Duration.ofMillis(29_999 - 30 * 999));
		assertThat(this.limiter.check(request).isAllowed()).isFalse();
		assertThat(scriptCalls()).isEqualTo(calls);
		this.clock.advance(Duration.ofMillis(1));
		Decision afterwards = this.limiter.check(request);
		assertThat(afterwards.isAllowed()).isTrue();
		assertThat(scriptCalls()).isEqualTo(calls + 1);
	}

	@Test
	void cachedDenialReportsWhatRedisWouldAndCountsDown() {
		RateLimitRequest request = request(TWO_PER_MINUTE, 1);
		this.limiter.check(request);
		this.limiter.check(request);
		this.clock.advance(Duration.ofSeconds(4));
		this.limiter.check(request);
		this.clock.advance(Duration.ofSeconds(10));
		long calls = scriptCalls();
		Decision cached = this.limiter.check(request);
		assertThat(scriptCalls()).isEqualTo(calls);
		// A denied request consumes nothing, so asking Redis itself changes nothing.
		Decision fromRedis = this.redisLimiter.check(request);
		assertThat(cached.isAllowed()).isFalse();
		assertThat(cached.isFallback()).isFalse();
		assertThat(cached.binding()).isEqualTo(fromRedis.binding());
		assertThat(cached.limits()).isEqualTo(fromRedis.limits());
		assertThat(cached.binding().remaining()).isZero();
		assertThat(cached.retryAfter()).isEqualTo(Duration.ofSeconds(16));
		assertThat(cached.binding().resetAfter()).isEqualTo(Duration.ofSeconds(46));
		this.clock.advance(Duration.ofSeconds(15));
		assertThat(this.limiter.check(request).retryAfter()).isEqualTo(Duration.ofSeconds(1));
	}

	@Test
	void aDenialWithASpentBurstAllowanceHoldsOnlyUntilTheAllowanceRefills() {
		LimitSpec hourly = LimitSpec.of(1, Duration.ofHours(1), Algorithm.FIXED_WINDOW);
		LimitSpec allowance = LimitSpec.burstAllowance(1, Duration.ofMinutes(5));
		RateLimitRequest request = new RateLimitRequest(this.scope, "generation", List.of(hourly, allowance), 1);
		assertThat(this.limiter.check(request).isBurstUsed()).isFalse();
		assertThat(this.limiter.check(request).isBurstUsed()).isTrue();
		Decision denied = this.limiter.check(request);
		assertThat(denied.isAllowed()).isFalse();
		assertThat(denied.retryAfter()).isEqualTo(Duration.ofMinutes(5));
		long calls = scriptCalls();
		this.clock.advance(Duration.ofMinutes(5).minusMillis(1));
		Decision cached = this.limiter.check(request);
		assertThat(cached.isAllowed()).isFalse();
		assertThat(cached.burstAllowance()).isNotNull();
		assertThat(cached.retryAfter()).isEqualTo(Duration.ofMillis(1));
		assertThat(scriptCalls()).isEqualTo(calls);
		this.clock.advance(Duration.ofMillis(1));
		// not denied from memory until the hour's end: the allowance admits again
		assertThat(this.limiter.check(request).isBurstUsed()).isTrue();
	}

	@Test
	void denialOfALargerCostDoesNotDenyASmallerOneThatRedisAdmits() {
		LimitSpec limit = LimitSpec.of(5, Duration.ofMinutes(1), Algorithm.FIXED_WINDOW);
		assertThat(this.limiter.check(request(limit, 3)).isAllowed()).isTrue();
		Decision denied = this.limiter.check(request(limit, 3));
		assertThat(denied.isAllowed()).isFalse();
		assertThat(denied.binding().remaining()).isEqualTo(2);
		long calls = scriptCalls();
		assertThat(this.limiter.check(request(limit, 4)).isAllowed()).isFalse();
		assertThat(scriptCalls()).isEqualTo(calls);
		assertThat(this.limiter.check(request(limit, 2)).isAllowed()).isTrue();
		assertThat(scriptCalls()).isEqualTo(calls + 1);
		// now even one unit is too many: that denial covers every cost
		assertThat(this.limiter.check(request(limit, 1)).isAllowed()).isFalse();
		assertThat(scriptCalls()).isEqualTo(calls + 2);
		assertThat(this.limiter.check(request(limit, 1)).isAllowed()).isFalse();
		assertThat(this.limiter.check(request(limit, 3)).isAllowed()).isFalse();
		assertThat(scriptCalls()).isEqualTo(calls + 2);
	}

	@Test
	void severalWindowsHoldTheDenialUntilTheLongestWait() {
		List<LimitSpec> limits = List.of(LimitSpec.of(2, Duration.ofMinutes(1), Algorithm.FIXED_WINDOW),
				LimitSpec.of(3, Duration.ofHours(1), Algorithm.FIXED_WINDOW));
		RateLimitRequest request = new RateLimitRequest(this.scope, "op", limits, 1);
		this.limiter.check(request);
		this.limiter.check(request);
		this.clock.advance(Duration.ofMinutes(1));
		this.limiter.check(request);
		Decision denied = this.limiter.check(request);
		// the minute has room again, the hour does not
		assertThat(denied.limits()).extracting(LimitState::allowed).containsExactly(true, false);
		assertThat(denied.retryAfter()).isEqualTo(Duration.ofMinutes(59));
		long calls = scriptCalls();
		this.clock.advance(Duration.ofMinutes(30));
		Decision cached = this.limiter.check(request);
		assertThat(cached.isAllowed()).isFalse();
		assertThat(cached.retryAfter()).isEqualTo(Duration.ofMinutes(29));
		assertThat(scriptCalls()).isEqualTo(calls);
		assertThat(this.redisLimiter.check(request).isAllowed()).isFalse();
		this.clock.advance(Duration.ofMinutes(29));
		assertThat(this.limiter.check(request).isAllowed()).isTrue();
	}

	@Test
	void changedLimitsOperationOrScopeNeverMeetTheDenial() {
		LimitSpec limit = LimitSpec.of(2, Duration.ofMinutes(1), Algorithm.FIXED_WINDOW);
		RateLimitRequest request = request(limit, 1);
		this.limiter.check(request);
		this.limiter.check(request);
		assertThat(this.limiter.check(request).isAllowed()).isFalse();
		long calls = scriptCalls();
		// a temporary override that doubles the limit: same Redis key, room for two more
		assertThat(this.limiter.check(request(limit.scaled(2), 1)).isAllowed()).isTrue();
		assertThat(scriptCalls()).isEqualTo(calls + 1);
		assertThat(this.limiter.check(new RateLimitRequest(this.scope, "other", List.of(limit), 1)).isAllowed())
			.isTrue();
		assertThat(this.limiter.check(new RateLimitRequest("u:someone-else", "op", List.of(limit), 1)).isAllowed())
			.isTrue();
		assertThat(scriptCalls()).isEqualTo(calls + 3);
	}

	@Test
	void resetForgetsTheDenialsOfTheScope() {
		RateLimitRequest request = request(TWO_PER_MINUTE, 1);
		RateLimitRequest otherScope = new RateLimitRequest("u:" + UUID.randomUUID(), "op", List.of(TWO_PER_MINUTE), 1);
		for (int i = 0; i < 3; i++) {
			this.limiter.check(request);
			this.limiter.check(otherScope);
		}
		assertThat(this.limiter.size()).isEqualTo(2);
		this.limiter.reset(request);
		assertThat(this.limiter.size()).isOne();
		long calls = scriptCalls();
		assertThat(this.limiter.check(request).isAllowed()).isTrue();
		assertThat(this.limiter.check(otherScope).isAllowed()).isFalse();
		assertThat(scriptCalls()).isEqualTo(calls + 1);
	}

	@Test
	void peeksAlwaysAskRedis() {
		RateLimitRequest request = request(TWO_PER_MINUTE, 1);
		for (int i = 0; i < 3; i++) {
			this.limiter.check(request);
		}
		long calls = scriptCalls();
		Decision peek = this.limiter.check(request(TWO_PER_MINUTE, 0));
		assertThat(peek.isAllowed()).isTrue();
		assertThat(scriptCalls()).isEqualTo(calls + 1);
	}

	@Test
	void fallbackAndUnavailableDecisionsAreNotRemembered() {
		InMemoryRateLimiter local = new InMemoryRateLimiter(this.clock);
		AtomicInteger calls = new AtomicInteger();
		RateLimiter onFallback = (request) -> {
			calls.incrementAndGet();
			return (request.operation().equals("down")) ? Decision.unavailable(Duration.ofSeconds(5))
					: local.check(request).asFallback();
		};
		OverLimitCachingRateLimiter limiter = new OverLimitCachingRateLimiter(onFallback, 100, this.clock);
		RateLimitRequest request = request(LimitSpec.of(1, Duration.ofMinutes(1)), 1);
		assertThat(limiter.check(request).isAllowed()).isTrue();
		assertThat(limiter.check(request).isAllowed()).isFalse();
		assertThat(limiter.check(request).isAllowed()).isFalse();
		RateLimitRequest down = new RateLimitRequest(this.scope, "down", List.of(TWO_PER_MINUTE), 1);
		assertThat(limiter.check(down).isUnavailable()).isTrue();
		assertThat(limiter.check(down).isUnavailable()).isTrue();
		assertThat(calls).hasValue(5);
		assertThat(limiter.size()).isZero();
	}

	@Test
	void holdsAtMostMaxEntriesAndSweepsExpiredOnes() {
		OverLimitCachingRateLimiter limiter = new OverLimitCachingRateLimiter(this.redisLimiter, 8, this.clock);
		LimitSpec limit = LimitSpec.of(1, Duration.ofMinutes(1));
		for (int i = 0; i < 40; i++) {
			RateLimitRequest request = new RateLimitRequest("u:" + i, "op", List.of(limit), 1);
			limiter.check(request);
			assertThat(limiter.check(request).isAllowed()).isFalse();
			assertThat(limiter.size()).isLessThanOrEqualTo(8);
		}
		// Expired entries are swept when room is needed: two new denials leave just those
		// two.
		this.clock.advance(Duration.ofMinutes(1));
		for (int i = 0; i < 2; i++) {
			RateLimitRequest next = new RateLimitRequest("u:next-" + i, "op", List.of(limit), 1);
			limiter.check(next);
			limiter.check(next);
		}
		assertThat(limiter.size()).isEqualTo(2);
	}

	@Test
	void closeClosesTheDelegate() throws Exception {
		AtomicInteger closed = new AtomicInteger();
		class ClosableLimiter implements RateLimiter, AutoCloseable {

			@Override
			public Decision check(RateLimitRequest request) {
				return Decision.unlimited();
			}

			@Override
			public void close() {
				closed.incrementAndGet();
			}

		}
		new OverLimitCachingRateLimiter(new ClosableLimiter()).close();
		assertThat(closed).hasValue(1);
	}

	private RateLimitRequest request(LimitSpec limit, long cost) {
		return new RateLimitRequest(this.scope, "op", List.of(limit), cost);
	}

	private static long scriptCalls() {
		Properties stats = redis
			.execute((RedisCallback<Properties>) (connection) -> connection.serverCommands().info("commandstats"));
		return CommandStats.scriptCalls(stats);
	}

}
