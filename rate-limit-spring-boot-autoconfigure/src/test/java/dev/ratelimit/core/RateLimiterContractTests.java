package dev.ratelimit.core;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import dev.ratelimit.test.MutableClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import static dev.ratelimit.core.Algorithm.FIXED_WINDOW;
import static dev.ratelimit.core.Algorithm.SLIDING_LOG;
import static dev.ratelimit.core.Algorithm.SLIDING_WINDOW;
import static dev.ratelimit.core.Algorithm.TOKEN_BUCKET;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The behaviour every {@link RateLimiter} must show, with the values of
 * {@code docs/algorithms.md} computed by hand. Every test uses its own random scope, so
 * the tests share no state and can run against one shared Redis. Windows are long
 * (minutes to days) and the clock only moves when a test moves it, so a limiter whose
 * keys expire in real time (Redis TTLs) loses nothing while a test runs.
 * <p>
 * Notation in comments: {@code t0} is the start of the test (midnight, aligned to every
 * window), {@code T} the token bucket's emission interval ({@code window / limit}).
 *
 * @author rate-limit-spring-boot
 */
public abstract class RateLimiterContractTests {

	private static final Duration MICROSECOND = Duration.ofNanos(1000);

	private static final Duration MINUTE = Duration.ofMinutes(1);

	private static final Duration HOUR = Duration.ofHours(1);

	private static final Duration DAY = Duration.ofDays(1);

	private MutableClock clock;

	private RateLimiter limiter;

	private String scope;

	/**
	 * Create the limiter under test.
	 * @param clock the clock, starting at {@link MutableClock#startingAtMidnight()}; a
	 * limiter that cannot read it must pass its time as "now" some other way
	 * @return the limiter
	 */
	protected abstract RateLimiter createLimiter(MutableClock clock);

	@BeforeEach
	void createLimiterAndScope() {
		this.clock = MutableClock.startingAtMidnight();
		this.limiter = createLimiter(this.clock);
		this.scope = "contract-" + UUID.randomUUID();
	}

	@ParameterizedTest
	@MethodSource("exhaustion")
	void admitsExactlyTheLimitThenDenies(Algorithm algorithm, Duration firstReset, Duration deniedReset,
			Duration deniedRetry) {
		LimitSpec limit = LimitSpec.of(5, HOUR, algorithm);
		assertThat(single(check(1, limit))).isEqualTo(allowed(limit, 4, firstReset));
		for (long remaining = 3; remaining >= 0; remaining--) {
			assertThat(single(check(1, limit)).remaining()).isEqualTo(remaining);
		}
		Decision denied = check(1, limit);
		assertThat(denied.isAllowed()).isFalse();
		assertThat(denied.retryAfter()).isEqualTo(deniedRetry);
		assertThat(single(denied)).isEqualTo(denied(limit, 0, deniedReset, deniedRetry));
		assertThat(single(check(1, limit))).as("a denied request consumes nothing")
			.isEqualTo(denied(limit, 0, deniedReset, deniedRetry));
	}

	static Stream<Arguments> exhaustion() {
		return Stream.of(
				// T = 12m: after one unit the bucket is full again in T; when empty, in
				// 5T, and the next unit fits in T
				Arguments.of(TOKEN_BUCKET, Duration.ofMinutes(12), HOUR, Duration.ofMinutes(12)),
				// everything resets at t0 + 1h
				Arguments.of(FIXED_WINDOW, HOUR, HOUR, HOUR),
				// slots of S = 6m: the slot of t0 counts until t0 + 11S = 66m; it is the
				// oldest slot from t0 + 60m, weighted 5 * (S - e) / S, which allows one
				// more unit from e = S / 5 = 72s
				Arguments.of(SLIDING_WINDOW, Duration.ofMinutes(66), Duration.ofMinutes(66),
						Duration.ofMinutes(60).plusSeconds(72)),
				// every unit frees one window after its admission
				Arguments.of(SLIDING_LOG, HOUR, HOUR, HOUR));
	}

	@ParameterizedTest
	@EnumSource(value = Algorithm.class, names = { "CONCURRENCY", "BUDGET", "BURST_ALLOWANCE" },
			mode = EnumSource.Mode.EXCLUDE)
	void peekAtAnUnusedLimitIsFullAndConsumesNothing(Algorithm algorithm) {
		LimitSpec limit = LimitSpec.of(5, HOUR, algorithm);
		Decision peek = check(0, limit);
		assertThat(peek.isAllowed()).isTrue();
		assertThat(single(peek)).isEqualTo(allowed(limit, 5, Duration.ZERO));
		assertThat(single(check(0, limit))).isEqualTo(allowed(limit, 5, Duration.ZERO));
		consume(5, limit);
	}

