package dev.ratelimit.benchmark;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.LimitSpec;
import dev.ratelimit.core.RateLimitRequest;
import dev.ratelimit.redis.RedisRateLimiter;
import dev.ratelimit.test.MutableClock;
import dev.ratelimit.test.RedisServer;
import dev.ratelimit.test.RedisServers;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * How closely each algorithm keeps "at most {@code L} per rolling window", measured on a
 * real Redis: Poisson arrivals per caller at 1.25x and 2.5x the limit, a fresh caller
 * bursting at 2.5x from every phase of the calendar windows, and traffic where most
 * callers stay under their limits. For every algorithm it prints the most units admitted
 * within any rolling window, the long-run admitted rate, and the share of decisions that
 * differ from those of an exact sliding log given the same admitted history (allowed
 * although the last window already holds the limit, or denied although it does not).
 * <p>
 * Time is simulated: every check passes its arrival time to the script as "now" (the
 * clock the limiter accepts for tests), so a minute of traffic per caller takes only as
 * long as its round trips, and the decisions are the script's own. Not a test:
 * {@code benchmarks/accuracy.sh}.
 *
 * @author rate-limit-spring-boot
 */
public final class AccuracyBenchmark {

	/** The sample limit: 20 per 2 seconds. */
	private static final long LIMIT = 20;

	private static final Duration WINDOW = Duration.ofSeconds(2);

	private static final long WINDOW_MICROS = WINDOW.toMillis() * 1000;

	/** 2030-01-01T00:00:00Z, aligned to every window. */
	private static final long EPOCH_ALIGNED_MICROS = 1_893_456_000_000_000L;

	private static final int THREADS = 2;

	/**
	 * {@code MEMORY USAGE} with all samples, as a script: the template's integer reply
	 * type.
	 */
	private static final RedisScript<Long> MEMORY_USAGE = RedisScript
		.of("return redis.call('MEMORY', 'USAGE', KEYS[1], 'SAMPLES', '0')", Long.class);

	private AccuracyBenchmark() {
	}

	public static void main(String[] args) throws Exception {
		double scale = (args.length > 0) ? Double.parseDouble(args[0]) : 1.0;
		RedisServer redis = RedisServers.shared();
		LettuceConnectionFactory connectionFactory = new LettuceConnectionFactory(
				new RedisStandaloneConfiguration(redis.host(), redis.port()));
		connectionFactory.afterPropertiesSet();
		connectionFactory.start();
		StringRedisTemplate template = new StringRedisTemplate(connectionFactory);
		String prefix = "accuracy-" + UUID.randomUUID().toString().substring(0, 8);
		int callers = (int) Math.max(4, 40 * scale);
		long seconds = (long) Math.max(10, 60 * scale);
		System.out.printf("limit %d/%s, %s, %d threads, %d callers x %ds simulated per Poisson scenario%n%n", LIMIT,
				"2s", redis.url(), THREADS, callers, seconds);
		System.out.printf(
				"worst W: most admitted in any rolling 2s; per W: long-run admitted per 2s; differ: decisions%n"
						+ "unlike an exact sliding log's on the same history, %d callers, 95 %% under the limit%n"
						+ "(0.1x to 0.9x, the last column their decisions alone), 5 %% over (1.5x to 3x)%n%n",
				callers * 5);
		System.out.printf("%-15s | %9s %9s %9s | %9s %9s | %9s %9s %9s %9s%n", "", "worst W", "worst W", "worst W",
				"per W", "per W", "differ", "wrongly", "wrongly", "differ");
		System.out.printf("%-15s | %9s %9s %9s | %9s %9s | %9s %9s %9s %9s%n", "algorithm", "1.25x", "2.5x", "burst",
				"1.25x", "2.5x", "all", "allowed", "denied", "under L");
		ExecutorService executor = Executors.newFixedThreadPool(THREADS);
		try {
			for (Algorithm algorithm : Algorithm.values()) {
				if (algorithm == Algorithm.CONCURRENCY) {
					// not a rate: nothing to measure the accuracy of
					continue;
				}
				LimitSpec limit = LimitSpec.of(LIMIT, WINDOW, algorithm);
				Run steady = run(template, prefix, executor, limit, poisson(callers, 1.25, seconds, 1));
				Run heavy = run(template, prefix, executor, limit, poisson(callers, 2.5, seconds, 2));
				Run burst = run(template, prefix, executor, limit, freshBursts(seconds));
				List<List<long[]>> mix = mostlyUnder(callers * 5, seconds);
				Run under = run(template, prefix, executor, limit, mix.get(0));
				Run mostlyUnder = run(template, prefix, executor, limit, mix.get(1));
				mostlyUnder.add(under);
				System.out.printf("%-15s | %9d %9d %9d | %9.2f %9.2f | %8.4f%% %8.4f%% %8.4f%% %8.4f%%%n",
						algorithm.notation(), steady.worstWindow, heavy.worstWindow, burst.worstWindow,
						steady.perWindow(seconds), heavy.perWindow(seconds), mostlyUnder.differing(),
						mostlyUnder.share(mostlyUnder.wronglyAllowed), mostlyUnder.share(mostlyUnder.wronglyDenied),
						under.differing());
			}
			memoryUsage(template, prefix);
		}
		finally {
			executor.shutdownNow();
			connectionFactory.destroy();
		}
	}

