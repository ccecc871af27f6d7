package dev.ratelimit.autoconfigure;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.ratelimit.redis.RedisRateLimiter;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Connects the Redis limiter and loads its script before the first request: a burst on a
 * cold instance would otherwise wait for the connection together, and a Redis that takes
 * long to connect would look like a stalled one. Redis down at startup is not an error:
 * checks fall back until it answers.
 *
 * @author rate-limit-spring-boot
 */
final class RedisRateLimiterWarmUp {

	private static final Log logger = LogFactory.getLog(RedisRateLimiterWarmUp.class);

	/**
	 * Longest the startup waits for the Redis limiter to connect and load its script.
	 */
	private static final Duration WAIT = Duration.ofSeconds(2);

	private RedisRateLimiterWarmUp() {
	}

	/**
	 * Warm the limiter up on one of the executor's threads, waiting at most
	 * {@link #WAIT}.
	 * @param executor the executor of the limiter's backend calls
	 * @param limiter the limiter
	 */
	static void await(ExecutorService executor, RedisRateLimiter limiter) {
		try {
			executor.submit(() -> warmUp(limiter)).get(WAIT.toNanos(), TimeUnit.NANOSECONDS);
		}
		catch (TimeoutException | ExecutionException ex) {
			logger.debug("Redis did not answer the rate limiter's warm-up within " + WAIT, ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private static void warmUp(RedisRateLimiter limiter) {
		try {
			limiter.warmUp();
		}
		catch (RuntimeException ex) {
			logger.debug("Could not warm up the Redis rate limiter at startup", ex);
		}
	}

}