	@ParameterizedTest
	@MethodSource("exhaustedPeek")
	void peekAtAnExhaustedLimitIsAllowedWithNothingRemaining(Algorithm algorithm, Duration reset) {
		LimitSpec limit = LimitSpec.of(5, HOUR, algorithm);
		consume(5, limit);
		assertThat(single(check(0, limit))).isEqualTo(allowed(limit, 0, reset));
		assertThat(single(check(0, limit))).isEqualTo(allowed(limit, 0, reset));
		assertThat(check(1, limit).isAllowed()).isFalse();
	}

	static Stream<Arguments> exhaustedPeek() {
		return Stream.of(Arguments.of(TOKEN_BUCKET, HOUR), Arguments.of(FIXED_WINDOW, HOUR),
				Arguments.of(SLIDING_WINDOW, Duration.ofMinutes(66)), Arguments.of(SLIDING_LOG, HOUR));
	}

	@ParameterizedTest
	@MethodSource("costThatDoesNotFit")
	void costThatExactlyFitsIsAdmittedAndOneMoreIsNot(Algorithm algorithm, Duration deniedReset, Duration deniedRetry) {
		LimitSpec limit = LimitSpec.of(5, HOUR, algorithm);
		assertThat(single(check(2, limit)).remaining()).isEqualTo(3);
		assertThat(single(check(4, limit))).isEqualTo(denied(limit, 3, deniedReset, deniedRetry));
		Decision fits = check(3, limit);
		assertThat(fits.isAllowed()).isTrue();
		assertThat(single(fits).remaining()).isZero();
		assertThat(check(1, limit).isAllowed()).isFalse();
	}

	static Stream<Arguments> costThatDoesNotFit() {
		return Stream.of(
				// TAT = t0 + 2T (T = 12m): cost 4 fits once TAT + 4T - 5T = t0 + T
				Arguments.of(TOKEN_BUCKET, Duration.ofMinutes(24), Duration.ofMinutes(12)),
				Arguments.of(FIXED_WINDOW, HOUR, HOUR),
				// 2 + 4 > 5 until the slot of t0 is the oldest (t0 + 60m) and 2 * (S - e)
				// / S + 4 <= 5, i.e. e = S / 2 = 3m
				Arguments.of(SLIDING_WINDOW, Duration.ofMinutes(66), Duration.ofMinutes(63)),
				// the member at rank 2 + 4 - 5 - 1 = 0 was admitted at t0
				Arguments.of(SLIDING_LOG, HOUR, HOUR));
	}

	@ParameterizedTest
	@EnumSource(value = Algorithm.class, names = { "CONCURRENCY", "BUDGET", "BURST_ALLOWANCE" },
			mode = EnumSource.Mode.EXCLUDE)
	void costAboveTheCapacityIsDeniedAndConsumesNothing(Algorithm algorithm) {
		// The specification gives no meaningful retry for a cost that can never be
		// admitted, so only the denial is part of the contract.
		LimitSpec limit = LimitSpec.of(5, HOUR, algorithm);
		assertThat(single(check(5, limit)).allowed()).isTrue();
		this.scope = "contract-" + UUID.randomUUID();
		LimitState denied = single(check(6, limit));
		assertThat(denied.allowed()).isFalse();
		assertThat(denied.remaining()).isEqualTo(5);
		assertThat(single(check(0, limit))).isEqualTo(allowed(limit, 5, Duration.ZERO));
	}

	@Test
	void tokenBucketRefillsEvenly() {
		LimitSpec limit = LimitSpec.of(5, HOUR, TOKEN_BUCKET);
		consume(5, limit);
		// T = 12m; TAT = t0 + 60m
		this.clock.advance(Duration.ofMinutes(12).minus(MICROSECOND));
		assertThat(single(check(1, limit)))
			.isEqualTo(denied(limit, 0, Duration.ofMinutes(48).plus(MICROSECOND), MICROSECOND));
		this.clock.advance(MICROSECOND);
		// now t0 + 12m; TAT becomes t0 + 72m
		assertThat(single(check(1, limit))).isEqualTo(allowed(limit, 0, HOUR));
		this.clock.advance(Duration.ofMinutes(36));
		assertThat(single(check(0, limit))).isEqualTo(allowed(limit, 3, Duration.ofMinutes(24)));
		this.clock.advance(Duration.ofMinutes(24));
		assertThat(single(check(0, limit))).isEqualTo(allowed(limit, 5, Duration.ZERO));
	}

