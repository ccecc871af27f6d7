package dev.ratelimit.redis;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.Decision;
import dev.ratelimit.core.LimitSpec;
import dev.ratelimit.core.LimitState;
import dev.ratelimit.core.RateLimitRequest;
import dev.ratelimit.test.MutableClock;
import dev.ratelimit.test.RedisServer;
import io.lettuce.core.cluster.SlotHash;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for the arithmetic of {@code check.lua} through {@link RedisRateLimiter}, against a real
 * Redis. Every expected value is worked out by hand from {@code docs/algorithms.md}.
 *
 * @author rate-limit-spring-boot
 */
class RedisRateLimiterScriptTests {

	/** 2030-01-01T00:00:00Z: aligned to every window used here. */
	private static final long MIDNIGHT_MICROS = 1_893_456_000_000_000L;

	private static final StringRedisTemplate redis = TestRedisTemplate.get();

	private final MutableClock clock = MutableClock.startingAtMidnight();

	private String prefix;

	private RedisRateLimiter limiter;

	@BeforeEach
	void createLimiter() {
		// A unique prefix per test isolates tests from each other on a shared server.
		this.prefix = "rl-test-" + UUID.randomUUID();
		this.limiter = new RedisRateLimiter(redis, this.prefix, this.clock);
	}

	@Nested
	class TokenBucket {

		// 5 per 10s: one token every 2s (T = 2s), bucket of 5 (tau = 10s).
		private final LimitSpec limit = LimitSpec.of(5, Duration.ofSeconds(10), Algorithm.TOKEN_BUCKET);

		@Test
		void admitsABurstThenRefillsEvenly() {
			assertState(check(this.limit, 1), true, 4, seconds(2), 0);
			assertState(check(this.limit, 1), true, 3, seconds(4), 0);
			assertState(check(this.limit, 1), true, 2, seconds(6), 0);
			assertState(check(this.limit, 1), true, 1, seconds(8), 0);
			assertState(check(this.limit, 1), true, 0, seconds(10), 0);
			assertState(check(this.limit, 1), false, 0, seconds(10), seconds(2));
			clock.advance(Duration.ofMillis(1999));
			assertState(check(this.limit, 1), false, 0, seconds(10) - millis(1999), millis(1));
			clock.advance(Duration.ofMillis(1));
			assertState(check(this.limit, 1), true, 0, seconds(10), 0);
		}

		@Test
		void storesTheTheoreticalArrivalTimeWithTtl() {
			check(this.limit, 1);
			String key = onlyKey();
			assertThat(redis.opsForValue().get(key)).isEqualTo(Long.toString(MIDNIGHT_MICROS + seconds(2)));
			assertTtl(key, 2000);
		}

		@Test
		void chargesCostAndDeniedRequestConsumesNothing() {
			assertState(check(this.limit, 3), true, 2, seconds(6), 0);
			// newTat = now + 12s, allowAt = now + 2s
			assertState(check(this.limit, 3), false, 2, seconds(6), seconds(2));
			assertState(check(this.limit, 2), true, 0, seconds(10), 0);
		}

		@Test
		void burstCanBeSmallerThanLimit() {
			// T = 1s, tau = 2s
			LimitSpec limit = new LimitSpec(10, Duration.ofSeconds(10), Algorithm.TOKEN_BUCKET, 2);
			assertState(check(limit, 1), true, 1, seconds(1), 0);
			assertState(check(limit, 1), true, 0, seconds(2), 0);
			assertState(check(limit, 1), false, 0, seconds(2), seconds(1));
		}

		@Test
		void costZeroPeeksWithoutWriting() {
			assertState(check(this.limit, 0), true, 5, 0, 0);
			assertThat(keys()).isEmpty();
			check(this.limit, 2);
			assertState(check(this.limit, 0), true, 3, seconds(4), 0);
			assertState(check(this.limit, 0), true, 3, seconds(4), 0);
			assertThat(redis.opsForValue().get(onlyKey())).isEqualTo(Long.toString(MIDNIGHT_MICROS + seconds(4)));
		}

