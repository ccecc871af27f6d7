package dev.ratelimit.local;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.Decision;
import dev.ratelimit.core.LimitSpec;
import dev.ratelimit.core.RateLimitRequest;
import dev.ratelimit.test.MutableClock;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for what is specific to {@link InMemoryRateLimiter}: expiry, sweeping and the key
 * bound. Its limiting behaviour is covered by {@link InMemoryRateLimiterContractTests}.
 *
 * @author rate-limit-spring-boot
 */
class InMemoryRateLimiterTests {

	private static final LimitSpec PER_SECOND = LimitSpec.of(5, Duration.ofSeconds(1), Algorithm.FIXED_WINDOW);

	private static final LimitSpec PER_MINUTE = LimitSpec.of(5, Duration.ofMinutes(1), Algorithm.FIXED_WINDOW);

	private static final LimitSpec PER_HOUR = LimitSpec.of(5, Duration.ofHours(1), Algorithm.FIXED_WINDOW);

	private static final LimitSpec PER_DAY = LimitSpec.of(5, Duration.ofDays(1), Algorithm.FIXED_WINDOW);

	private final MutableClock clock = MutableClock.startingAtMidnight();

	@Test
	void peeksAndDenialsStoreNothing() {
		InMemoryRateLimiter limiter = new InMemoryRateLimiter(this.clock);
		assertThat(limiter.check(request("a", 0, PER_HOUR)).isAllowed()).isTrue();
		assertThat(limiter.size()).isZero();
		assertThat(limiter.check(request("a", 5, PER_HOUR)).isAllowed()).isTrue();
		assertThat(limiter.size()).isOne();
		assertThat(limiter.check(request("a", 1, PER_HOUR, PER_DAY)).isAllowed()).isFalse();
		assertThat(limiter.size()).isOne();
	}

	@Test
	void everyLimitOfAnAdmittedRequestIsOneKey() {
		InMemoryRateLimiter limiter = new InMemoryRateLimiter(this.clock);
		limiter.check(request("a", 1, PER_HOUR, PER_DAY, LimitSpec.of(5, Duration.ofHours(1))));
		limiter.check(request("a", 1, PER_HOUR, PER_DAY));
		limiter.check(new RateLimitRequest("a", "other", List.of(PER_HOUR), 1));
		assertThat(limiter.size()).isEqualTo(4);
	}

	@Test
	void expiredKeysAreSweptPeriodically() {
		InMemoryRateLimiter limiter = new InMemoryRateLimiter(this.clock, 1000, 1);
		for (int i = 0; i < 10; i++) {
			limiter.check(request("scope-" + i, 1, PER_SECOND));
		}
		limiter.check(request("long-lived", 1, PER_DAY));
		this.clock.advance(Duration.ofSeconds(1));
		assertThat(limiter.size()).as("expired keys linger until swept").isEqualTo(11);
		for (int i = 0; i < Stripe.SWEEP_INTERVAL; i++) {
			limiter.check(request("peek", 0, PER_HOUR));
		}
		assertThat(limiter.size()).isOne();
		assertThat(limiter.check(request("long-lived", 0, PER_DAY)).limits().get(0).remaining()).isEqualTo(4);
	}

	@Test
	void removeExpiredRemovesOnlyExpiredKeys() {
		InMemoryRateLimiter limiter = new InMemoryRateLimiter(this.clock);
		for (int i = 0; i < 100; i++) {
			limiter.check(request("scope-" + i, 1, (i % 2 == 0) ? PER_SECOND : PER_HOUR));
		}
		this.clock.advance(Duration.ofMillis(999));
		limiter.removeExpired();
		assertThat(limiter.size()).isEqualTo(100);
		this.clock.advance(Duration.ofMillis(1));
		limiter.removeExpired();
		assertThat(limiter.size()).isEqualTo(50);
	}

	@Test
	void keysExpireWithTheTimeToLiveOfTheSpecification() {
		InMemoryRateLimiter limiter = new InMemoryRateLimiter(this.clock);
		// token bucket 5/1h: T = 12m, so one unit lives for 12 minutes
		limiter.check(request("a", 1, LimitSpec.of(5, Duration.ofHours(1))));
		this.clock.advance(Duration.ofMinutes(12).minusNanos(1000));
		limiter.removeExpired();
		assertThat(limiter.size()).isOne();
		this.clock.advance(Duration.ofNanos(1000));
		limiter.removeExpired();
		assertThat(limiter.size()).isZero();
	}

	@Test
	void sizeNeverExceedsMaxKeys() {
		InMemoryRateLimiter limiter = new InMemoryRateLimiter(this.clock, 100);
		for (int i = 0; i < 1000; i++) {
			assertThat(limiter.check(request("scope-" + i, 1, PER_HOUR)).isAllowed()).isTrue();
			assertThat(limiter.size()).isLessThanOrEqualTo(100);
		}
		assertThat(limiter.size()).isEqualTo(100);
	}