	@Test
	void tokenBucketWithBurstBelowTheLimitAdmitsOnlyTheBurstAtOnce() {
		// 60/1h refills one unit a minute (T = 1m) but holds at most 5
		LimitSpec limit = new LimitSpec(60, HOUR, TOKEN_BUCKET, 5);
		assertThat(single(check(1, limit))).isEqualTo(allowed(limit, 4, MINUTE));
		consume(4, limit);
		assertThat(single(check(1, limit))).isEqualTo(denied(limit, 0, Duration.ofMinutes(5), MINUTE));
		this.clock.advance(MINUTE);
		assertThat(single(check(1, limit))).isEqualTo(allowed(limit, 0, Duration.ofMinutes(5)));
		this.clock.advance(Duration.ofMinutes(2));
		assertThat(single(check(0, limit))).isEqualTo(allowed(limit, 2, Duration.ofMinutes(3)));
		this.clock.advance(Duration.ofHours(2));
		assertThat(single(check(0, limit)).remaining()).as("never more than the burst").isEqualTo(5);
		assertThat(single(check(6, limit)).allowed()).isFalse();
	}

	@Test
	void tokenBucketWithBurstAboveTheLimitAdmitsTheBurstAtOnce() {
		// T = 12m, tolerance = 10T = 2h
		LimitSpec limit = new LimitSpec(5, HOUR, TOKEN_BUCKET, 10);
		assertThat(single(check(10, limit))).isEqualTo(allowed(limit, 0, Duration.ofHours(2)));
		assertThat(single(check(1, limit))).isEqualTo(denied(limit, 0, Duration.ofHours(2), Duration.ofMinutes(12)));
	}

	@Test
	void fixedWindowResetsAtTheCalendarBoundary() {
		LimitSpec limit = LimitSpec.of(5, HOUR, FIXED_WINDOW);
		this.clock.advance(Duration.ofMinutes(59));
		assertThat(single(check(1, limit))).isEqualTo(allowed(limit, 4, MINUTE));
		consume(4, limit);
		assertThat(single(check(1, limit))).isEqualTo(denied(limit, 0, MINUTE, MINUTE));
		this.clock.advance(MINUTE.minus(MICROSECOND));
		assertThat(single(check(1, limit))).isEqualTo(denied(limit, 0, MICROSECOND, MICROSECOND));
		this.clock.advance(MICROSECOND);
		assertThat(single(check(1, limit))).isEqualTo(allowed(limit, 4, HOUR));
	}

	@Test
	void slidingLogFreesEachUnitOneWindowAfterItsAdmission() {
		LimitSpec limit = LimitSpec.of(5, HOUR, SLIDING_LOG);
		consume(1, 2, limit);
		this.clock.advance(Duration.ofMinutes(10));
		assertThat(single(check(3, limit))).isEqualTo(allowed(limit, 0, HOUR));
		this.clock.advance(Duration.ofMinutes(20));
		// t0 + 30m: the oldest unit (t0) frees at t0 + 60m, the newest (t0 + 10m) at t0 +
		// 70m
		assertThat(single(check(1, limit))).isEqualTo(denied(limit, 0, Duration.ofMinutes(40), Duration.ofMinutes(30)));
		// cost 3 needs the units up to rank 2 (admitted at t0 + 10m) to free
		assertThat(single(check(3, limit))).isEqualTo(denied(limit, 0, Duration.ofMinutes(40), Duration.ofMinutes(40)));
		this.clock.advance(Duration.ofMinutes(30).minus(MICROSECOND));
		assertThat(single(check(1, limit)))
			.isEqualTo(denied(limit, 0, Duration.ofMinutes(10).plus(MICROSECOND), MICROSECOND));
		this.clock.advance(MICROSECOND);
		// t0 + 60m: the two units of t0 are free
		assertThat(single(check(2, limit))).isEqualTo(allowed(limit, 0, HOUR));
		assertThat(single(check(1, limit))).isEqualTo(denied(limit, 0, HOUR, Duration.ofMinutes(10)));
	}

