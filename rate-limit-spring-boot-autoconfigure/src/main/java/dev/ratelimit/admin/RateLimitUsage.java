package dev.ratelimit.admin;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.ratelimit.core.Decision;
import dev.ratelimit.core.LimitState;
import dev.ratelimit.core.Money;
import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.core.ScopeKind;
import dev.ratelimit.core.Windows;
import dev.ratelimit.policy.KeyType;
import dev.ratelimit.policy.OperationPolicy;
import dev.ratelimit.policy.RateLimitPolicy;
import dev.ratelimit.policy.TierPolicy;
import dev.ratelimit.web.Identity;
import dev.ratelimit.web.IdentityResolver;
import dev.ratelimit.web.ResolvedRequest;
import dev.ratelimit.web.TierResolver;
import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;

/**
 * A caller's usage of an operation, read without consuming anything: every limit
 * (current, limit, remaining, reset) and every budget (spent, limit, remaining, reset) of
 * the caller's scope and of the global scope. One read-only check (cost 0): one Redis
 * call, or one per scope on Redis Cluster.
 * <p>
 * For the current caller, {@link #current(HttpServletRequest, String)} resolves the
 * identity and tier as the filter does; {@link #of(Identity, String, String)} reads any
 * identity's. Temporary overrides are not applied.
 *
 * @author rate-limit-spring-boot
 */
public final class RateLimitUsage {

	private final RateLimitPolicy policy;

	private final RateLimiter limiter;

	private final IdentityResolver identityResolver;

	private final TierResolver tierResolver;

	/**
	 * Create the usage reader.
	 * @param policy the policy
	 * @param limiter the limiter to read through
	 * @param identityResolver resolves the current caller
	 * @param tierResolver resolves the current caller's tier
	 */
	public RateLimitUsage(RateLimitPolicy policy, RateLimiter limiter, IdentityResolver identityResolver,
			TierResolver tierResolver) {
		this.policy = policy;
		this.limiter = limiter;
		this.identityResolver = identityResolver;
		this.tierResolver = tierResolver;
	}

	/**
	 * The usage of an operation by the caller of a request.
	 * @param request the request that identifies the caller
	 * @param operation the operation's name
	 * @return the usage
	 * @throws IllegalArgumentException for an unknown operation
	 */
	public Usage current(HttpServletRequest request, String operation) {
		Identity caller = this.identityResolver.resolve(request);
		TierPolicy tier = this.policy.tierOrDefault(this.tierResolver.resolveTier(request, caller));
		return usage(caller, tier, operation);
	}

	/**
	 * The usage of an operation by any identity.
	 * @param caller the identity
	 * @param tier the tier's name, or {@code null} for the default tier
	 * @param operation the operation's name
	 * @return the usage
	 * @throws IllegalArgumentException for an unknown operation
	 */
	public Usage of(Identity caller, @Nullable String tier, String operation) {
		return usage(caller, this.policy.tierOrDefault(tier), operation);
	}

	private Usage usage(Identity caller, TierPolicy tier, String name) {
		OperationPolicy operation = this.policy.operation(name);
		if (operation == null) {
			throw new IllegalArgumentException("Unknown operation '" + name + "'");
		}
		Identity owner = (operation.key() == KeyType.GLOBAL) ? Identity.global() : caller;
		ResolvedRequest resolved = new ResolvedRequest(operation, tier, owner, tier.limitsFor(operation), 0, null,
				operation.global());
		if (resolved.isUnlimited()) {
			return new Usage(operation.name(), tier.name(), owner.scope(), false, List.of(), List.of());
		}
		// Cost 0: reads every limit and budget without consuming, and takes no lease.
		Decision decision = this.limiter.check(resolved.toRateLimitRequest());
		List<LimitUsage> limits = new ArrayList<>();
		List<BudgetUsage> budgets = new ArrayList<>();
		for (LimitState state : decision.limits()) {
			ScopeKind scope = decision.scopes().isEmpty() ? resolved.scopeKind() : decision.scopeOf(state);
			if (state.limit().isBudget()) {
				budgets.add(new BudgetUsage(state.limit().name(), scope.value(), Windows.format(state.limit().window()),
						amount(state.spentMicros()), amount(state.limit().limit()),
						amount(Math.max(0, state.remaining())), state.resetAfter()));
			}
			else {
				long limit = state.limit().capacity();
				limits.add(new LimitUsage(scope.value(), Windows.format(state.limit().window()),
						state.limit().isConcurrency(), Math.max(0, limit - state.remaining()), limit, state.remaining(),
						state.resetAfter()));
			}
		}
		return new Usage(operation.name(), tier.name(), owner.scope(), decision.isFallback(), List.copyOf(limits),
				List.copyOf(budgets));
	}

	private static BigDecimal amount(long micros) {
		BigDecimal amount = Money.ofMicros(micros).stripTrailingZeros();
		return (amount.scale() < 2) ? amount.setScale(2) : amount;
	}

	/**
	 * The usage of one operation by one caller.
	 *
	 * @param operation the operation's name
	 * @param tier the tier it was read for
	 * @param scope the caller's hashed scope
	 * @param fallback whether the numbers come from the local fallback (Redis cannot
	 * answer): then budgets show nothing spent
	 * @param limits every limit, the caller's and the global ones
	 * @param budgets every budget, the caller's and the global ones
	 */
	public record Usage(String operation, String tier, String scope, boolean fallback, List<LimitUsage> limits,
			List<BudgetUsage> budgets) {

		/**
		 * The limit of a scope with a window.
		 * @param scope {@code caller}, {@code ip} or {@code global}
		 * @param window the window, e.g. {@code 1m}
		 * @return the limit, or {@code null}
		 */
		public @Nullable LimitUsage limit(String scope, String window) {
			for (LimitUsage limit : this.limits) {
				if (limit.scope().equals(scope) && limit.window().equals(window) && !limit.concurrent()) {
					return limit;
				}
			}
			return null;
		}

		/**
		 * The budget of a scope with a name.
		 * @param scope {@code caller}, {@code ip} or {@code global}
		 * @param name the budget's name, e.g. {@code usd}
		 * @return the budget, or {@code null}
		 */
		public @Nullable BudgetUsage budget(String scope, String name) {
			for (BudgetUsage budget : this.budgets) {
				if (budget.scope().equals(scope) && budget.name().equals(name)) {
					return budget;
				}
			}
			return null;
		}

	}

	/**
	 * The usage of one limit.
	 *
	 * @param scope {@code caller}, {@code ip} or {@code global}
	 * @param window the window, e.g. {@code 1h} (the lease timeout for a concurrency
	 * limit)
	 * @param concurrent whether it is a concurrency limit (requests in flight)
	 * @param current the units used
	 * @param limit the units allowed (a token bucket's burst)
	 * @param remaining the units left
	 * @param reset how long until fully replenished
	 */
	public record LimitUsage(String scope, String window, boolean concurrent, long current, long limit, long remaining,
			Duration reset) {
	}

	/**
	 * The usage of one budget.
	 *
	 * @param name the budget's name
	 * @param scope {@code caller}, {@code ip} or {@code global}
	 * @param window the window, e.g. {@code 1d}
	 * @param spent the amount spent in the current window (more than the limit when the
	 * last request overdrew it)
	 * @param limit the amount per window
	 * @param remaining the amount left, never below zero
	 * @param reset how long until the window ends
	 */
	public record BudgetUsage(String name, String scope, String window, BigDecimal spent, BigDecimal limit,
			BigDecimal remaining, Duration reset) {
	}

}
