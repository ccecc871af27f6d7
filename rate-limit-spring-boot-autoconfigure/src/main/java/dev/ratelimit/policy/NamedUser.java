package dev.ratelimit.policy;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.ratelimit.core.LimitSpec;
import org.jspecify.annotations.Nullable;

/**
 * A user named in the configuration: the tier it is on, if one is given, and its own
 * limits of some operations, in place of its tier's. The tiers with the user's limits in
 * them are made once, at startup, so that applying a named user to a request is a map
 * lookup.
 *
 * @author rate-limit-spring-boot
 */
public final class NamedUser {

	private final @Nullable String tier;

	private final Map<String, List<LimitSpec>> limits;

	private final @Nullable TierPolicy fixedTier;

	private final Map<String, TierPolicy> tiersWithOwnLimits;

	private NamedUser(@Nullable String tier, Map<String, List<LimitSpec>> limits, @Nullable TierPolicy fixedTier,
			Map<String, TierPolicy> tiersWithOwnLimits) {
		this.tier = tier;
		this.limits = limits;
		this.fixedTier = fixedTier;
		this.tiersWithOwnLimits = tiersWithOwnLimits;
	}

	/**
	 * Create a named user.
	 * @param tier the tier the user is always on, or {@code null} to keep the tier the
	 * resolver finds
	 * @param limits the user's own limits by canonical operation name, in place of the
	 * tier's; not applied on an unlimited tier
	 * @param tiers every tier of the policy, which the user may be resolved to when no
	 * tier is given
	 * @return the named user
	 */
	public static NamedUser of(@Nullable TierPolicy tier, Map<String, List<LimitSpec>> limits,
			Collection<TierPolicy> tiers) {
		Map<String, List<LimitSpec>> own = Map.copyOf(limits);
		if (tier != null) {
			return new NamedUser(tier.name(), own, withOwnLimits(tier, own), Map.of());
		}
		Map<String, TierPolicy> byId = new HashMap<>();
		if (!own.isEmpty()) {
			for (TierPolicy candidate : tiers) {
				byId.put(candidate.id(), withOwnLimits(candidate, own));
			}
		}
		return new NamedUser(null, own, null, Map.copyOf(byId));
	}

	private static TierPolicy withOwnLimits(TierPolicy tier, Map<String, List<LimitSpec>> own) {
		if (own.isEmpty() || tier.unlimited()) {
			return tier;
		}
		Map<String, List<LimitSpec>> limits = new LinkedHashMap<>(tier.limits());
		limits.putAll(own);
		// The same name and id: headers, problems and metrics name the user's tier.
		return new TierPolicy(tier.name(), tier.id(), false, tier.upgradeUrl(), limits, tier.concurrent(),
				tier.budgets());
	}

	/**
	 * The tier the user's requests are checked against: the configured tier or the
	 * resolved one, with the user's own limits in it.
	 * @param resolved the tier the resolver found
	 * @return the effective tier
	 */
	public TierPolicy effectiveTier(TierPolicy resolved) {
		if (this.fixedTier != null) {
			return this.fixedTier;
		}
		TierPolicy withOwnLimits = this.tiersWithOwnLimits.get(resolved.id());
		return (withOwnLimits != null) ? withOwnLimits : resolved;
	}

	/**
	 * The name of the tier the user is always on.
	 * @return the tier's name, or {@code null} when the user keeps its resolved tier
	 */
	public @Nullable String tier() {
		return this.tier;
	}

	/**
	 * The user's own limits.
	 * @return the limits by canonical operation name
	 */
	public Map<String, List<LimitSpec>> limits() {
		return this.limits;
	}

}
