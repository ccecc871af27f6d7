package dev.ratelimit.core;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import org.jspecify.annotations.Nullable;

/**
 * Everything one check needs: whose budget ({@code scope}), which operation, every limit
 * that applies, and what the request costs. All limits are checked together and consumed
 * only if all of them admit the request.
 * <p>
 * A request may also be charged to other scopes at once ({@code additional}: typically
 * the {@code global} scope, everyone's budget, on top of the caller's). Then every limit
 * of every scope is checked together: the request is admitted only when all admit it, and
 * a request that one scope denies consumes nothing in any other. A limit may be a
 * {@linkplain LimitSpec#isConcurrency() concurrency limit}: the admitted request then
 * holds a {@link Lease} until it is released. The last limit of this scope may be a
 * {@linkplain LimitSpec#isBurstAllowance() burst allowance}, which admits the request
 * when only this scope's rate limits deny it.
 *
 * @param scope whose budget is charged: a hashed identity such as {@code u:3fa9…}, or
 * {@code global}; never a raw API key or user id
 * @param operation the canonical operation name
 * @param limits the limits to check, at least one
 * @param cost the units this request consumes; {@code 0} reads the state without
 * consuming (and acquires no lease)
 * @param additional the other scopes charged together with this one, for the same
 * operation and cost; each without additional scopes of its own, and none of them this
 * request's scope
 * @author rate-limit-spring-boot
 */
public record RateLimitRequest(String scope, String operation, List<LimitSpec> limits, long cost,
		List<RateLimitRequest> additional) {

	public RateLimitRequest {
		if (limits.isEmpty()) {
			throw new IllegalArgumentException("at least one limit is required");
		}
		if (cost < 0) {
			throw new IllegalArgumentException("cost must not be negative, was " + cost);
		}
		limits = List.copyOf(limits);
		additional = List.copyOf(additional);
		for (int i = 0; i < limits.size() - 1; i++) {
			if (limits.get(i).isBurstAllowance()) {
				throw new IllegalArgumentException("a burst allowance must be the last limit of its scope: " + limits);
			}
		}
		if (scope.equals(ScopeKind.GLOBAL_SCOPE) && limits.get(limits.size() - 1).isBurstAllowance()) {
			throw new IllegalArgumentException("the global scope has no burst allowance");
		}
		for (RateLimitRequest other : additional) {
			if (other.burstAllowance() != null) {
				throw new IllegalArgumentException("an additional scope has no burst allowance: " + other);
			}
			if (!other.additional.isEmpty() || other.scope.equals(scope) || !other.operation.equals(operation)
					|| other.cost != cost) {
				throw new IllegalArgumentException("an additional scope must be another scope of the same operation "
						+ "and cost, without additional scopes of its own: " + other);
			}
		}
	}

	/**
	 * A request charged to one scope.
	 * @param scope whose budget is charged
	 * @param operation the canonical operation name
	 * @param limits the limits to check, at least one
	 * @param cost the units this request consumes
	 */
	public RateLimitRequest(String scope, String operation, List<LimitSpec> limits, long cost) {
		this(scope, operation, limits, cost, List.of());
	}

	/**
	 * This request charged to another scope as well (all or nothing).
	 * @param scope the other scope, e.g. {@code global}
	 * @param limits its limits, at least one
	 * @return the request with the additional scope
	 */
	public RateLimitRequest and(String scope, List<LimitSpec> limits) {
		List<RateLimitRequest> additional = new ArrayList<>(this.additional);
		additional.add(new RateLimitRequest(scope, this.operation, limits, this.cost));
		return new RateLimitRequest(this.scope, this.operation, this.limits, this.cost, additional);
	}

	/**
	 * Every scope of this request, each as a request of its own: this scope (without the
	 * additional ones) first, then the additional ones in order.
	 * @return the scopes' requests
	 */
	public List<RateLimitRequest> scopes() {
		if (this.additional.isEmpty()) {
			return List.of(this);
		}
		List<RateLimitRequest> scopes = new ArrayList<>(1 + this.additional.size());
		scopes.add(new RateLimitRequest(this.scope, this.operation, this.limits, this.cost));
		scopes.addAll(this.additional);
		return scopes;
	}

	/**
	 * Whether this request is charged to one scope only, holds no lease and reads no
	 * budget: the common case, which every limiter serves exactly as before scopes and
	 * leases existed.
	 * @return {@code true} for one scope without concurrency limits
	 */
	public boolean isSimple() {
		if (!this.additional.isEmpty()) {
			return false;
		}
		for (int i = 0; i < this.limits.size(); i++) {
			if (this.limits.get(i).isConcurrency() || this.limits.get(i).isBudget()) {
				return false;
			}
		}
		return true;
	}

	/**
	 * This request with other limits (and the same additional scopes, whose limits are
	 * mapped the same way).
	 * @param mapper maps each limit, e.g. to an instance's share of it
	 * @return the request
	 */
	public RateLimitRequest mapLimits(UnaryOperator<LimitSpec> mapper) {
		List<RateLimitRequest> additional = this.additional.stream()
			.map((other) -> new RateLimitRequest(other.scope, other.operation,
					other.limits.stream().map(mapper).toList(), other.cost))
			.toList();
		return new RateLimitRequest(this.scope, this.operation, this.limits.stream().map(mapper).toList(), this.cost,
				additional);
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
		if (limit.isConcurrency()) {
			// One set of leases per scope and operation, whatever the lease timeout.
			return concurrencyKey(prefix, this.scope, this.operation);
		}
		if (limit.isBudget()) {
			// The window's start is stored with the amount, not in the key: one key per
			// budget, which expires at the end of its window.
			return prefix + ":{" + this.scope + "}:" + this.operation + ":" + limit.name() + ":"
					+ Windows.format(limit.window()) + ":" + limit.algorithm().code();
		}
		return prefix + ":{" + this.scope + "}:" + this.operation + ":" + Windows.format(limit.window()) + ":"
				+ limit.algorithm().code();
	}

	/**
	 * The burst allowance of this scope, if it has one: its last limit.
	 * @return the allowance, or {@code null}
	 */
	public @Nullable LimitSpec burstAllowance() {
		LimitSpec last = this.limits.get(this.limits.size() - 1);
		return last.isBurstAllowance() ? last : null;
	}

	/**
	 * Whether any scope of this request has a budget.
	 * @return {@code true} when some limit is a budget
	 */
	public boolean hasBudgets() {
		for (RateLimitRequest scope : scopes()) {
			for (LimitSpec limit : scope.limits) {
				if (limit.isBudget()) {
					return true;
				}
			}
		}
		return false;
	}

	/**
	 * The storage key of the leases of a scope and operation:
	 * {@code <prefix>:{<scope>}:<operation>:cc}, in the scope's hash slot.
	 * @param prefix the key prefix
	 * @param scope the scope
	 * @param operation the canonical operation name
	 * @return the key
	 */
	public static String concurrencyKey(String prefix, String scope, String operation) {
		return prefix + ":{" + scope + "}:" + operation + ":" + Algorithm.CONCURRENCY.code();
	}

}
