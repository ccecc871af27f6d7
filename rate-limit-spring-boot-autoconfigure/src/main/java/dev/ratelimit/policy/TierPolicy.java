package dev.ratelimit.policy;

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
 * @author rate-limit-spring-boot
 */
public record TierPolicy(String name, String id, boolean unlimited, @Nullable String upgradeUrl,
		Map<String, List<LimitSpec>> limits) {

	public TierPolicy {
		limits = Map.copyOf(limits);
	}

	/**
	 * The limits that apply to an operation on this tier: the tier's own, else the
	 * operation's. Empty when none apply. An unlimited tier is still subject to the
	 * limits of operations keyed by client address or shared globally: those protect the
	 * service (e.g. login attempts), not a plan.
	 * @param operation the operation
	 * @return the limits, empty when unlimited
	 */
	public List<LimitSpec> limitsFor(OperationPolicy operation) {
		if (this.unlimited) {
			return (operation.key() != KeyType.IDENTITY) ? operation.limits() : List.of();
		}
		return this.limits.getOrDefault(operation.id(), operation.limits());
	}

}
