package dev.ratelimit.actuate;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.ratelimit.redis.RedisRateLimiter;
import dev.ratelimit.resilience.ResilientRateLimiter;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.util.Assert;

/**
 * The health of the rate limiter: its backend, a Redis {@code PING} with its latency,
 * whether the script is loaded, and, with a {@link ResilientRateLimiter}, the failure
 * mode and the circuit breaker's state.
 * <p>
 * While Redis cannot answer, a limiter with a failure mode keeps deciding and the
 * application keeps serving; the indicator then reports the configured fallback status
 * (by default one that does not change the application's aggregate status) with
 * {@code fallback: true}, so that an outage of the limiter does not cascade into
 * instances taken out of service. A limiter without a failure mode fails requests while
 * Redis is down, and is reported {@link Status#DOWN}.
 * <p>
 * The probe is bounded: it runs on a thread of its own and is waited for at most the
 * given timeout, so a Redis that hangs cannot hang the health endpoint (the client's own
 * command timeout is far longer); at most one probe is in flight at a time.
 *
 * @author rate-limit-spring-boot
 */
public final class RateLimitHealthIndicator extends AbstractHealthIndicator implements AutoCloseable {

	private final RateLimitBackend backend;

	private final Status fallbackStatus;

	private final Duration timeout;

	private final @Nullable ExecutorService executor;

	private @Nullable Future<Probe> probe;

	/**
	 * Create an indicator.
	 * @param backend the layers of the limiter
	 * @param fallbackStatus the status while the limiter's failure mode decides
	 * @param timeout the longest to wait for Redis
	 */
	public RateLimitHealthIndicator(RateLimitBackend backend, Status fallbackStatus, Duration timeout) {
		super("Rate limiter health check failed");
		Assert.isTrue(timeout.compareTo(Duration.ZERO) > 0, "'timeout' must be positive");
		this.backend = backend;
		this.fallbackStatus = fallbackStatus;
		this.timeout = timeout;
		this.executor = (backend.redis() != null) ? Executors.newSingleThreadExecutor(RateLimitHealthIndicator::thread)
				: null;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) throws Exception {
		builder.up().withDetail("backend", this.backend.type());
		ResilientRateLimiter resilient = this.backend.resilient();
		boolean onFallback = false;
		if (resilient != null) {
			onFallback = resilient.isOnFallback();
			builder.withDetail("failureMode", this.backend.failureMode())
				.withDetail("circuitBreaker", resilient.getCircuitBreaker().getState().name())
				.withDetail("fallback", onFallback);
		}
		RedisRateLimiter redis = this.backend.redis();
		if (redis != null) {
			try {
				Probe probe = probe(redis);
				builder.withDetail("pingMillis", probe.pingMillis()).withDetail("scriptLoaded", probe.scriptLoaded());
			}
			catch (Exception ex) {
				if (resilient == null) {
					// Every check fails while Redis does: the base class reports DOWN.
					throw ex;
				}
				// Every check now waits for Redis and is then decided by the failure
				// mode.
				builder.withException(ex);
				onFallback = true;
				builder.withDetail("fallback", true);
			}
		}
		if (onFallback) {
			builder.status(this.fallbackStatus);
		}
	}

	private Probe probe(RedisRateLimiter redis) throws Exception {
		Future<Probe> probe = currentProbe(redis);
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
	 * The probe in flight, or a new one: a probe stuck on a Redis that does not answer is
	 * waited for again rather than joined by another thread.
	 */
	private synchronized Future<Probe> currentProbe(RedisRateLimiter redis) {
		Assert.state(this.executor != null, "No probe without Redis");
		if (this.probe == null || this.probe.isDone()) {
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
