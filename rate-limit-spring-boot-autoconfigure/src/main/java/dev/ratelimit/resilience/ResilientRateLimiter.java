package dev.ratelimit.resilience;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.ratelimit.core.Decision;
import dev.ratelimit.core.DelegatingRateLimiter;
import dev.ratelimit.core.RateLimitRequest;
import dev.ratelimit.core.RateLimiter;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

/**
 * A {@link RateLimiter} that keeps deciding when its primary limiter (Redis) cannot. Every call to
 * the primary runs on a bounded executor with a time limit, inside a Resilience4j
 * {@link CircuitBreaker}; a call that fails, times out, or is not permitted because the breaker is
 * open is decided by the {@link FailureMode} instead, and the decision is marked as a
 * {@linkplain Decision#isFallback() fallback}. The breaker's half-open probes bring traffic back to
 * the primary by themselves once it answers again.
 * <p>
 * The primary runs on another thread so that a Redis that accepts connections but never answers
 * costs a request at most the timeout: a blocked client call cannot be abandoned from the calling
 * thread, but the waiting for it can.
 *
 * @author rate-limit-spring-boot
 */
public final class ResilientRateLimiter implements DelegatingRateLimiter, AutoCloseable {

	private final RateLimiter primary;

	private final FailureMode failureMode;

	private final @Nullable RateLimiter local;

	private final double localShare;

	private final CircuitBreaker circuitBreaker;

	private final ExecutorService executor;

	private final Duration timeout;

	private final long timeoutNanos;

	/**
	 * Create a limiter.
	 * @param primary the limiter to call while it answers
	 * @param failureMode what decides when the primary cannot
	 * @param local the limiter for {@link FailureMode#LOCAL}; required in that mode, else unused
	 * @param instances in {@link FailureMode#LOCAL}, the number of instances that share each
	 * limit: each enforces {@code 1/instances} of it
	 * @param circuitBreaker the breaker around the primary
	 * @param executor runs calls to the primary; a rejected call is handled as a failure. Owned
	 * by this limiter: {@link #close()} shuts it down
	 * @param timeout the longest a request waits for the primary
	 */
	public ResilientRateLimiter(RateLimiter primary, FailureMode failureMode, @Nullable RateLimiter local,
			int instances, CircuitBreaker circuitBreaker, ExecutorService executor, Duration timeout) {
		Assert.isTrue(failureMode != FailureMode.LOCAL || local != null, "'local' is required in LOCAL mode");
		Assert.isTrue(instances >= 1, "'instances' must be at least 1");
		Assert.isTrue(timeout.compareTo(Duration.ZERO) > 0, "'timeout' must be positive");
		this.primary = primary;
		this.failureMode = failureMode;
		this.local = local;
		this.localShare = 1.0 / instances;
		this.circuitBreaker = circuitBreaker;
		this.executor = executor;
		this.timeout = timeout;
		this.timeoutNanos = timeout.toNanos();
	}

	@Override
	public Decision check(RateLimitRequest request) {
		if (!this.circuitBreaker.tryAcquirePermission()) {
			return fallback(request);
		}
		long start = System.nanoTime();
		try {
			Decision decision = callPrimary(request);
			this.circuitBreaker.onResult(System.nanoTime() - start, TimeUnit.NANOSECONDS, decision);
			return decision;
		}
		catch (Exception ex) {
			this.circuitBreaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, ex);
			return fallback(request);
		}
	}

	private Decision callPrimary(RateLimitRequest request) throws Exception {
		Future<Decision> call;
		try {
			call = this.executor.submit(() -> this.primary.check(request));
		}
		catch (RejectedExecutionException ex) {
			throw new RateLimiterBusyException(ex);
		}
		try {
			return call.get(this.timeoutNanos, TimeUnit.NANOSECONDS);
		}
		catch (TimeoutException ex) {
			call.cancel(true);
			throw new RateLimiterTimeoutException(this.timeout);
		}
		catch (InterruptedException ex) {
			call.cancel(true);
			Thread.currentThread().interrupt();
			throw ex;
		}
		catch (ExecutionException ex) {
			throw (ex.getCause() instanceof Exception cause) ? cause : ex;
		}
	}

	private Decision fallback(RateLimitRequest request) {
		return switch (this.failureMode) {
			case LOCAL -> this.local.check(localShare(request)).asFallback();
			case ALLOW -> Decision.unlimited().asFallback();
			case DENY -> Decision.unavailable(retryAfterWhenOpen());
		};
	}

	private RateLimitRequest localShare(RateLimitRequest request) {
		if (this.localShare == 1) {
			return request;
		}
		return new RateLimitRequest(request.scope(), request.operation(),
				request.limits().stream().map((limit) -> limit.scaled(this.localShare)).toList(), request.cost());
	}

	/**
	 * How long a denied caller should wait while failing closed: until the breaker next lets a
	 * probe through, at least one second.
	 */
	private Duration retryAfterWhenOpen() {
		long millis = this.circuitBreaker.getCircuitBreakerConfig().getWaitIntervalFunctionInOpenState().apply(1);
		return Duration.ofMillis(Math.max(1000, millis));
	}

	@Override
	public void reset(RateLimitRequest request) {
		this.primary.reset(request);
		if (this.local != null) {
			this.local.reset(localShare(request));
		}
	}

	/**
	 * Whether checks are currently decided by the failure mode: the breaker is not closed.
	 * @return {@code true} while on the fallback
	 */
	public boolean isOnFallback() {
		CircuitBreaker.State state = this.circuitBreaker.getState();
		return state == CircuitBreaker.State.OPEN || state == CircuitBreaker.State.HALF_OPEN
				|| state == CircuitBreaker.State.FORCED_OPEN;
	}

	/**
	 * The primary limiter.
	 * @return the limiter called while it answers
	 */
	@Override
	public RateLimiter getDelegate() {
		return this.primary;
	}

	public FailureMode getFailureMode() {
		return this.failureMode;
	}

	public CircuitBreaker getCircuitBreaker() {
		return this.circuitBreaker;
	}

	public Duration getTimeout() {
		return this.timeout;
	}

	/**
	 * Stop the executor that calls the primary.
	 */
	@Override
	public void close() {
		this.executor.shutdownNow();
	}

	@Override
	public String toString() {
		return "ResilientRateLimiter[primary=" + this.primary + ", failureMode=" + this.failureMode + ", breaker="
				+ this.circuitBreaker.getState() + "]";
	}

	/**
	 * Thrown when the primary did not answer within the timeout.
	 */
	public static final class RateLimiterTimeoutException extends RuntimeException {

		RateLimiterTimeoutException(Duration timeout) {
			super("The rate limiter backend did not answer within " + timeout.toMillis() + "ms");
		}

	}

	/**
	 * Thrown when every thread that calls the primary is busy and its queue is full.
	 */
	public static final class RateLimiterBusyException extends RuntimeException {

		RateLimiterBusyException(RejectedExecutionException cause) {
			super("Too many rate limit checks are waiting for the backend", cause);
		}

	}

}
