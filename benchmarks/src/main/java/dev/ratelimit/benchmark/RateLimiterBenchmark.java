package dev.ratelimit.benchmark;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.LimitSpec;
import dev.ratelimit.core.RateLimitRequest;
import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.local.InMemoryRateLimiter;
import dev.ratelimit.redis.RedisRateLimiter;
import dev.ratelimit.resilience.BackendCallExecutor;
import dev.ratelimit.resilience.FailureMode;
import dev.ratelimit.resilience.OverLimitCachingRateLimiter;
import dev.ratelimit.resilience.ResilientRateLimiter;
import dev.ratelimit.test.RedisServer;
import dev.ratelimit.test.RedisServers;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Closed-loop load on a limiter: {@code threads} callers each issue checks back to back
 * for a fixed time. Reports throughput and latency percentiles per scenario. Not a test:
 * numbers depend on the machine, so they belong in the README with the command that
 * produced them.
 *
 * @author rate-limit-spring-boot
 */
public final class RateLimiterBenchmark {

	private static final List<LimitSpec> TWO_WINDOWS = List.of(LimitSpec.of(1_000_000_000L, Duration.ofHours(1)),
			LimitSpec.of(1_000_000_000L, Duration.ofDays(1)));

	private static final AtomicLong FALLBACKS = new AtomicLong();

	private RateLimiterBenchmark() {
	}

	public static void main(String[] args) throws Exception {
		int threads = (args.length > 0) ? Integer.parseInt(args[0]) : 8;
		Duration duration = Duration.ofSeconds((args.length > 1) ? Long.parseLong(args[1]) : 10);
		RedisServer redis = RedisServers.shared();
		LettuceConnectionFactory connectionFactory = new LettuceConnectionFactory(
				new RedisStandaloneConfiguration(redis.host(), redis.port()));
		connectionFactory.afterPropertiesSet();
		connectionFactory.start();
		RateLimiter redisLimiter = new RedisRateLimiter(new StringRedisTemplate(connectionFactory), "bench");
		// The same limiter on Lettuce's native asynchronous commands: what the
		// auto-configuration builds.
		RateLimiter asyncRedisLimiter = new RedisRateLimiter(connectionFactory, "bench");
		RateLimiter memoryLimiter = new InMemoryRateLimiter();
		// What the auto-configuration builds: the Redis limiter with a time limit inside
		// a circuit breaker, and the over-limit cache around that; with Lettuce the check
		// is asynchronous and waited for on the calling thread, with a blocking client
		// (Jedis) it runs on a bounded executor. The time limit is longer than the
		// default 100ms so that a starved benchmark machine measures the overhead rather
		// than the fallback.
		ResilientRateLimiter resilientLimiter = resilient(redisLimiter);
		ResilientRateLimiter asyncResilientLimiter = resilient(asyncRedisLimiter);
		ResilientRateLimiter cachedDelegate = resilient(asyncRedisLimiter);
		RateLimiter cachedLimiter = new OverLimitCachingRateLimiter(cachedDelegate);
		System.out.printf("%d threads, %ds per scenario, %s, %d cores%n%n", threads, duration.toSeconds(), redis.url(),
				Runtime.getRuntime().availableProcessors());
		System.out.printf("%-48s %12s %9s %9s %9s%n", "scenario", "checks/s", "p50 µs", "p99 µs", "p99.9 µs");
		for (Algorithm algorithm : List.of(Algorithm.TOKEN_BUCKET, Algorithm.SLIDING_WINDOW, Algorithm.FIXED_WINDOW)) {
			List<LimitSpec> limits = TWO_WINDOWS.stream()
				.map((limit) -> LimitSpec.of(limit.limit(), limit.window(), algorithm))
				.toList();
			run("redis " + name(algorithm) + ", 2 windows, many callers", redisLimiter, threads, duration,
					(i) -> new RateLimitRequest("u:" + (i % 10_000), "op", limits, 1));
		}
		run("redis sliding-log 1000/1m, many callers", redisLimiter, threads, duration,
				(i) -> new RateLimitRequest("u:" + (i % 10_000), "op",
						List.of(LimitSpec.of(1000, Duration.ofMinutes(1), Algorithm.SLIDING_LOG)), 1));
		run("redis token-bucket, 2 windows, one hot caller", redisLimiter, threads, duration,
				(i) -> new RateLimitRequest("u:hot", "op", TWO_WINDOWS, 1));
		run("in-memory token-bucket, 2 windows, many callers", memoryLimiter, threads, duration,
				(i) -> new RateLimitRequest("u:" + (i % 10_000), "op", TWO_WINDOWS, 1));
		// The cost of the resilient layer: the same load, plain and resilient, back to
		// back.
		IntFunction<RateLimitRequest> manyCallers = (i) -> new RateLimitRequest("u:" + (i % 10_000), "op", TWO_WINDOWS,
				1);
		run("redis token-bucket, 2 windows, many callers", redisLimiter, threads, duration, manyCallers);
		run("resilient redis (executor + breaker), same", resilientLimiter, threads, duration, manyCallers);
		run("resilient redis (async lettuce + breaker), same", asyncResilientLimiter, threads, duration, manyCallers);
		run("over-limit cache + resilient redis, same", cachedLimiter, threads, duration, manyCallers);
		run("over-limit cache, denied callers (no redis call)", cachedLimiter, threads, duration,
				(i) -> new RateLimitRequest("u:denied-" + (i % 1_000), "op",
						List.of(LimitSpec.of(1, Duration.ofHours(1))), 1));
		resilientLimiter.close();
		asyncResilientLimiter.close();
		cachedDelegate.close();
		connectionFactory.destroy();
		System.exit(0);
	}