		@Test
		void largeLimitKeepsFullPrecision() {
			// T = floor(86_400_000_000 / 1e9) = 86us, tau = 86e9us
			LimitSpec limit = LimitSpec.of(1_000_000_000L, Duration.ofDays(1), Algorithm.TOKEN_BUCKET);
			// newTat = now + 999_999_999 * 86 = now + 85_999_999_914, allowAt = now - 86
			assertState(check(limit, 999_999_999L), true, 1, 85_999_999_914L, 0);
			assertThat(redis.opsForValue().get(onlyKey())).isEqualTo(Long.toString(MIDNIGHT_MICROS + 85_999_999_914L));
			assertState(check(limit, 1), true, 0, 86_000_000_000L, 0);
			assertState(check(limit, 1), false, 0, 86_000_000_000L, 86);
		}

	}

	@Nested
	class FixedWindow {

		private final LimitSpec limit = LimitSpec.of(3, Duration.ofMinutes(1), Algorithm.FIXED_WINDOW);

		@BeforeEach
		void intoTheWindow() {
			clock.advance(Duration.ofSeconds(15));
		}

		@Test
		void admitsTheLimitPerCalendarWindow() {
			assertState(check(this.limit, 1), true, 2, seconds(45), 0);
			assertState(check(this.limit, 1), true, 1, seconds(45), 0);
			assertState(check(this.limit, 1), true, 0, seconds(45), 0);
			assertState(check(this.limit, 1), false, 0, seconds(45), seconds(45));
			clock.advance(Duration.ofSeconds(44));
			assertState(check(this.limit, 1), false, 0, seconds(1), seconds(1));
			clock.advance(Duration.ofSeconds(1));
			assertState(check(this.limit, 1), true, 2, seconds(60), 0);
		}

		@Test
		void storesWindowStartAndCountWithTtl() {
			check(this.limit, 2);
			String key = onlyKey();
			assertThat(redis.<String, String>opsForHash().entries(key))
				.containsExactlyInAnyOrderEntriesOf(Map.of("w", Long.toString(MIDNIGHT_MICROS), "c", "2"));
			assertTtl(key, 45_000);
		}

		@Test
		void chargesCostAndDeniedRequestConsumesNothing() {
			assertState(check(this.limit, 2), true, 1, seconds(45), 0);
			assertState(check(this.limit, 2), false, 1, seconds(45), seconds(45));
			assertState(check(this.limit, 1), true, 0, seconds(45), 0);
		}

		@Test
		void costZeroPeeksWithoutWriting() {
			assertState(check(this.limit, 0), true, 3, 0, 0);
			assertThat(keys()).isEmpty();
			check(this.limit, 1);
			assertState(check(this.limit, 0), true, 2, seconds(45), 0);
			assertThat(redis.opsForHash().get(onlyKey(), "c")).isEqualTo("1");
		}

		@Test
		void largeLimitKeepsFullPrecision() {
			LimitSpec limit = LimitSpec.of(1_000_000_000L, Duration.ofDays(1), Algorithm.FIXED_WINDOW);
			long reset = Duration.ofDays(1).minusSeconds(15).toNanos() / 1000;
			assertState(check(limit, 999_999_999L), true, 1, reset, 0);
			assertThat(redis.opsForHash().get(onlyKey(), "c")).isEqualTo("999999999");
			assertThat(redis.opsForHash().get(onlyKey(), "w")).isEqualTo(Long.toString(MIDNIGHT_MICROS));
			assertState(check(limit, 2), false, 1, reset, reset);
		}

	}

	@Nested
	class SlidingWindow {

		private final LimitSpec limit = LimitSpec.of(10, Duration.ofMinutes(1), Algorithm.SLIDING_WINDOW);

		@Test
		void weighsThePreviousWindow() {
			clock.advance(Duration.ofSeconds(30));
			// est = 0; reset = 2W - e = 90s
			assertState(check(this.limit, 6), true, 4, seconds(90), 0);
			assertTtl(onlyKey(), 90_000);
			clock.advance(Duration.ofSeconds(45));
			// next window, e = 15s: prev = 6, cur = 0, est = 6 * 45 / 60 = 4.5
			// remaining = floor(10 - 4.5 - 5) = 0, reset = 2W - e = 105s
			assertState(check(this.limit, 5), true, 0, seconds(105), 0);
			assertTtl(onlyKey(), 105_000);
			// est = 9.5: fits in this window when 6 * (60 - e) / 60 + 5 + 1 <= 10, at e = 20s
			// retry = ceil(60s - (10 - 5 - 1) * 60s / 6) - 15s = 5s
			assertState(check(this.limit, 1), false, 0, seconds(105), seconds(5));
			clock.advance(Duration.ofMillis(4999));
			assertThat(check(this.limit, 1).allowed()).isFalse();
			clock.advance(Duration.ofMillis(1));
			// est = 6 * 40 / 60 + 5 = 9
			assertState(check(this.limit, 1), true, 0, seconds(100), 0);
			// cur = 6, prev = 6, e = 20s, est = 10: cur + 5 > L, so only the next window helps:
			// retry = (60s - 20s) + ceil(60s - (10 - 5) * 60s / 6) = 40s + 10s = 50s
			assertState(check(this.limit, 5), false, 0, seconds(100), seconds(50));
			clock.advance(Duration.ofSeconds(50));
			// e = 10s of the next window: prev = 6, est = 6 * 50 / 60 = 5
			assertState(check(this.limit, 5), true, 0, seconds(110), 0);
		}