	@Test
	void slidingWindowWeighsTheOldestSlotAndBoundsTheTotal() {
		// S = 6m; the bound is 10 + 1 = 11
		LimitSpec limit = LimitSpec.of(10, HOUR, SLIDING_WINDOW);
		assertThat(single(check(10, limit))).isEqualTo(allowed(limit, 0, Duration.ofMinutes(66)));
		// once the slot of t0 is the oldest (t0 + 60m), 10 * (S - e) / S + 1 <= 10 from e
		// = 36s
		assertThat(single(check(1, limit)))
			.isEqualTo(denied(limit, 0, Duration.ofMinutes(66), Duration.ofMinutes(60).plusSeconds(36)));
		this.clock.advance(Duration.ofMinutes(63));
		// e = 3m: the estimate is 5, but the eleven slots already hold 10: one more
		// reaches the bound
		assertThat(single(check(1, limit))).isEqualTo(allowed(limit, 0, Duration.ofMinutes(63)));
		// the estimate (6) would admit more; the bound does not, until the slot of t0
		// leaves
		assertThat(single(check(1, limit))).isEqualTo(denied(limit, 0, Duration.ofMinutes(63), Duration.ofMinutes(3)));
		this.clock.advance(Duration.ofMinutes(3).minus(MICROSECOND));
		assertThat(single(check(1, limit)).retryAfter()).isEqualTo(MICROSECOND);
		this.clock.advance(MICROSECOND);
		// t0 + 66m: one unit (t0 + 63m) counts, in the oldest slot at full weight
		assertThat(single(check(1, limit))).isEqualTo(allowed(limit, 8, Duration.ofMinutes(66)));
		this.clock.advance(Duration.ofMinutes(33));
		// t0 + 99m: both units in full; the newest leaves at t0 + 66m + 66m
		assertThat(single(check(0, limit))).isEqualTo(allowed(limit, 8, Duration.ofMinutes(33)));
		this.clock.advance(Duration.ofMinutes(27));
		// t0 + 126m: the unit of t0 + 66m is in the oldest slot, weighted 1
		assertThat(single(check(0, limit))).isEqualTo(allowed(limit, 9, Duration.ofMinutes(6)));
		this.clock.advance(Duration.ofMinutes(6));
		assertThat(single(check(0, limit))).isEqualTo(allowed(limit, 10, Duration.ZERO));
	}

	@ParameterizedTest
	@MethodSource("adversarialPhases")
	void slidingWindowNeverAdmitsMoreThanTheLimitAndATenthInAnyRollingWindow(long limitValue, long phaseMicros,
			long attemptsPerWindow, long cost) {
		// A full burst placed at a phase of the sub-windows, then attempts at a steady
		// pace: the pattern under which a weighted estimate overshoots the most
		LimitSpec limit = LimitSpec.of(limitValue, HOUR, SLIDING_WINDOW);
		long window = limit.windowMicros();
		long bound = (limitValue * 11 + 9) / 10;
		List<Long> admitted = new ArrayList<>();
		this.clock.advance(Duration.of(phaseMicros, ChronoUnit.MICROS));
		long start = micros();
		while (check(cost, limit).isAllowed()) {
			for (int i = 0; i < cost; i++) {
				admitted.add(micros());
			}
		}
		long step = window / attemptsPerWindow;
		while (micros() < start + 4 * window) {
			this.clock.advance(Duration.of(step, ChronoUnit.MICROS));
			if (check(cost, limit).isAllowed()) {
				for (int i = 0; i < cost; i++) {
					admitted.add(micros());
				}
			}
		}
		assertThat(maxInRollingWindow(admitted, window)).isLessThanOrEqualTo(bound);
		// the long run is the limit: at most the limit per window, plus what the last
		// window holds
		assertThat((long) admitted.size()).isLessThanOrEqualTo(4 * limitValue + bound);
	}

	static Stream<Arguments> adversarialPhases() {
		long slot = HOUR.toNanos() / 1000 / 10;
		List<Arguments> arguments = new ArrayList<>();
		for (long limit : new long[] { 1, 5, 20, 64 }) {
			for (long phase : new long[] { 0, slot / 2, slot - 1, slot - 1000, 7 * slot + slot / 3 }) {
				arguments.add(Arguments.of(limit, phase, limit * 6, 1L));
			}
		}
		arguments.add(Arguments.of(20L, slot - 1, 97L, 3L));
		arguments.add(Arguments.of(64L, slot / 2, 640L, 4L));
		return arguments.stream();
	}

