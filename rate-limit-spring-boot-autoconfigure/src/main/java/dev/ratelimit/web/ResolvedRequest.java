package dev.ratelimit.web;

import java.util.List;

import dev.ratelimit.core.LimitSpec;
import dev.ratelimit.core.RateLimitRequest;
import dev.ratelimit.policy.OperationPolicy;
import dev.ratelimit.policy.TierPolicy;

/**
 * What the rules say about one HTTP request: its operation, its caller's tier and identity, and
 * the limits and cost that apply.
 *
 * @param operation the operation
 * @param tier the caller's tier
 * @param identity whose budget is charged
 * @param limits the limits, empty when unlimited
 * @param cost the cost of this request
 * @author rate-limit-spring-boot
 */
public record ResolvedRequest(OperationPolicy operation, TierPolicy tier, Identity identity, List<LimitSpec> limits,
		long cost) {

	public boolean isUnlimited() {
		return this.limits.isEmpty();
	}

	/**
	 * The limiter request for this HTTP request.
	 * @return the limiter request
	 */
	public RateLimitRequest toRateLimitRequest() {
		return new RateLimitRequest(this.identity.scope(), this.operation.id(), this.limits, this.cost);
	}

}