		@Test
		void storesCurrentAndPreviousCounts() {
			check(this.limit, 3);
			clock.advance(Duration.ofSeconds(70));
			check(this.limit, 2);
			assertThat(redis.<String, String>opsForHash().entries(onlyKey()))
				.containsExactlyInAnyOrderEntriesOf(Map.of("w", Long.toString(MIDNIGHT_MICROS + seconds(60)),
						"c", "2", "p", "3"));
			clock.advance(Duration.ofSeconds(60));
			// one window later, e = 10s: the 3 are gone, the 2 are the previous count:
			// remaining = floor(10 - 2 * 50 / 60 - 1) = 7
			assertState(check(this.limit, 1), true, 7, seconds(110), 0);
			clock.advance(Duration.ofSeconds(120));
			assertState(check(this.limit, 0), true, 10, 0, 0);
		}

		@Test
		void costZeroPeeksWithoutWriting() {
			assertState(check(this.limit, 0), true, 10, 0, 0);
			assertThat(keys()).isEmpty();
			check(this.limit, 4);
			clock.advance(Duration.ofSeconds(90));
			// prev = 4, e = 30s: est = 2, reset = W - e = 30s (nothing in the current window)
			assertState(check(this.limit, 0), true, 8, seconds(30), 0);
			assertThat(redis.opsForHash().get(onlyKey(), "w")).isEqualTo(Long.toString(MIDNIGHT_MICROS));
		}

		@Test
		void costAboveLimitIsDeniedWithAFiniteRetry() {
			assertState(check(this.limit, 11), false, 10, 0, seconds(60));
		}

		@Test
		void largeLimitKeepsFullPrecision() {
			LimitSpec limit = LimitSpec.of(1_000_000_000L, Duration.ofDays(1), Algorithm.SLIDING_WINDOW);
			long day = Duration.ofDays(1).toNanos() / 1000;
			assertState(check(limit, 999_999_999L), true, 1, 2 * day, 0);
			assertThat(redis.opsForHash().get(onlyKey(), "c")).isEqualTo("999999999");
			// next window: W + ceil(W - 999_999_998 * W / 999_999_999) = W + ceil(86.4000...)
			assertState(check(limit, 2), false, 1, 2 * day, day + 87);
		}

	}

	@Nested
	class SlidingLog {

		private final LimitSpec limit = LimitSpec.of(3, Duration.ofSeconds(10), Algorithm.SLIDING_LOG);

		@Test
		void admitsAtMostTheLimitInAnyRollingWindow() {
			assertState(check(this.limit, 1), true, 2, seconds(10), 0);
			clock.advance(Duration.ofSeconds(2));
			assertState(check(this.limit, 1), true, 1, seconds(10), 0);
			clock.advance(Duration.ofSeconds(2));
			assertState(check(this.limit, 1), true, 0, seconds(10), 0);
			clock.advance(Duration.ofSeconds(1));
			// the oldest unit (t0) expires at t0 + 10s; the newest (t0 + 4s) at t0 + 14s
			assertState(check(this.limit, 1), false, 0, seconds(9), seconds(5));
			// two units need the two oldest (t0, t0 + 2s) to expire
			assertState(check(this.limit, 2), false, 0, seconds(9), seconds(7));
			clock.advance(Duration.ofMillis(4999));
			assertThat(check(this.limit, 1).allowed()).isFalse();
			clock.advance(Duration.ofMillis(1));
			assertState(check(this.limit, 1), true, 0, seconds(10), 0);
			assertThat(redis.opsForZSet().zCard(onlyKey())).isEqualTo(3);
		}

