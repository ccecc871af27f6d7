package dev.ratelimit.policy;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.ratelimit.core.LimitSpec;
import org.jspecify.annotations.Nullable;

/**
 * A temporary change to one caller's limits, set by an operator: another tier, or the
 * caller's own limits multiplied by a factor, until it expires.
 * <p>
 * An override applies to the requests of the caller it was set on. A tier switch puts the
 * caller on that tier for every operation, as if it were the caller's own. A multiplier
 * scales the limits of the budgets that belong to the caller alone, not those it shares
 * with others (operations keyed by client address, unless the caller is that address, or
 * shared globally).
 *
 * @param tier the tier the caller is put on, or {@code null} to keep the caller's own
 * @param multiplier the factor the caller's limits are multiplied by; {@code 1} for none
 * @param expiresAt when the override stops applying
 * @author rate-limit-spring-boot
 */
public record RateLimitOverride(@Nullable String tier, double multiplier, Instant expiresAt) {

	public RateLimitOverride {
		if (!(multiplier > 0) || Double.isInfinite(multiplier)) {
			throw new IllegalArgumentException("multiplier must be a positive number, was " + multiplier);
		}
		if (tier != null && tier.isBlank()) {
			throw new IllegalArgumentException("tier must not be blank");
		}
	}

	/**
	 * An override that puts the caller on another tier.
	 * @param tier the tier
	 * @param expiresAt when it expires
	 * @return the override
	 */
	public static RateLimitOverride tier(String tier, Instant expiresAt) {
		return new RateLimitOverride(tier, 1, expiresAt);
	}

	/**
	 * An override that multiplies the caller's limits.
	 * @param multiplier the factor, greater than zero
	 * @param expiresAt when it expires
	 * @return the override
	 */
	public static RateLimitOverride multiplier(double multiplier, Instant expiresAt) {
		return new RateLimitOverride(null, multiplier, expiresAt);
	}

	/**
	 * Whether the override still applies at the given time.
	 * @param now the time
	 * @return {@code true} until the expiry
	 */
	public boolean isActiveAt(Instant now) {
		return now.isBefore(this.expiresAt);
	}

	/**
	 * The overrides of a map that are active at an instant, sorted by scope.
	 * @param overrides overrides by scope
	 * @param now the instant
	 * @return the active overrides by scope
	 */
	public static Map<String, RateLimitOverride> activeAt(Map<String, RateLimitOverride> overrides, Instant now) {
		Map<String, RateLimitOverride> active = new TreeMap<>();
		overrides.forEach((scope, override) -> {
			if (override.isActiveAt(now)) {
				active.put(scope, override);
			}
		});
		return active;
	}

	/**
	 * The tier a caller is on under this override: the override's tier, or the caller's
	 * own when the override names none or names a tier the policy does not define (any
	 * more).
	 * @param policy the policy
	 * @param own the caller's own tier
	 * @return the effective tier
	 */
	public TierPolicy effectiveTier(RateLimitPolicy policy, TierPolicy own) {
		if (this.tier == null) {
			return own;
		}
		TierPolicy tier = policy.tier(this.tier);
		return (tier != null) ? tier : own;
	}

	/**
	 * The limits of one of the caller's own budgets under this override.
	 * @param limits the limits of the caller's (effective) tier
	 * @return the limits multiplied by the multiplier
	 */
	public List<LimitSpec> scale(List<LimitSpec> limits) {
		if (this.multiplier == 1) {
			return limits;
		}
		return limits.stream().map((limit) -> limit.scaled(this.multiplier)).toList();
	}

}