	@ParameterizedTest
	@EnumSource(value = Algorithm.class, names = { "CONCURRENCY", "BUDGET", "BURST_ALLOWANCE" },
			mode = EnumSource.Mode.EXCLUDE)
	void retryAfterIsExact(Algorithm algorithm) {
		// A caller that comes back one microsecond before its Retry-After is denied, and
		// one that comes back at it is admitted, from whatever state pseudo-random
		// traffic left behind
		LimitSpec limit = LimitSpec.of(7, HOUR, algorithm);
		Random random = new Random(13);
		for (int request = 0; request < 60; request++) {
			this.clock.advance(Duration.ofSeconds(random.nextInt(900)));
			long cost = 1 + random.nextInt(3);
			Decision decision = check(cost, limit);
			if (!decision.isAllowed()) {
				Duration retry = decision.retryAfter();
				assertThat(retry).isPositive();
				this.clock.advance(retry.minus(MICROSECOND));
				assertThat(check(cost, limit).isAllowed()).as("%s before its retry-after", cost).isFalse();
				this.clock.advance(MICROSECOND);
				assertThat(check(cost, limit).isAllowed()).as("%s at its retry-after", cost).isTrue();
			}
		}
	}

	@ParameterizedTest
	@EnumSource(value = Algorithm.class, names = { "CONCURRENCY", "BUDGET", "BURST_ALLOWANCE" },
			mode = EnumSource.Mode.EXCLUDE)
	void denialByTheShorterWindowConsumesNothingFromTheLonger(Algorithm algorithm) {
		LimitSpec hourly = LimitSpec.of(5, HOUR, algorithm);
		LimitSpec daily = LimitSpec.of(20, DAY, algorithm);
		consume(5, hourly, daily);
		LimitState dailyBefore = single(check(0, daily));
		assertThat(dailyBefore.remaining()).isEqualTo(15);
		Decision decision = check(1, hourly, daily);
		assertThat(decision.isAllowed()).isFalse();
		assertThat(decision.binding().limit()).isEqualTo(hourly);
		assertThat(decision.limits().get(1).allowed()).isTrue();
		assertThat(single(check(0, daily))).isEqualTo(dailyBefore);
	}

	@ParameterizedTest
	@EnumSource(value = Algorithm.class, names = { "CONCURRENCY", "BUDGET", "BURST_ALLOWANCE" },
			mode = EnumSource.Mode.EXCLUDE)
	void denialByTheLongerWindowConsumesNothingFromTheShorter(Algorithm algorithm) {
		LimitSpec hourly = LimitSpec.of(20, HOUR, algorithm);
		LimitSpec daily = LimitSpec.of(5, DAY, algorithm);
		assertThat(check(5, hourly, daily).isAllowed()).isTrue();
		LimitState hourlyBefore = single(check(0, hourly));
		assertThat(hourlyBefore.remaining()).isEqualTo(15);
		Decision decision = check(1, hourly, daily);
		assertThat(decision.isAllowed()).isFalse();
		assertThat(decision.binding().limit()).isEqualTo(daily);
		assertThat(decision.limits().get(0).allowed()).isTrue();
		assertThat(single(check(0, hourly))).isEqualTo(hourlyBefore);
		LimitState dailyState = check(0, hourly, daily).limits().get(1);
		assertThat(dailyState.remaining()).isZero();
	}

	@Test
	void peekReportsEveryLimitOfTheRequest() {
		LimitSpec hourly = LimitSpec.of(5, HOUR, FIXED_WINDOW);
		LimitSpec daily = LimitSpec.of(20, DAY, TOKEN_BUCKET);
		consume(2, hourly, daily);
		Decision peek = check(0, hourly, daily);
		assertThat(peek.isAllowed()).isTrue();
		assertThat(peek.limits()).extracting(LimitState::remaining).containsExactly(3L, 18L);
		assertThat(check(0, hourly, daily).limits()).isEqualTo(peek.limits());
	}

	@Test
	void deniedDecisionIsBoundByTheLimitWithTheLongestWait() {
		LimitSpec perMinute = LimitSpec.of(2, MINUTE, FIXED_WINDOW);
		LimitSpec perHour = LimitSpec.of(2, HOUR, FIXED_WINDOW);
		this.clock.advance(Duration.ofSeconds(30));
		consume(2, perMinute, perHour);
		Decision decision = check(1, perMinute, perHour);
		assertThat(decision.limits()).extracting(LimitState::retryAfter)
			.containsExactly(Duration.ofSeconds(30), Duration.ofSeconds(3570));
		assertThat(decision.binding().limit()).isEqualTo(perHour);
		assertThat(decision.retryAfter()).isEqualTo(Duration.ofSeconds(3570));
	}