	/**
	 * Callers whose arrivals are Poisson at {@code times} the limit's rate, each starting
	 * at a random phase of the window.
	 */
	private static List<long[]> poisson(int callers, double times, long seconds, long seed) {
		Random random = new Random(seed);
		List<long[]> arrivals = new ArrayList<>();
		for (int i = 0; i < callers; i++) {
			long start = EPOCH_ALIGNED_MICROS + (long) (random.nextDouble() * WINDOW_MICROS);
			arrivals.add(arrivals(random, start, times * LIMIT / WINDOW_MICROS, seconds));
		}
		return arrivals;
	}

	/**
	 * The case: a fresh caller at 2.5x the limit (25/s for 20/2s), starting at
	 * every 50ms of the epoch-aligned window, three arrival sequences each; the worst one
	 * counts.
	 */
	private static List<long[]> freshBursts(long seconds) {
		Random random = new Random(3);
		List<long[]> arrivals = new ArrayList<>();
		for (long phase = 0; phase < WINDOW_MICROS; phase += 50_000) {
			for (int sequence = 0; sequence < 3; sequence++) {
				arrivals.add(arrivals(random, EPOCH_ALIGNED_MICROS + phase, 2.5 * LIMIT / WINDOW_MICROS,
						Math.min(seconds, 40)));
			}
		}
		return arrivals;
	}

	/**
	 * Traffic where most callers stay under their limits: 95 % of the callers at 0.1x to
	 * 0.9x the limit's rate, 5 % at 1.5x to 3x.
	 */
	private static List<List<long[]>> mostlyUnder(int callers, long seconds) {
		Random random = new Random(4);
		List<long[]> under = new ArrayList<>();
		List<long[]> over = new ArrayList<>();
		for (int i = 0; i < callers; i++) {
			boolean stayingUnder = random.nextDouble() < 0.95;
			double times = stayingUnder ? 0.1 + 0.8 * random.nextDouble() : 1.5 + 1.5 * random.nextDouble();
			long start = EPOCH_ALIGNED_MICROS + (long) (random.nextDouble() * WINDOW_MICROS);
			(stayingUnder ? under : over).add(arrivals(random, start, times * LIMIT / WINDOW_MICROS, seconds));
		}
		return List.of(under, over);
	}

	private static long[] arrivals(Random random, long start, double perMicro, long seconds) {
		List<Long> times = new ArrayList<>();
		double time = start;
		long end = start + seconds * 1_000_000L;
		while (true) {
			time += -Math.log(1 - random.nextDouble()) / perMicro;
			if (time >= end) {
				break;
			}
			times.add((long) time);
		}
		return times.stream().mapToLong(Long::longValue).toArray();
	}

	private static Run run(StringRedisTemplate template, String prefix, ExecutorService executor, LimitSpec limit,
			List<long[]> callers) throws Exception {
		String scenario = UUID.randomUUID().toString().substring(0, 8);
		List<Future<Run>> parts = new ArrayList<>();
		for (int thread = 0; thread < THREADS; thread++) {
			int first = thread;
			parts.add(executor.submit(() -> {
				// one clock per thread: each caller's arrivals are in order, callers are
				// independent
				MutableClock clock = new MutableClock(Instant.EPOCH);
				RedisRateLimiter limiter = new RedisRateLimiter(template, prefix, clock);
				Run run = new Run();
				for (int caller = first; caller < callers.size(); caller += THREADS) {
					run.add(replay(limiter, clock, limit, "u:" + scenario + "-" + caller, callers.get(caller)));
				}
				return run;
			}));
		}
		Run total = new Run();
		for (Future<Run> part : parts) {
			total.add(part.get());
		}
		total.callers = callers.size();
		return total;
	}