	private static ResilientRateLimiter resilient(RateLimiter redisLimiter) {
		CircuitBreaker breaker = CircuitBreaker.of("ratelimit",
				CircuitBreakerConfig.custom()
					.slidingWindow(10, 5, SlidingWindowType.COUNT_BASED)
					.waitDurationInOpenState(Duration.ofSeconds(5))
					.build());
		return new ResilientRateLimiter(redisLimiter, FailureMode.LOCAL, new InMemoryRateLimiter(), 1, breaker,
				BackendCallExecutor.create(64), Duration.ofSeconds(1));
	}

	private static String name(Algorithm algorithm) {
		return algorithm.name().toLowerCase().replace('_', '-');
	}

	private static void run(String name, RateLimiter limiter, int threads, Duration duration,
			IntFunction<RateLimitRequest> requests) throws Exception {
		// Warm up the JIT, the connection and the script cache.
		measure(limiter, threads, Duration.ofSeconds(2), requests);
		FALLBACKS.set(0);
		long[] latencies = measure(limiter, threads, duration, requests);
		Arrays.sort(latencies);
		System.out.printf("%-48s %,12d %9.0f %9.0f %9.0f%s%n", name, latencies.length / duration.toSeconds(),
				percentile(latencies, 0.50), percentile(latencies, 0.99), percentile(latencies, 0.999),
				(FALLBACKS.get() > 0) ? "  (" + FALLBACKS.get() + " decided by the fallback)" : "");
	}

	private static long[] measure(RateLimiter limiter, int threads, Duration duration,
			IntFunction<RateLimitRequest> requests) throws Exception {
		ExecutorService executor = Executors.newFixedThreadPool(threads);
		long end = System.nanoTime() + duration.toNanos();
		List<Future<long[]>> futures = new ArrayList<>();
		for (int t = 0; t < threads; t++) {
			int offset = t * 1_000_003;
			futures.add(executor.submit(() -> {
				long[] samples = new long[1 << 16];
				int count = 0;
				for (int i = offset; System.nanoTime() < end; i++) {
					RateLimitRequest request = requests.apply(i);
					long start = System.nanoTime();
					if (limiter.check(request).isFallback()) {
						FALLBACKS.incrementAndGet();
					}
					if (count == samples.length) {
						samples = Arrays.copyOf(samples, samples.length * 2);
					}
					samples[count++] = System.nanoTime() - start;
				}
				return Arrays.copyOf(samples, count);
			}));
		}
		List<long[]> all = new ArrayList<>();
		for (Future<long[]> future : futures) {
			all.add(future.get());
		}
		executor.shutdown();
		return all.stream().flatMapToLong(Arrays::stream).toArray();
	}

	private static double percentile(long[] sorted, double quantile) {
		return sorted[Math.min(sorted.length - 1, (int) (sorted.length * quantile))] / 1000.0;
	}

}
