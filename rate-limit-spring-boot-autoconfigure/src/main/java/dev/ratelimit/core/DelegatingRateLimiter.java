package dev.ratelimit.core;

import java.util.Map;

/**
 * A {@link RateLimiter} that adds behaviour around another one (a circuit breaker, a
 * cache). The parts that report on the limiter do not unwrap it: each layer is a bean of
 * its own type, which they inject.
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
	 * Release through the delegate, which took the leases.
	 * @param decision a decision of this limiter
	 */
	@Override
	default void release(Decision decision) {
		if (!decision.leases().isEmpty()) {
			getDelegate().release(decision);
		}
	}

	/**
	 * Charge through the delegate, which keeps the budgets.
	 * @param request the admitted request
	 * @param micros the amount per budget name, in micro-units
	 */
	@Override
	default void charge(RateLimitRequest request, Map<String, Long> micros) {
		getDelegate().charge(request, micros);
	}

}
