package dev.ratelimit.core;

import org.jspecify.annotations.Nullable;

/**
 * A {@link RateLimiter} that adds behaviour around another one (a circuit breaker, a cache). Lets
 * the parts that report on the limiter (health, the actuator endpoint) find the layer they
 * describe with {@link #find(RateLimiter, Class)}.
 *
 * @author rate-limit-spring-boot
 */
public interface DelegatingRateLimiter extends RateLimiter {

	/**
	 * The limiter this one adds behaviour around.
	 * @return the delegate
	 */
	RateLimiter getDelegate();

	/**
	 * Find a layer of a limiter: the limiter itself or one of its delegates, outermost first.
	 * @param <T> the type of the layer
	 * @param limiter the outermost limiter
	 * @param type the type of the layer
	 * @return the layer, or {@code null} when there is none of that type
	 */
	static <T> @Nullable T find(RateLimiter limiter, Class<T> type) {
		RateLimiter current = limiter;
		while (true) {
			if (type.isInstance(current)) {
				return type.cast(current);
			}
			if (!(current instanceof DelegatingRateLimiter delegating)) {
				return null;
			}
			current = delegating.getDelegate();
		}
	}

}