	@Test
	void sizeNeverExceedsMaxKeysAcrossStripes() {
		InMemoryRateLimiter limiter = new InMemoryRateLimiter(this.clock, 10_000);
		for (int i = 0; i < 50_000; i++) {
			limiter.check(request("scope-" + i, 1, PER_HOUR, PER_DAY));
		}
		assertThat(limiter.size()).isLessThanOrEqualTo(10_000).isGreaterThan(9_000);
	}

	@Test
	void evictionRemovesExpiredKeysFirstThenThoseThatExpireSoonest() {
		InMemoryRateLimiter limiter = new InMemoryRateLimiter(this.clock, 3, 1);
		limiter.check(request("second", 1, PER_SECOND));
		limiter.check(request("day", 1, PER_DAY));
		limiter.check(request("minute", 1, PER_MINUTE));
		this.clock.advance(Duration.ofSeconds(1));
		limiter.check(request("hour", 1, PER_HOUR));
		assertThat(limiter.size()).isEqualTo(3);
		assertThat(remaining(limiter, "day", PER_DAY)).isEqualTo(4);
		assertThat(remaining(limiter, "minute", PER_MINUTE)).isEqualTo(4);
		limiter.check(request("another-hour", 1, PER_HOUR));
		assertThat(limiter.size()).isEqualTo(3);
		assertThat(remaining(limiter, "minute", PER_MINUTE)).as("evicted, so forgotten").isEqualTo(5);
		assertThat(remaining(limiter, "day", PER_DAY)).isEqualTo(4);
		assertThat(remaining(limiter, "hour", PER_HOUR)).isEqualTo(4);
		assertThat(remaining(limiter, "another-hour", PER_HOUR)).isEqualTo(4);
	}

	@Test
	void evictionNeverRemovesTheKeysOfTheRequestBeingWritten() {
		InMemoryRateLimiter limiter = new InMemoryRateLimiter(this.clock, 2, 1);
		limiter.check(request("a", 1, PER_DAY, PER_HOUR));
		limiter.check(request("b", 1, PER_SECOND, PER_MINUTE));
		assertThat(limiter.size()).isEqualTo(2);
		assertThat(remaining(limiter, "b", PER_SECOND)).isEqualTo(4);
		assertThat(remaining(limiter, "b", PER_MINUTE)).isEqualTo(4);
		assertThat(remaining(limiter, "a", PER_HOUR)).isEqualTo(5);
		limiter.check(request("b", 1, PER_SECOND, PER_MINUTE));
		assertThat(remaining(limiter, "b", PER_SECOND)).isEqualTo(3);
	}

	@Test
	void concurrentRequestsOnManyScopesAdmitExactlyTheLimitOfEach() throws Exception {
		InMemoryRateLimiter limiter = new InMemoryRateLimiter(this.clock);
		LimitSpec limit = LimitSpec.of(50, Duration.ofHours(1), Algorithm.SLIDING_LOG);
		int scopes = 40;
		ExecutorService executor = Executors.newFixedThreadPool(8);
		try {
			List<Future<int[]>> results = new ArrayList<>();
			for (int thread = 0; thread < 8; thread++) {
				results.add(executor.submit(() -> {
					int[] allowed = new int[scopes];
					for (int i = 0; i < 100 * scopes; i++) {
						int scope = i % scopes;
						allowed[scope] += limiter.check(request("scope-" + scope, 1, limit)).isAllowed() ? 1 : 0;
					}
					return allowed;
				}));
			}
			int[] total = new int[scopes];
			for (Future<int[]> result : results) {
				int[] allowed = result.get(60, TimeUnit.SECONDS);
				for (int i = 0; i < scopes; i++) {
					total[i] += allowed[i];
				}
			}
			assertThat(total).containsOnly(50);
		}
		finally {
			executor.shutdownNow();
		}
	}

	@Test
	void defaultConstructorUsesTheSystemClock() {
		Decision decision = new InMemoryRateLimiter().check(request("a", 1, PER_HOUR));
		assertThat(decision.isAllowed()).isTrue();
		assertThat(decision.limits().get(0).resetAfter()).isPositive().isLessThanOrEqualTo(Duration.ofHours(1));
	}

	@Test
	void maxKeysMustBePositive() {
		assertThatIllegalArgumentException().isThrownBy(() -> new InMemoryRateLimiter(this.clock, 0))
			.withMessageContaining("maxKeys");
	}

	private static int remaining(InMemoryRateLimiter limiter, String scope, LimitSpec limit) {
		return (int) limiter.check(request(scope, 0, limit)).limits().get(0).remaining();
	}

	private static RateLimitRequest request(String scope, long cost, LimitSpec... limits) {
		return new RateLimitRequest(scope, "op", List.of(limits), cost);
	}

}