	@Test
	void allowedDecisionIsBoundByTheLimitWithTheFewestRemaining() {
		LimitSpec hourly = LimitSpec.of(10, HOUR, FIXED_WINDOW);
		LimitSpec daily = LimitSpec.of(3, DAY, FIXED_WINDOW);
		Decision decision = check(1, hourly, daily);
		assertThat(decision.isAllowed()).isTrue();
		assertThat(decision.binding()).isEqualTo(allowed(daily, 2, DAY));
		assertThat(decision.retryAfter()).isZero();
	}

	@ParameterizedTest
	@EnumSource(value = Algorithm.class, names = { "CONCURRENCY", "BUDGET", "BURST_ALLOWANCE" },
			mode = EnumSource.Mode.EXCLUDE)
	void differentScopesAndOperationsAreIndependent(Algorithm algorithm) {
		LimitSpec limit = LimitSpec.of(5, HOUR, algorithm);
		consume(5, limit);
		assertThat(check(1, limit).isAllowed()).isFalse();
		String otherScope = "contract-" + UUID.randomUUID();
		assertThat(single(this.limiter.check(request(otherScope, "op", 1, limit))).remaining()).isEqualTo(4);
		assertThat(single(this.limiter.check(request(this.scope, "other-op", 1, limit))).remaining()).isEqualTo(4);
		assertThat(check(1, limit).isAllowed()).isFalse();
	}

	@ParameterizedTest
	@EnumSource(value = Algorithm.class, names = { "CONCURRENCY", "BUDGET", "BURST_ALLOWANCE" },
			mode = EnumSource.Mode.EXCLUDE)
	void concurrentRequestsAdmitExactlyTheLimit(Algorithm algorithm) throws Exception {
		int threads = 8;
		int requestsPerThread = 200;
		LimitSpec limit = LimitSpec.of(500, HOUR, algorithm);
		ExecutorService executor = Executors.newFixedThreadPool(threads);
		try {
			CountDownLatch start = new CountDownLatch(1);
			List<Callable<Integer>> tasks = new ArrayList<>();
			for (int i = 0; i < threads; i++) {
				tasks.add(() -> {
					start.await();
					int allowed = 0;
					for (int j = 0; j < requestsPerThread; j++) {
						allowed += check(1, limit).isAllowed() ? 1 : 0;
					}
					return allowed;
				});
			}
			List<Future<Integer>> results = new ArrayList<>();
			for (Callable<Integer> task : tasks) {
				results.add(executor.submit(task));
			}
			start.countDown();
			int allowed = 0;
			for (Future<Integer> result : results) {
				allowed += result.get(60, TimeUnit.SECONDS);
			}
			assertThat(allowed).isEqualTo(500);
			assertThat(single(check(0, limit)).remaining()).isZero();
		}
		finally {
			executor.shutdownNow();
		}
	}

	private long micros() {
		Instant instant = this.clock.instant();
		return instant.getEpochSecond() * 1_000_000L + instant.getNano() / 1000;
	}

	private static long maxInRollingWindow(List<Long> admitted, long window) {
		long max = 0;
		int first = 0;
		for (int last = 0; last < admitted.size(); last++) {
			while (admitted.get(first) <= admitted.get(last) - window) {
				first++;
			}
			max = Math.max(max, last - first + 1);
		}
		return max;
	}

	private Decision check(long cost, LimitSpec... limits) {
		return this.limiter.check(request(this.scope, "op", cost, limits));
	}

	private void consume(int times, LimitSpec... limits) {
		consume(times, 1, limits);
	}

	private void consume(int times, long cost, LimitSpec... limits) {
		for (int i = 0; i < times; i++) {
			assertThat(check(cost, limits).isAllowed()).as("request %d of %d", i + 1, times).isTrue();
		}
	}

	private static RateLimitRequest request(String scope, String operation, long cost, LimitSpec... limits) {
		return new RateLimitRequest(scope, operation, List.of(limits), cost);
	}

	private static LimitState single(Decision decision) {
		assertThat(decision.limits()).hasSize(1);
		return decision.limits().get(0);
	}

	private static LimitState allowed(LimitSpec limit, long remaining, Duration reset) {
		return new LimitState(limit, true, remaining, reset, Duration.ZERO);
	}

	private static LimitState denied(LimitSpec limit, long remaining, Duration reset, Duration retry) {
		return new LimitState(limit, false, remaining, reset, retry);
	}

}