	private static Run replay(RedisRateLimiter limiter, MutableClock clock, LimitSpec limit, String scope,
			long[] arrivals) {
		Run run = new Run();
		RateLimitRequest request = new RateLimitRequest(scope, "op", List.of(limit), 1);
		ArrayDeque<Long> admitted = new ArrayDeque<>();
		for (long arrival : arrivals) {
			clock.set(Instant.ofEpochSecond(arrival / 1_000_000, (arrival % 1_000_000) * 1000));
			while (!admitted.isEmpty() && admitted.peekFirst() <= arrival - WINDOW_MICROS) {
				admitted.pollFirst();
			}
			boolean exact = admitted.size() + 1 <= LIMIT;
			boolean allowed = limiter.check(request).isAllowed();
			run.decisions++;
			if (allowed && !exact) {
				run.wronglyAllowed++;
			}
			else if (!allowed && exact) {
				run.wronglyDenied++;
			}
			if (allowed) {
				admitted.addLast(arrival);
				run.admitted++;
				run.worstWindow = Math.max(run.worstWindow, admitted.size());
			}
		}
		return run;
	}

	/**
	 * {@code MEMORY USAGE} of one sliding-window key: of this scheme with one and with
	 * all eleven slots written, and of a hash shaped as the earlier two-window scheme
	 * wrote it (window start, current and previous count) under a key of the same length.
	 */
	private static void memoryUsage(StringRedisTemplate template, String prefix) {
		MutableClock clock = new MutableClock(Instant.ofEpochSecond(EPOCH_ALIGNED_MICROS / 1_000_000));
		RedisRateLimiter limiter = new RedisRateLimiter(template, prefix, clock);
		LimitSpec limit = LimitSpec.of(1000, Duration.ofHours(1), Algorithm.SLIDING_WINDOW);
		RateLimitRequest one = new RateLimitRequest("u:0123456789abcdef0123456789abcdef", "op", List.of(limit), 7);
		limiter.check(one);
		RateLimitRequest eleven = new RateLimitRequest("u:fedcba9876543210fedcba9876543210", "op", List.of(limit), 7);
		for (int slot = 0; slot <= 10; slot++) {
			limiter.check(eleven);
			clock.advance(Duration.ofMinutes(6));
		}
		String oneKey = one.key(prefix, limit);
		String elevenKey = eleven.key(prefix, limit);
		String oldKey = oneKey.substring(0, oneKey.length() - "sw2".length()) + "sw" + "x";
		template.opsForHash().put(oldKey, "w", Long.toString(EPOCH_ALIGNED_MICROS));
		template.opsForHash().put(oldKey, "c", "77");
		template.opsForHash().put(oldKey, "p", "154");
		System.out.printf(
				"%nMEMORY USAGE of a sliding-window key (%d characters): two-window scheme %d bytes, "
						+ "sub-windows %d bytes with one slot written, %d bytes with all eleven%n",
				oneKey.length(), memory(template, oldKey), memory(template, oneKey), memory(template, elevenKey));
		template.delete(List.of(oneKey, elevenKey, oldKey));
	}

	private static long memory(StringRedisTemplate template, String key) {
		Long bytes = template.execute(MEMORY_USAGE, List.of(key));
		return (bytes != null) ? bytes : -1;
	}

	/** What one scenario gave, summed over its callers. */
	private static final class Run {

		long decisions;

		long admitted;

		long wronglyAllowed;

		long wronglyDenied;

		long worstWindow;

		int callers;

		void add(Run other) {
			this.callers += other.callers;
			this.decisions += other.decisions;
			this.admitted += other.admitted;
			this.wronglyAllowed += other.wronglyAllowed;
			this.wronglyDenied += other.wronglyDenied;
			this.worstWindow = Math.max(this.worstWindow, other.worstWindow);
		}

		double perWindow(long seconds) {
			return (double) this.admitted / this.callers / (seconds * 1_000_000.0 / WINDOW_MICROS);
		}

		double share(long count) {
			return 100.0 * count / this.decisions;
		}

		double differing() {
			return share(this.wronglyAllowed + this.wronglyDenied);
		}

	}

}
