package dev.ratelimit.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.ratelimit.core.LimitSpec;
import org.jspecify.annotations.Nullable;

/**
 * A resolved tier.
 *
 * @param name the name as the user wrote it
 * @param id the canonical name
 * @param unlimited whether callers on this tier are never limited
 * @param upgradeUrl where callers on this tier can upgrade, if anywhere
 * @param limits this tier's own limits by canonical operation name
 * @param concurrent this tier's own concurrency limits (requests in flight per caller) by
 * canonical operation name
 * @param budgets this tier's own budgets (per caller) by canonical operation name, in
 * place of the operation's
 * @param burstAllowance the {@linkplain LimitSpec#burstAllowance burst allowance} of this
 * tier's callers on every operation keyed by caller, or {@code null} for none
 * @author rate-limit-spring-boot
 */
public record TierPolicy(String name, String id, boolean unlimited, @Nullable String upgradeUrl,
		Map<String, List<LimitSpec>> limits, Map<String, LimitSpec> concurrent, Map<String, List<LimitSpec>> budgets,
		@Nullable LimitSpec burstAllowance) {

	public TierPolicy {
		limits = Map.copyOf(limits);
		concurrent = Map.copyOf(concurrent);
		budgets = Map.copyOf(budgets);
		if (burstAllowance != null && !burstAllowance.isBurstAllowance()) {
			throw new IllegalArgumentException("not a burst allowance: " + burstAllowance);
		}
	}

	/**
	 * A tier without a burst allowance.
	 * @param name the name as the user wrote it
	 * @param id the canonical name
	 * @param unlimited whether callers on this tier are never limited
	 * @param upgradeUrl where callers on this tier can upgrade, if anywhere
	 * @param limits this tier's own limits by canonical operation name
	 * @param concurrent this tier's own concurrency limits by canonical operation name
	 * @param budgets this tier's own budgets by canonical operation name
	 */
	public TierPolicy(String name, String id, boolean unlimited, @Nullable String upgradeUrl,
			Map<String, List<LimitSpec>> limits, Map<String, LimitSpec> concurrent,
			Map<String, List<LimitSpec>> budgets) {
		this(name, id, unlimited, upgradeUrl, limits, concurrent, budgets, null);
	}

	/**
	 * A tier without budgets of its own.
	 * @param name the name as the user wrote it
	 * @param id the canonical name
	 * @param unlimited whether callers on this tier are never limited
	 * @param upgradeUrl where callers on this tier can upgrade, if anywhere
	 * @param limits this tier's own limits by canonical operation name
	 * @param concurrent this tier's own concurrency limits by canonical operation name
	 */
	public TierPolicy(String name, String id, boolean unlimited, @Nullable String upgradeUrl,
			Map<String, List<LimitSpec>> limits, Map<String, LimitSpec> concurrent) {
		this(name, id, unlimited, upgradeUrl, limits, concurrent, Map.of());
	}

	/**
	 * A tier without concurrency limits.
	 * @param name the name as the user wrote it
	 * @param id the canonical name
	 * @param unlimited whether callers on this tier are never limited
	 * @param upgradeUrl where callers on this tier can upgrade, if anywhere
	 * @param limits this tier's own limits by canonical operation name
	 */
	public TierPolicy(String name, String id, boolean unlimited, @Nullable String upgradeUrl,
			Map<String, List<LimitSpec>> limits) {
		this(name, id, unlimited, upgradeUrl, limits, Map.of());
	}

	/**
	 * The limits that apply to an operation on this tier: the tier's own, else the
	 * operation's. Empty when none apply. An unlimited tier is still subject to the
	 * limits of operations keyed by client address or shared globally: those protect the
	 * service (e.g. login attempts), not a plan.
	 * <p>
	 * The caller's concurrency limit, if any, comes last: the tier's own, else the
	 * operation's ({@code @RateLimited(concurrent = …)}), then the budgets, and the
	 * tier's burst allowance, when it has one, is the very last, on operations keyed by
	 * caller that have a rate limit. The operation's {@linkplain OperationPolicy#global()
	 * global} limits are not among these: they are another scope's.
	 * @param operation the operation
	 * @return the limits, empty when unlimited
	 */
	public List<LimitSpec> limitsFor(OperationPolicy operation) {
		if (this.unlimited) {
			return (operation.key() != KeyType.IDENTITY) ? operation.limits() : List.of();
		}
		List<LimitSpec> limits = this.limits.getOrDefault(operation.id(), operation.limits());
		LimitSpec concurrent = this.concurrent.get(operation.id());
		if (concurrent == null) {
			concurrent = operation.concurrent();
		}
		List<LimitSpec> budgets = this.budgets.getOrDefault(operation.id(), operation.budgets());
		LimitSpec burstAllowance = (this.burstAllowance != null && operation.key() == KeyType.IDENTITY
				&& !limits.isEmpty()) ? this.burstAllowance : null;
		if (concurrent == null && budgets.isEmpty() && burstAllowance == null) {
			return limits;
		}
		List<LimitSpec> withConcurrent = new ArrayList<>(limits.size() + 2 + budgets.size());
		withConcurrent.addAll(limits);
		if (concurrent != null) {
			withConcurrent.add(concurrent);
		}
		withConcurrent.addAll(budgets);
		if (burstAllowance != null) {
			withConcurrent.add(burstAllowance);
		}
		return List.copyOf(withConcurrent);
	}

}
