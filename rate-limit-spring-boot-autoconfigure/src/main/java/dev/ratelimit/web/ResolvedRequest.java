package dev.ratelimit.web;

import java.util.List;

import dev.ratelimit.core.LimitSpec;
import dev.ratelimit.core.RateLimitRequest;
import dev.ratelimit.core.ScopeKind;
import dev.ratelimit.policy.OperationPolicy;
import dev.ratelimit.policy.RateLimitOverride;
import dev.ratelimit.policy.TierPolicy;
import dev.ratelimit.policy.dynamic.Adjustments;
import org.jspecify.annotations.Nullable;

/**
 * What the rules say about one HTTP request: its operation, its caller's tier and
 * identity, and the limits and cost that apply.
 *
 * @param operation the operation
 * @param tier the caller's effective tier: its own, or the one an override puts it on
 * @param identity whose budget is charged
 * @param limits the limits, empty when unlimited; already scaled by an override's
 * multiplier and the dynamic {@code adjustments}: the effective limits
 * @param cost the cost of this request
 * @param override the operator's override of the caller that applied, if any
 * @param global the limits of all callers together checked on top of the
 * {@code identity}'s (the operation's global limits), empty when none
 * @param adjustments the dynamic multipliers already applied to {@code limits},
 * {@link Adjustments#NONE} when none did
 * @author rate-limit-spring-boot
 */
public record ResolvedRequest(OperationPolicy operation, TierPolicy tier, Identity identity, List<LimitSpec> limits,
		long cost, @Nullable RateLimitOverride override, List<LimitSpec> global, Adjustments adjustments) {

	/**
	 * A request no dynamic multiplier applied to.
	 * @param operation the operation
	 * @param tier the caller's effective tier
	 * @param identity whose budget is charged
	 * @param limits the limits, empty when unlimited
	 * @param cost the cost of this request
	 * @param override the operator's override of the caller that applied, if any
	 * @param global the limits of all callers together, empty when none
	 */
	public ResolvedRequest(OperationPolicy operation, TierPolicy tier, Identity identity, List<LimitSpec> limits,
			long cost, @Nullable RateLimitOverride override, List<LimitSpec> global) {
		this(operation, tier, identity, limits, cost, override, global, Adjustments.NONE);
	}

	/**
	 * A request without global limits.
	 * @param operation the operation
	 * @param tier the caller's effective tier
	 * @param identity whose budget is charged
	 * @param limits the limits, empty when unlimited
	 * @param cost the cost of this request
	 * @param override the operator's override of the caller that applied, if any
	 */
	public ResolvedRequest(OperationPolicy operation, TierPolicy tier, Identity identity, List<LimitSpec> limits,
			long cost, @Nullable RateLimitOverride override) {
		this(operation, tier, identity, limits, cost, override, List.of());
	}

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

	/**
	 * Whether no limit applies: neither the caller's nor a global one.
	 * @return {@code true} when unlimited
	 */
	public boolean isUnlimited() {
		return this.limits.isEmpty() && this.global.isEmpty();
	}

	/**
	 * The kind of the scope charged first: the caller's (or its address's), or the global
	 * scope when only global limits apply.
	 * @return the kind
	 */
	public ScopeKind scopeKind() {
		return this.limits.isEmpty() ? ScopeKind.GLOBAL : ScopeKind.of(this.identity.scope());
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
		if (this.limits.isEmpty()) {
			return new RateLimitRequest(ScopeKind.GLOBAL_SCOPE, this.operation.id(), this.global, this.cost);
		}
		RateLimitRequest request = new RateLimitRequest(this.identity.scope(), this.operation.id(), this.limits,
				this.cost);
		return this.global.isEmpty() ? request : request.and(ScopeKind.GLOBAL_SCOPE, this.global);
	}

	/**
	 * Whether any scope of this request has a budget, charged after the response.
	 * @return {@code true} when some limit is a budget
	 */
	public boolean hasBudgets() {
		for (int i = 0; i < this.limits.size(); i++) {
			if (this.limits.get(i).isBudget()) {
				return true;
			}
		}
		for (int i = 0; i < this.global.size(); i++) {
			if (this.global.get(i).isBudget()) {
				return true;
			}
		}
		return false;
	}

}
