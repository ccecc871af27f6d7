package dev.ratelimit.actuate;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.ratelimit.core.DelegatingRateLimiter;
import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.local.InMemoryRateLimiter;
import dev.ratelimit.redis.RedisRateLimiter;
import dev.ratelimit.resilience.ResilientRateLimiter;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.util.Assert;
import org.springframework.util.ClassUtils;

/**
 * The health of the rate limiter: its backend, a Redis {@code PING} with its latency, whether the
 * script is loaded, and, with a {@link ResilientRateLimiter}, the failure mode and the circuit
 * breaker's state.
 * <p>
 * While Redis cannot answer, a limiter with a failure mode keeps deciding and the application keeps
 * serving; the indicator then reports the configured fallback status (by default one that does
 * not change the application's aggregate status) with {@code fallback: true}, so that an outage of
 * the limiter does not cascade into instances taken out of service. A limiter without a failure
 * mode fails requests while Redis is down, and is reported {@link Status#DOWN}.
 * <p>
 * The probe runs on a thread of its own and is waited for at most the given timeout, so a Redis
 * that hangs cannot hang the health endpoint; at most one probe is in flight at a time.
 *
 * @author rate-limit-spring-boot
 */
public final class RateLimitHealthIndicator implements HealthIndicator, AutoCloseable {

	// Both are optional dependencies: their layers are looked for only when they can exist.
	private static final ClassLoader CLASS_LOADER = RateLimitHealthIndicator.class.getClassLoader();

	private static final boolean RESILIENCE4J_PRESENT = ClassUtils
		.isPresent("io.github.resilience4j.circuitbreaker.CircuitBreaker", CLASS_LOADER);

	private static final boolean SPRING_DATA_REDIS_PRESENT = ClassUtils
		.isPresent("org.springframework.data.redis.core.StringRedisTemplate", CLASS_LOADER);

	private final RateLimiter rateLimiter;

	private final @Nullable ResilientRateLimiter resilient;

	private final @Nullable RedisRateLimiter redis;

	private final Status fallbackStatus;

	private final Duration timeout;

	private final @Nullable ExecutorService executor;

	private @Nullable Future<Probe> probe;

	/**
	 * Create an indicator.
	 * @param rateLimiter the limiter (its layers are inspected)
	 * @param fallbackStatus the status while the limiter's failure mode decides
	 * @param timeout the longest to wait for Redis
	 */
	public RateLimitHealthIndicator(RateLimiter rateLimiter, Status fallbackStatus, Duration timeout) {
		Assert.isTrue(timeout.compareTo(Duration.ZERO) > 0, "'timeout' must be positive");
		this.rateLimiter = rateLimiter;
		this.resilient = RESILIENCE4J_PRESENT ? DelegatingRateLimiter.find(rateLimiter, ResilientRateLimiter.class)
				: null;
		this.redis = SPRING_DATA_REDIS_PRESENT ? DelegatingRateLimiter.find(rateLimiter, RedisRateLimiter.class) : null;
		this.fallbackStatus = fallbackStatus;
		this.timeout = timeout;
		this.executor = (this.redis != null) ? Executors.newSingleThreadExecutor(RateLimitHealthIndicator::thread)
				: null;
	}

	@Override
	public Health health() {
		Health.Builder builder = Health.up().withDetail("backend", backend());
		ResilientRateLimiter resilient = this.resilient;
		boolean onFallback = false;
		if (resilient != null) {
			onFallback = resilient.isOnFallback();
			builder.withDetail("failureMode", resilient.getFailureMode().name().toLowerCase(Locale.ROOT))
				.withDetail("circuitBreaker", resilient.getCircuitBreaker().getState().name())
				.withDetail("fallback", onFallback);
		}
		if (this.redis != null) {
			try {
				Probe probe = probe();
				builder.withDetail("pingMillis", probe.pingMillis()).withDetail("scriptLoaded", probe.scriptLoaded());
			}
			catch (Exception ex) {
				builder.withException(ex);
				if (resilient == null) {
					return builder.down().build();
				}
				// Every check now waits for Redis and is then decided by the failure mode.
				onFallback = true;
				builder.withDetail("fallback", true);
			}
		}
		return (onFallback ? builder.status(this.fallbackStatus) : builder).build();
	}

	private String backend() {
		if (this.redis != null) {
			return "redis";
		}
		if (DelegatingRateLimiter.find(this.rateLimiter, InMemoryRateLimiter.class) != null) {
			return "in-memory";
		}
		return this.rateLimiter.getClass().getSimpleName();
	}

	private Probe probe() throws Exception {
		Future<Probe> probe = currentProbe();
		try {
			return probe.get(this.timeout.toNanos(), TimeUnit.NANOSECONDS);
		}
		catch (TimeoutException ex) {
			throw new TimeoutException("Redis did not answer PING within " + this.timeout.toMillis() + "ms");
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw ex;
		}
		catch (ExecutionException ex) {
			throw (ex.getCause() instanceof Exception cause) ? cause : ex;
		}
	}

	/**
	 * The probe in flight, or a new one: a probe stuck on a Redis that does not answer is waited
	 * for again rather than joined by another thread.
	 */
	private synchronized Future<Probe> currentProbe() {
		if (this.probe == null || this.probe.isDone()) {
			RedisRateLimiter redis = this.redis;
			this.probe = this.executor.submit(() -> {
				Duration ping = redis.ping();
				return new Probe(Math.round(ping.toNanos() / 1_000.0) / 1_000.0, redis.isScriptLoaded());
			});
		}
		return this.probe;
	}

	/**
	 * Stop the thread that probes Redis.
	 */
	@Override
	public void close() {
		if (this.executor != null) {
			this.executor.shutdownNow();
		}
	}

	private static Thread thread(Runnable task) {
		Thread thread = new Thread(task, "rate-limit-health");
		thread.setDaemon(true);
		return thread;
	}

	private record Probe(double pingMillis, boolean scriptLoaded) {

	}

}
