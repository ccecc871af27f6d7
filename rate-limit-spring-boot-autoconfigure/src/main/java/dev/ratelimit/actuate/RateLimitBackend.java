package dev.ratelimit.actuate;

import java.util.Locale;

import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.local.InMemoryRateLimiter;
import dev.ratelimit.redis.RedisRateLimiter;
import dev.ratelimit.resilience.ResilientRateLimiter;
import org.jspecify.annotations.Nullable;

/**
 * The layers of the limiter the filter calls that the endpoint and the health contributor
 * describe, as the application context holds them: the limiter itself, its Redis layer
 * and its resilient layer, each absent when the limiter has none (or its library is not
 * on the class path).
 *
 * @author rate-limit-spring-boot
 */
public final class RateLimitBackend {

	private final RateLimiter limiter;

	private final @Nullable RedisRateLimiter redis;

	private final @Nullable ResilientRateLimiter resilient;

	/**
	 * Describe a limiter.
	 * @param limiter the limiter the filter calls
	 * @param redis its Redis layer, or {@code null}
	 * @param resilient its circuit-breaking layer, or {@code null}
	 */
	public RateLimitBackend(RateLimiter limiter, @Nullable RedisRateLimiter redis,
			@Nullable ResilientRateLimiter resilient) {
		this.limiter = limiter;
		this.redis = redis;
		this.resilient = resilient;
	}

	/**
	 * What the limits are kept in.
	 * @return {@code redis}, {@code in-memory}, or the class of a custom limiter
	 */
	public String type() {
		if (this.redis != null) {
			return "redis";
		}
		if (this.limiter instanceof InMemoryRateLimiter) {
			return "in-memory";
		}
		return this.limiter.getClass().getName();
	}

	/**
	 * The Redis layer.
	 * @return the Redis limiter, or {@code null} when the limits are not kept in Redis
	 */
	public @Nullable RedisRateLimiter redis() {
		return this.redis;
	}

	/**
	 * The layer that decides by the failure mode while the backend cannot.
	 * @return the resilient limiter, or {@code null} when there is none
	 */
	public @Nullable ResilientRateLimiter resilient() {
		return this.resilient;
	}

	/**
	 * The failure mode's name, as configured.
	 * @return e.g. {@code local}, or {@code null} without a resilient layer
	 */
	@Nullable String failureMode() {
		return (this.resilient != null) ? this.resilient.getFailureMode().name().toLowerCase(Locale.ROOT) : null;
	}

	RateLimitsDescriptors.BackendDescriptor describe() {
		String type = type();
		String keyPrefix = (this.redis != null) ? this.redis.getKeyPrefix() : null;
		ResilientRateLimiter resilient = this.resilient;
		if (resilient == null) {
			return new RateLimitsDescriptors.BackendDescriptor(type, type, keyPrefix, null);
		}
		boolean onFallback = resilient.isOnFallback();
		String failureMode = failureMode();
		return new RateLimitsDescriptors.BackendDescriptor(type, onFallback ? "fallback-" + failureMode : type,
				keyPrefix,
				new RateLimitsDescriptors.ResilienceDescriptor(failureMode,
						resilient.getCircuitBreaker().getState().name(), onFallback, resilient.getTimeout().toMillis(),
						resilient.getFleetSize().instances()));
	}

}
