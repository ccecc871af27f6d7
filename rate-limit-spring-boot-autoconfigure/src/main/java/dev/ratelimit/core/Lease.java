package dev.ratelimit.core;

/**
 * A concurrency lease held by an admitted request: one of the {@code limit} requests of
 * an operation that a scope may have in flight at once. Held until the response is
 * complete and then {@linkplain RateLimiter#release(Decision) released}; a lease that is
 * neither released nor renewed frees itself after the lease timeout (the limit's window),
 * so that the leases of an instance that died do not block the scope for good.
 *
 * @param scope the scope that holds it, e.g. {@code u:3fa9…} or {@code global}
 * @param operation the canonical operation name
 * @param limit the concurrency limit the lease counts against
 * @param id the lease's identifier, unique per instance and request
 * @author rate-limit-spring-boot
 */
public record Lease(String scope, String operation, LimitSpec limit, String id) {

	public Lease {
		if (!limit.isConcurrency()) {
			throw new IllegalArgumentException("a lease needs a concurrency limit, was " + limit);
		}
	}

	/**
	 * The storage key of the leases of this lease's scope and operation:
	 * {@code <prefix>:{<scope>}:<operation>:cc}.
	 * @param prefix the key prefix
	 * @return the key
	 */
	public String key(String prefix) {
		return RateLimitRequest.concurrencyKey(prefix, this.scope, this.operation);
	}

}
