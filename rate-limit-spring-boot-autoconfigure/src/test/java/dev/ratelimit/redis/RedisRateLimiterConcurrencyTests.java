package dev.ratelimit.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.LimitSpec;
import dev.ratelimit.core.RateLimitRequest;
import dev.ratelimit.test.MutableClock;
import dev.ratelimit.test.RedisServer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.data.redis.core.StringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests that {@link RedisRateLimiter} never admits more than the limit when many callers
 * race for the same key: the script's read and write are one atomic step.
 *
 * @author rate-limit-spring-boot
 */
class RedisRateLimiterConcurrencyTests {

	private static final int THREADS = 16;

	private static final int REQUESTS_PER_THREAD = 100;

	private static final int LIMIT = 500;

	private static final StringRedisTemplate redis = TestRedisTemplate.get();

	@ParameterizedTest
	@EnumSource(value = Algorithm.class, names = { "CONCURRENCY", "BUDGET", "BURST_ALLOWANCE" },
			mode = EnumSource.Mode.EXCLUDE)
	void admitsExactlyTheLimitUnderContention(Algorithm algorithm) throws Exception {
		// A clock that stands still: nothing refills or slides while the threads race, so
		// exactly LIMIT must pass whatever the interleaving.
		RedisRateLimiter limiter = new RedisRateLimiter(redis, "rl-test-" + UUID.randomUUID(),
				MutableClock.startingAtMidnight());
		RateLimitRequest request = new RateLimitRequest("u:race", "op",
				List.of(LimitSpec.of(LIMIT, Duration.ofHours(1), algorithm)), 1);
		ExecutorService executor = Executors.newFixedThreadPool(THREADS);
		try {
			CountDownLatch start = new CountDownLatch(1);
			List<Future<Integer>> admitted = new ArrayList<>();
			for (int thread = 0; thread < THREADS; thread++) {
				admitted.add(executor.submit(() -> {
					start.await();
					int count = 0;
					for (int i = 0; i < REQUESTS_PER_THREAD; i++) {
						if (limiter.check(request).isAllowed()) {
							count++;
						}
					}
					return count;
				}));
			}
			start.countDown();
			int total = 0;
			for (Future<Integer> future : admitted) {
				total += future.get(60, TimeUnit.SECONDS);
			}
			assertThat(total).isEqualTo(LIMIT);
			RateLimitRequest peek = new RateLimitRequest("u:race", "op", request.limits(), 0);
			assertThat(limiter.check(peek).limits().get(0).remaining()).isZero();
		}
		finally {
			executor.shutdownNow();
		}
	}

}
