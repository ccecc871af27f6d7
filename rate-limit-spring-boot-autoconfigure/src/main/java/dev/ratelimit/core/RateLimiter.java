package dev.ratelimit.core;

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
	 * Forget everything consumed from the request's limits, so that its scope starts
	 * afresh on them. The request's cost is ignored.
	 * @param request names the scope, operation and limits to reset
	 * @throws UnsupportedOperationException if this limiter cannot reset
	 */
	default void reset(RateLimitRequest request) {
		throw new UnsupportedOperationException(getClass().getName() + " cannot reset limits");
	}

}
