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
 * Tests for the arithmetic of {@code check.lua} through {@link RedisRateLimiter}, against
 * a real Redis. Every expected value is worked out by hand from
 * {@code docs/algorithms.md}.
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

		// slots of S = 6s; the bound is 10 + 1 = 11
		private final LimitSpec limit = LimitSpec.of(10, Duration.ofMinutes(1), Algorithm.SLIDING_WINDOW);

		/** The slot of midnight (slot index = now / S). */
		private final long k = MIDNIGHT_MICROS / seconds(6);

		@Test
		void weighsTheOldestSlotAndBoundsTheTotal() {
			clock.advance(Duration.ofSeconds(30));
			// slot k + 5, e = 0: reset = (k + 5 + 11) * S - now = 66s
			assertState(check(this.limit, 6), true, 4, seconds(66), 0);
			assertTtl(onlyKey(), 66_000);
			clock.advance(Duration.ofSeconds(63));
			// slot k + 15, e = 3s: the 6 are in the oldest slot, weighted 6 * 3 / 6 = 3
			// remaining = min(floor(10 - 3 - 5), 11 - 6 - 5) = 0; reset = (k + 26) * S -
			// now = 63s
			assertState(check(this.limit, 5), true, 0, seconds(63), 0);
			assertTtl(onlyKey(), 63_000);
			// the total (11) is at the bound: only the slot of the 6 leaving frees it, at
			// (k + 16) * S
			assertState(check(this.limit, 1), false, 0, seconds(63), seconds(3));
			clock.advance(Duration.ofMillis(2999));
			assertThat(check(this.limit, 1).allowed()).isFalse();
			clock.advance(Duration.ofMillis(1));
			// slot k + 16, e = 0: the 5 count in full; remaining = min(10 - 5 - 1, 11 - 5
			// - 1) = 4
			assertState(check(this.limit, 1), true, 4, seconds(66), 0);
			// 6 + 5 > 10 until the slot of the 5 (k + 15) is the oldest, from (k + 25) *
			// S, weighted 5 * (S - e) / S + 1 + 5 <= 10 from e = S / 5 = 1.2s: retry =
			// 54s + 1.2s
			assertState(check(this.limit, 5), false, 4, seconds(66), seconds(54) + millis(1200));
		}

		@Test
		void storesOneCountPerSlot() {
			check(this.limit, 3);
			clock.advance(Duration.ofSeconds(13));
			check(this.limit, 2);
			check(this.limit, 1);
			// slots k and k + 2, under fields k mod 11 and (k + 2) mod 11
			assertThat(redis.<String, String>opsForHash().entries(onlyKey()))
				.containsExactlyInAnyOrderEntriesOf(Map.of("n", Long.toString(this.k + 2), Long.toString(this.k % 11),
						"3", Long.toString((this.k + 2) % 11), "3"));
			clock.advance(Duration.ofSeconds(47));
			// slot k + 10, e = 0: the 3 of slot k in full; the field of slot k + 2 - 11
			// is long gone
			check(this.limit, 1);
			assertThat(redis.<String, String>opsForHash().entries(onlyKey()))
				.containsExactlyInAnyOrderEntriesOf(Map.of("n", Long.toString(this.k + 10), Long.toString(this.k % 11),
						"3", Long.toString((this.k + 2) % 11), "3", Long.toString((this.k + 10) % 11), "1"));
			clock.advance(Duration.ofSeconds(12));
			// slot k + 12: slot k has left the window, and its field is that of the
			// skipped slot k + 11, so it is cleared; the field of slot k + 1 is that of k
			// + 12, so it is overwritten. Estimate = 3 (the oldest slot, k + 2, at e = 0)
			// + 1: remaining 10 - 4 - 1
			assertState(check(this.limit, 1), true, 5, seconds(66), 0);
			assertThat(redis.<String, String>opsForHash().entries(onlyKey())).containsExactlyInAnyOrderEntriesOf(
					Map.of("n", Long.toString(this.k + 12), Long.toString((this.k + 2) % 11), "3",
							Long.toString((this.k + 10) % 11), "1", Long.toString((this.k + 12) % 11), "1"));
			clock.advance(Duration.ofMinutes(3));
			assertState(check(this.limit, 0), true, 10, 0, 0);
			check(this.limit, 1);
			// more than a window later, the hash starts afresh
			assertThat(redis.<String, String>opsForHash().entries(onlyKey())).containsExactlyInAnyOrderEntriesOf(
					Map.of("n", Long.toString(this.k + 42), Long.toString((this.k + 42) % 11), "1"));
		}

		@Test
		void ignoresAHashOfTheEarlierScheme() {
			// the two-window scheme's key ended in ':sw'; even a hash of that shape under
			// the new key is no state of this one
			String key = this.limiterKey();
			redis.opsForHash().putAll(key, Map.of("w", Long.toString(MIDNIGHT_MICROS), "c", "10", "p", "10"));
			assertState(check(this.limit, 0), true, 10, 0, 0);
			assertState(check(this.limit, 1), true, 9, seconds(66), 0);
			assertThat(redis.<String, String>opsForHash().entries(key)).containsOnlyKeys("n",
					Long.toString(this.k % 11));
			assertThat(key).endsWith(":1m:sw2");
		}

		@Test
		void costZeroPeeksWithoutWriting() {
			assertState(check(this.limit, 0), true, 10, 0, 0);
			assertThat(keys()).isEmpty();
			check(this.limit, 4);
			clock.advance(Duration.ofSeconds(63));
			// slot k + 10, e = 3s: estimate = 4 * 3 / 6 = 2, but the total is 4:
			// remaining min(10 - 2, 11 - 4) = 7; reset = (k + 11) * S - now = 3s
			assertState(check(this.limit, 0), true, 7, seconds(3), 0);
			assertThat(redis.opsForHash().get(onlyKey(), "n")).isEqualTo(Long.toString(this.k));
		}

		@Test
		void costAboveLimitIsDeniedWithAFiniteRetry() {
			assertState(check(this.limit, 11), false, 10, 0, seconds(60));
		}

		@Test
		void largeLimitKeepsFullPrecision() {
			LimitSpec limit = LimitSpec.of(1_000_000_000L, Duration.ofDays(1), Algorithm.SLIDING_WINDOW);
			long day = Duration.ofDays(1).toNanos() / 1000;
			long slot = day / 10;
			assertState(check(limit, 999_999_999L), true, 1, day + slot, 0);
			assertThat(redis.opsForHash().get(onlyKey(), "n")).isEqualTo(Long.toString(MIDNIGHT_MICROS / slot));
			assertThat(redis.opsForHash().get(onlyKey(), Long.toString(MIDNIGHT_MICROS / slot % 11)))
				.isEqualTo("999999999");
			// once the slot is the oldest: ceil(S - 999_999_998 * S / 999_999_999) =
			// ceil(8.64000...)
			assertState(check(limit, 2), false, 1, day + slot, day + 9);
		}

		private String limiterKey() {
			return new RateLimitRequest("u:test", "op", List.of(this.limit), 1).key(prefix, this.limit);
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

	@Nested
	class BurstAllowance {

		private final LimitSpec limit = LimitSpec.of(1, Duration.ofMinutes(1), Algorithm.FIXED_WINDOW);

		private final LimitSpec allowance = LimitSpec.burstAllowance(2, Duration.ofMinutes(5));

		private String limitKey;

		private String allowanceKey;

		private List<String> keys;

		@BeforeEach
		void keys() {
			// after the outer class has chosen this test's prefix
			this.limitKey = new RateLimitRequest("u:test", "op", List.of(this.limit), 1)
				.key(RedisRateLimiterScriptTests.this.prefix, this.limit);
			this.allowanceKey = RedisRateLimiterScriptTests.this.prefix + ":{u:test}:op:5m:ba";
			this.keys = List.of(this.limitKey, this.allowanceKey);
		}

		@Test
		void repliesWhetherTheAllowanceWasConsultedAndWhetherItAdmitted() {
			String now = Long.toString(MIDNIGHT_MICROS);
			Object[] args = { now, "1", "fw", "1", "60000000", "1", "ba", "2", "300000000", "1" };
			// admitted by the limit: the allowance is not consulted (0 and zeros)
			assertThat(rawCheck(this.keys, args)).containsExactly(1L, 1L, 0L, seconds(60), 0L, 0L, 0L, 0L, 0L);
			// the limit denies, the allowance admits (1), twice
			assertThat(rawCheck(this.keys, args)).containsExactly(1L, 0L, 0L, seconds(60), seconds(60), 1L, 1L,
					seconds(300), 0L);
			assertThat(rawCheck(this.keys, args)).containsExactly(1L, 0L, 0L, seconds(60), seconds(60), 1L, 0L,
					seconds(300), 0L);
			// spent (2): denied, and the allowance says when it refills
			assertThat(rawCheck(this.keys, args)).containsExactly(0L, 0L, 0L, seconds(60), seconds(60), 2L, 0L,
					seconds(300), seconds(300));
		}

		@Test
		void aRequestWithoutAnAllowanceGetsTheReplyOfBefore() {
			Object[] args = { Long.toString(MIDNIGHT_MICROS), "1", "fw", "1", "60000000", "1" };
			assertThat(rawCheck(List.of(this.limitKey), args)).containsExactly(1L, 1L, 0L, seconds(60), 0L);
			assertThat(rawCheck(List.of(this.limitKey), args)).containsExactly(0L, 0L, 0L, seconds(60), seconds(60));
		}

		@Test
		void storesACountPerWindowWithTtlAndLeavesTheExhaustedLimitAlone() {
			check(List.of(this.limit, this.allowance), 1);
			check(List.of(this.limit, this.allowance), 1);
			assertThat(redis.<String, String>opsForHash().entries(this.allowanceKey))
				.containsExactlyInAnyOrderEntriesOf(Map.of("w", Long.toString(MIDNIGHT_MICROS), "c", "1"));
			assertTtl(this.allowanceKey, 300_000);
			assertThat(redis.opsForHash().get(this.limitKey, "c")).isEqualTo("1");
			assertThat(RedisRateLimiterScriptTests.this.keys()).containsExactlyInAnyOrder(this.limitKey,
					this.allowanceKey);
		}

		@SuppressWarnings("unchecked")
		private List<Long> rawCheck(List<String> keys, Object[] args) {
			String[] strings = new String[args.length];
			for (int i = 0; i < args.length; i++) {
				strings[i] = (String) args[i];
			}
			return redis.execute(org.springframework.data.redis.core.script.RedisScript
				.of(new org.springframework.core.io.ClassPathResource(RedisRateLimiter.SCRIPT_LOCATION), List.class),
					keys, (Object[]) strings);
		}

	}

	@ParameterizedTest
	@EnumSource(value = Algorithm.class, names = { "CONCURRENCY", "BUDGET", "BURST_ALLOWANCE" },
			mode = EnumSource.Mode.EXCLUDE)
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
	@EnumSource(value = Algorithm.class, names = { "CONCURRENCY", "BUDGET", "BURST_ALLOWANCE" },
			mode = EnumSource.Mode.EXCLUDE)
	void everyWrittenKeyHasATtlAndAllKeysShareOneHashTag(Algorithm algorithm) {
		RateLimitRequest request = new RateLimitRequest("u:abc", "generate",
				List.of(LimitSpec.of(5, Duration.ofSeconds(30), algorithm),
						LimitSpec.of(5, Duration.ofHours(1), algorithm),
						LimitSpec.of(5, Duration.ofDays(1), algorithm)),
				1);
		assertThat(this.limiter.check(request).isAllowed()).isTrue();
		Set<String> keys = keys();
		assertThat(keys).hasSize(3).allSatisfy((key) -> {
			assertThat(key).startsWith(this.prefix + ":{u:abc}:generate:");
			assertThat(redis.getExpire(key, TimeUnit.MILLISECONDS)).isPositive();
		});
		assertThat(keys.stream().map(SlotHash::getSlot).distinct()).hasSize(1);
		assertThat(keys).containsExactlyInAnyOrder(this.prefix + ":{u:abc}:generate:30s:" + algorithm.code(),
				this.prefix + ":{u:abc}:generate:1h:" + algorithm.code(),
				this.prefix + ":{u:abc}:generate:1d:" + algorithm.code());
	}

	@ParameterizedTest
	@EnumSource(value = Algorithm.class, names = { "CONCURRENCY", "BUDGET", "BURST_ALLOWANCE" },
			mode = EnumSource.Mode.EXCLUDE)
	void largeTimestampsKeepFullPrecision(Algorithm algorithm) {
		// 2250-01-01: about 8.5e15us, close to 2^53 (9.007e15), where doubles stop being
		// exact
		Instant instant = Instant.parse("2250-01-01T00:00:00.123456Z");
		long micros = instant.getEpochSecond() * 1_000_000L + 123_456;
		this.clock.set(instant);
		LimitSpec limit = LimitSpec.of(3, Duration.ofSeconds(1), algorithm);
		assertThat(check(limit, 1).allowed()).isTrue();
		String key = onlyKey();
		switch (algorithm) {
			case TOKEN_BUCKET -> assertThat(redis.opsForValue().get(key)).isEqualTo(Long.toString(micros + 333_333));
			case FIXED_WINDOW ->
				assertThat(redis.opsForHash().get(key, "w")).isEqualTo(Long.toString(micros - 123_456));
			case SLIDING_WINDOW ->
				assertThat(redis.opsForHash().get(key, "n")).isEqualTo(Long.toString(micros / 100_000));
			case SLIDING_LOG -> assertThat(redis.opsForZSet().range(key, 0, -1)).containsExactly(micros + ":0");
		}
		LimitState state = check(limit, 3);
		assertThat(state.allowed()).isFalse();
		// the sliding window needs its slot to become the oldest, a window later, too
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
		assertThat(tat - before).isBetween(Duration.ofMinutes(59).toNanos() / 1000,
				Duration.ofMinutes(61).toNanos() / 1000);
	}

	@Test
	void reloadsTheScriptWhenRedisForgotIt() {
		LimitSpec limit = LimitSpec.of(2, Duration.ofMinutes(1), Algorithm.FIXED_WINDOW);
		assertState(check(limit, 1), true, 1, seconds(60), 0);
		// EVALSHA fails with NOSCRIPT after a flush (or a failover); the template falls
		// back to EVAL.
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
		assertThat(redis.getExpire(key, TimeUnit.MILLISECONDS)).isBetween(expectedMillis - 5_000, expectedMillis);
	}

	private static long seconds(long seconds) {
		return seconds * 1_000_000L;
	}

	private static long millis(long millis) {
		return millis * 1_000L;
	}

}
