package dev.ratelimit.web;

import java.util.List;

import dev.ratelimit.core.LimitSpec;
import dev.ratelimit.core.RateLimitRequest;
import dev.ratelimit.policy.OperationPolicy;
import dev.ratelimit.policy.RateLimitOverride;
import dev.ratelimit.policy.TierPolicy;
import org.jspecify.annotations.Nullable;

/**
 * What the rules say about one HTTP request: its operation, its caller's tier and
 * identity, and the limits and cost that apply.
 *
 * @param operation the operation
 * @param tier the caller's effective tier: its own, or the one an override puts it on
 * @param identity whose budget is charged
 * @param limits the limits, empty when unlimited; already scaled by an override's
 * multiplier
 * @param cost the cost of this request
 * @param override the operator's override of the caller that applied, if any
 * @author rate-limit-spring-boot
 */
public record ResolvedRequest(OperationPolicy operation, TierPolicy tier, Identity identity, List<LimitSpec> limits,
		long cost, @Nullable RateLimitOverride override) {

	/**
	 * A request no override applies to.
	 * @param operation the operation
	 * @param tier the caller's tier
	 * @param identity whose budget is charged
	 * @param limits the limits, empty when unlimited
	 * @param cost the cost of this request
	 */
	public ResolvedRequest(OperationPolicy operation, TierPolicy tier, Identity identity, List<LimitSpec> limits,
			long cost) {
		this(operation, tier, identity, limits, cost, null);
	}

	public boolean isUnlimited() {
		return this.limits.isEmpty();
	}

	/**
	 * Whether the caller's tier is its own rather than one an override puts it on.
	 * @return {@code true} unless an override switched the tier
	 */
	public boolean isOwnTier() {
		return this.override == null || this.override.tier() == null;
	}

	/**
	 * The limiter request for this HTTP request.
	 * @return the limiter request
	 */
	public RateLimitRequest toRateLimitRequest() {
		return new RateLimitRequest(this.identity.scope(), this.operation.id(), this.limits, this.cost);
	}

}
