package dev.ratelimit.core;

import java.util.List;

/**
 * Everything one check needs: whose budget ({@code scope}), which operation, every limit
 * that applies, and what the request costs. All limits are checked together and consumed
 * only if all of them admit the request.
 *
 * @param scope whose budget is charged: a hashed identity such as {@code u:3fa9…}, or
 * {@code global}; never a raw API key or user id
 * @param operation the canonical operation name
 * @param limits the limits to check, at least one
 * @param cost the units this request consumes; {@code 0} reads the state without
 * consuming
 * @author rate-limit-spring-boot
 */
public record RateLimitRequest(String scope, String operation, List<LimitSpec> limits, long cost) {

	public RateLimitRequest {
		if (limits.isEmpty()) {
			throw new IllegalArgumentException("at least one limit is required");
		}
		if (cost < 0) {
			throw new IllegalArgumentException("cost must not be negative, was " + cost);
		}
		limits = List.copyOf(limits);
	}

	/**
	 * The storage key of one of this request's limits:
	 * {@code <prefix>:{<scope>}:<operation>:<window>:<algorithm>}. The braces make every
	 * key of one scope share a Redis Cluster hash slot, so one script can touch them all.
	 * @param prefix the key prefix
	 * @param limit one of {@link #limits()}
	 * @return the key
	 */
	public String key(String prefix, LimitSpec limit) {
		return prefix + ":{" + this.scope + "}:" + this.operation + ":" + Windows.format(limit.window()) + ":"
				+ limit.algorithm().code();
	}

}
