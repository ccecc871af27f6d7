package dev.ratelimit.actuate;

import java.util.Locale;

import dev.ratelimit.actuate.RateLimitsEndpoint.BackendDescriptor;
import dev.ratelimit.actuate.RateLimitsEndpoint.ResilienceDescriptor;
import dev.ratelimit.core.DelegatingRateLimiter;
import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.local.InMemoryRateLimiter;
import dev.ratelimit.redis.RedisRateLimiter;
import dev.ratelimit.resilience.ResilientRateLimiter;

/**
 * Describes the layers of the limiter the filter calls. Each layer is looked up by its class
 * name only when that class is present, so the endpoint works without Redis or Resilience4j on
 * the class path.
 *
 * @author rate-limit-spring-boot
 */
final class BackendState {

	private static final boolean REDIS_PRESENT = isPresent(
			"org.springframework.data.redis.core.StringRedisTemplate");

	private static final boolean RESILIENCE_PRESENT = isPresent(
			"io.github.resilience4j.circuitbreaker.CircuitBreaker");

	private BackendState() {
	}

	static BackendDescriptor describe(RateLimiter limiter) {
		RedisRateLimiter redis = REDIS_PRESENT ? DelegatingRateLimiter.find(limiter, RedisRateLimiter.class) : null;
		String type = (redis != null) ? "redis"
				: (DelegatingRateLimiter.find(limiter, InMemoryRateLimiter.class) != null) ? "in-memory"
						: innermost(limiter).getClass().getName();
		String keyPrefix = (redis != null) ? redis.getKeyPrefix() : null;
		ResilientRateLimiter resilient = RESILIENCE_PRESENT
				? DelegatingRateLimiter.find(limiter, ResilientRateLimiter.class) : null;
		if (resilient == null) {
			return new BackendDescriptor(type, type, keyPrefix, null);
		}
		boolean onFallback = resilient.isOnFallback();
		String failureMode = resilient.getFailureMode().name().toLowerCase(Locale.ROOT);
		return new BackendDescriptor(type, onFallback ? "fallback-" + failureMode : type, keyPrefix,
				new ResilienceDescriptor(failureMode, resilient.getCircuitBreaker().getState().name(), onFallback,
						resilient.getTimeout().toMillis(), resilient.getFleetSize().instances()));
	}

	private static RateLimiter innermost(RateLimiter limiter) {
		RateLimiter current = limiter;
		while (current instanceof DelegatingRateLimiter delegating) {
			current = delegating.getDelegate();
		}
		return current;
	}

	private static boolean isPresent(String className) {
		try {
			Class.forName(className, false, BackendState.class.getClassLoader());
			return true;
		}
		catch (Throwable ex) {
			return false;
		}
	}

}