		@Test
		void storesOneMemberPerUnitWithTtl() {
			check(this.limit, 2);
			String key = onlyKey();
			assertThat(redis.opsForZSet().rangeWithScores(key, 0, -1)).extracting((tuple) -> tuple.getValue())
				.containsExactly(MIDNIGHT_MICROS + ":0", MIDNIGHT_MICROS + ":1");
			assertThat(redis.opsForZSet().score(key, MIDNIGHT_MICROS + ":0")).isEqualTo((double) MIDNIGHT_MICROS);
			assertTtl(key, 10_000);
		}

		@Test
		void chargesCostAndDeniedRequestConsumesNothing() {
			assertState(check(this.limit, 2), true, 1, seconds(10), 0);
			assertState(check(this.limit, 2), false, 1, seconds(10), seconds(10));
			assertThat(redis.opsForZSet().zCard(onlyKey())).isEqualTo(2);
			assertState(check(this.limit, 1), true, 0, seconds(10), 0);
		}

		@Test
		void costZeroPeeksWithoutWriting() {
			assertState(check(this.limit, 0), true, 3, 0, 0);
			assertThat(keys()).isEmpty();
			check(this.limit, 1);
			clock.advance(Duration.ofSeconds(4));
			assertState(check(this.limit, 0), true, 2, seconds(6), 0);
			assertThat(redis.opsForZSet().zCard(onlyKey())).isEqualTo(1);
		}

		@Test
		void costAboveLimitIsDeniedWithAFiniteRetry() {
			assertState(check(this.limit, 4), false, 3, 0, seconds(10));
		}

		@Test
		void largeCostAddsEveryUnit() {
			// more members than one ZADD call takes from unpack() in the script
			LimitSpec limit = LimitSpec.of(5_000, Duration.ofHours(1), Algorithm.SLIDING_LOG);
			assertState(check(limit, 4_500), true, 500, seconds(3600), 0);
			assertThat(redis.opsForZSet().zCard(onlyKey())).isEqualTo(4_500);
			assertState(check(limit, 501), false, 500, seconds(3600), seconds(3600));
		}

	}

	@ParameterizedTest
	@EnumSource(Algorithm.class)
	void denialByOneLimitConsumesNothingFromAnother(Algorithm algorithm) {
		LimitSpec hourly = LimitSpec.of(5, Duration.ofHours(1), algorithm);
		LimitSpec daily = LimitSpec.of(20, Duration.ofDays(1), algorithm);
		for (int i = 0; i < 5; i++) {
			assertThat(check(List.of(hourly, daily), 1).isAllowed()).isTrue();
		}
		Decision denied = check(List.of(hourly, daily), 1);
		assertThat(denied.isAllowed()).isFalse();
		assertThat(denied.binding()).isNotNull();
		assertThat(denied.binding().limit()).isEqualTo(hourly);
		assertThat(denied.limits()).extracting(LimitState::allowed).containsExactly(false, true);
		assertThat(check(daily, 0).remaining()).isEqualTo(15);
		// and the other way round: the daily limit alone is still usable
		assertThat(check(daily, 15).allowed()).isTrue();
		assertThat(check(List.of(daily, hourly), 1).limits()).extracting(LimitState::allowed)
			.containsExactly(false, false);
	}

	@ParameterizedTest
	@EnumSource(Algorithm.class)
	void everyWrittenKeyHasATtlAndAllKeysShareOneHashTag(Algorithm algorithm) {
		RateLimitRequest request = new RateLimitRequest("u:abc", "generate",
				List.of(LimitSpec.of(5, Duration.ofSeconds(30), algorithm), LimitSpec.of(5, Duration.ofHours(1), algorithm),
						LimitSpec.of(5, Duration.ofDays(1), algorithm)),
				1);
		assertThat(this.limiter.check(request).isAllowed()).isTrue();
		Set<String> keys = keys();
		assertThat(keys).hasSize(3).allSatisfy((key) -> {
			assertThat(key).startsWith(this.prefix + ":{u:abc}:generate:");
			assertThat(redis.getExpire(key, TimeUnit.MILLISECONDS)).isPositive();
		});
		assertThat(keys.stream().map(SlotHash::getSlot).distinct()).hasSize(1);
		assertThat(keys).containsExactlyInAnyOrder(
				this.prefix + ":{u:abc}:generate:30s:" + algorithm.code(),
				this.prefix + ":{u:abc}:generate:1h:" + algorithm.code(),
				this.prefix + ":{u:abc}:generate:1d:" + algorithm.code());
	}

