package dev.ratelimit.core;

import java.util.Map;

/**
 * Checks and consumes rate limits. Implementations check every limit of a request
 * atomically and consume from all of them only when all admit the request; a denied
 * request consumes nothing.
 *
 * @author rate-limit-spring-boot
 */
@FunctionalInterface
public interface RateLimiter {

	/**
	 * Check the request's limits and, when all admit it, consume its cost from each.
	 * @param request the request
	 * @return the decision
	 */
	Decision check(RateLimitRequest request);

	/**
	 * Release the {@linkplain Decision#leases() leases} of an admitted request, whose
	 * response is complete. Never throws: a lease that cannot be released (the backend is
	 * down) is dropped, and frees itself when its lease timeout passes. Releasing a
	 * decision without leases, or twice, does nothing.
	 * @param decision a decision of this limiter
	 */
	default void release(Decision decision) {
	}

	/**
	 * Charge the real cost of an admitted request, whose response is complete, to its
	 * budgets: each amount to the budget of that name in every scope of the request (the
	 * caller's and the global one), atomically where the scopes share a slot. A backend
	 * that fails may throw; the callers (the filter, the resilient limiter) then drop the
	 * charge. Limiters without budgets do nothing.
	 * @param request the admitted request
	 * @param micros the amount per budget name, in micro-units, each positive
	 */
	default void charge(RateLimitRequest request, Map<String, Long> micros) {
	}

	/**
	 * Forget everything consumed from the request's limits, so that its scope starts
	 * afresh on them. The request's cost is ignored.
	 * @param request names the scope, operation and limits to reset
	 * @throws UnsupportedOperationException if this limiter cannot reset
	 */
	default void reset(RateLimitRequest request) {
		throw new UnsupportedOperationException(getClass().getName() + " cannot reset limits");
	}

}