	@ParameterizedTest
	@EnumSource(Algorithm.class)
	void largeTimestampsKeepFullPrecision(Algorithm algorithm) {
		// 2250-01-01: about 8.5e15us, close to 2^53 (9.007e15), where doubles stop being exact
		Instant instant = Instant.parse("2250-01-01T00:00:00.123456Z");
		long micros = instant.getEpochSecond() * 1_000_000L + 123_456;
		this.clock.set(instant);
		LimitSpec limit = LimitSpec.of(3, Duration.ofSeconds(1), algorithm);
		assertThat(check(limit, 1).allowed()).isTrue();
		String key = onlyKey();
		switch (algorithm) {
			case TOKEN_BUCKET ->
				assertThat(redis.opsForValue().get(key)).isEqualTo(Long.toString(micros + 333_333));
			case FIXED_WINDOW, SLIDING_WINDOW ->
				assertThat(redis.opsForHash().get(key, "w")).isEqualTo(Long.toString(micros - 123_456));
			case SLIDING_LOG -> assertThat(redis.opsForZSet().range(key, 0, -1)).containsExactly(micros + ":0");
		}
		LimitState state = check(limit, 3);
		assertThat(state.allowed()).isFalse();
		// the sliding window needs the next window to slide, too
		assertThat(state.retryAfter()).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(2));
	}

	@Test
	void usesRedisTimeWithoutAClock() {
		RedisRateLimiter limiter = new RedisRateLimiter(redis, this.prefix);
		LimitSpec limit = LimitSpec.of(2, Duration.ofHours(1), Algorithm.TOKEN_BUCKET);
		RateLimitRequest request = new RateLimitRequest("u:time", "op", List.of(limit), 1);
		long before = System.currentTimeMillis() * 1000;
		assertThat(limiter.check(request).isAllowed()).isTrue();
		assertThat(limiter.check(request).isAllowed()).isTrue();
		Decision denied = limiter.check(request);
		assertThat(denied.isAllowed()).isFalse();
		// T = 30m: the third request fits 30 minutes after the first
		assertThat(denied.retryAfter()).isBetween(Duration.ofMinutes(29), Duration.ofMinutes(30));
		long tat = Long.parseLong(redis.opsForValue().get(onlyKey()));
		assertThat(tat - before).isBetween(Duration.ofMinutes(59).toNanos() / 1000, Duration.ofMinutes(61).toNanos() / 1000);
	}

	@Test
	void reloadsTheScriptWhenRedisForgotIt() {
		LimitSpec limit = LimitSpec.of(2, Duration.ofMinutes(1), Algorithm.FIXED_WINDOW);
		assertState(check(limit, 1), true, 1, seconds(60), 0);
		// EVALSHA fails with NOSCRIPT after a flush (or a failover); the template falls back to EVAL.
		redis.execute((RedisCallback<Void>) (connection) -> {
			connection.scriptingCommands().scriptFlush();
			return null;
		});
		assertState(check(limit, 1), true, 0, seconds(60), 0);
	}

	private LimitState check(LimitSpec limit, long cost) {
		return check(List.of(limit), cost).limits().get(0);
	}

	private Decision check(List<LimitSpec> limits, long cost) {
		return this.limiter.check(new RateLimitRequest("u:test", "op", limits, cost));
	}

	private Set<String> keys() {
		return redis.keys(this.prefix + ":*");
	}

	private String onlyKey() {
		Set<String> keys = keys();
		assertThat(keys).hasSize(1);
		return keys.iterator().next();
	}

	private static void assertState(LimitState state, boolean allowed, long remaining, long resetMicros,
			long retryMicros) {
		assertThat(state).as("state of %s", state.limit())
			.extracting(LimitState::allowed, LimitState::remaining, LimitState::resetAfter, LimitState::retryAfter)
			.containsExactly(allowed, remaining, Duration.ofNanos(resetMicros * 1000),
					Duration.ofNanos(retryMicros * 1000));
	}

	private static void assertTtl(String key, long expectedMillis) {
		// PTTL counts down in real time while the test runs.
		assertThat(redis.getExpire(key, TimeUnit.MILLISECONDS)).isBetween(expectedMillis - 5_000,
				expectedMillis);
	}

	private static long seconds(long seconds) {
		return seconds * 1_000_000L;
	}

	private static long millis(long millis) {
		return millis * 1_000L;
	}

}
