package dev.ratelimit.admin;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.ratelimit.core.Decision;
import dev.ratelimit.core.LimitSpec;
import dev.ratelimit.core.LimitState;
import dev.ratelimit.core.RateLimitRequest;
import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.core.ScopeKind;
import dev.ratelimit.policy.KeyType;
import dev.ratelimit.policy.NamedUser;
import dev.ratelimit.policy.NamedUsers;
import dev.ratelimit.policy.OperationPolicy;
import dev.ratelimit.policy.OverrideStore;
import dev.ratelimit.policy.RateLimitOverride;
import dev.ratelimit.policy.RateLimitPolicy;
import dev.ratelimit.policy.TierPolicy;
import dev.ratelimit.policy.dynamic.Adjustments;
import dev.ratelimit.policy.dynamic.DynamicLimits;
import dev.ratelimit.web.Identity;
import org.jspecify.annotations.Nullable;

/**
 * What an operator does to one caller's limits: read its usage of every limit that
 * applies to it (without consuming anything), override its limits until a given time, and
 * give it a clean slate. Requests an operator gets wrong (an unknown tier, a multiplier
 * out of range) fail with an {@link IllegalArgumentException} whose message says what to
 * give instead.
 *
 * @author rate-limit-spring-boot
 */
public final class RateLimitAdminService {

	private static final double MAX_MULTIPLIER = 1000;

	private final RateLimitPolicy policy;

	/**
	 * The policy's operations by name: the policy never changes, so they are sorted once.
	 */
	private final List<OperationPolicy> operations;

	private final RateLimiter limiter;

	private final OverrideStore overrides;

	private final @Nullable ObservedTiers observedTiers;

	private final Clock clock;

	private final NamedUsers namedUsers;

	private final @Nullable DynamicLimits dynamicLimits;

	/**
	 * Create the service.
	 * @param policy the rules
	 * @param limiter the limiter the filter calls
	 * @param overrides where overrides are kept (the filter's store)
	 * @param observedTiers the tiers callers were seen on, or {@code null} when traffic
	 * is not recorded
	 * @param clock the clock overrides expire by
	 */
	public RateLimitAdminService(RateLimitPolicy policy, RateLimiter limiter, OverrideStore overrides,
			@Nullable ObservedTiers observedTiers, Clock clock) {
		this(policy, limiter, overrides, observedTiers, clock, null);
	}

	/**
	 * Create the service, showing callers' limits as dynamic multipliers adjust them.
	 * @param policy the rules
	 * @param limiter the limiter the filter calls
	 * @param overrides where overrides are kept (the filter's store)
	 * @param observedTiers the tiers callers were seen on, or {@code null} when traffic
	 * is not recorded
	 * @param clock the clock overrides expire by
	 * @param dynamicLimits the filter's dynamic multipliers, or {@code null} when none is
	 * configured
	 */
	public RateLimitAdminService(RateLimitPolicy policy, RateLimiter limiter, OverrideStore overrides,
			@Nullable ObservedTiers observedTiers, Clock clock, @Nullable DynamicLimits dynamicLimits) {
		this(policy, limiter, overrides, observedTiers, clock, dynamicLimits, NamedUsers.none());
	}

	/**
	 * Create the service, showing callers' limits as dynamic multipliers adjust them and
	 * named users' under their configured tier and limits.
	 * @param policy the rules
	 * @param limiter the limiter the filter calls
	 * @param overrides where overrides are kept (the filter's store)
	 * @param observedTiers the tiers callers were seen on, or {@code null} when traffic
	 * is not recorded
	 * @param clock the clock overrides expire by
	 * @param dynamicLimits the filter's dynamic multipliers, or {@code null} when none is
	 * configured
	 * @param namedUsers the users named in the configuration
	 */
	public RateLimitAdminService(RateLimitPolicy policy, RateLimiter limiter, OverrideStore overrides,
			@Nullable ObservedTiers observedTiers, Clock clock, @Nullable DynamicLimits dynamicLimits,
			NamedUsers namedUsers) {
		this.namedUsers = namedUsers;
		this.dynamicLimits = dynamicLimits;
		this.policy = policy;
		this.operations = policy.operations().stream().sorted(Comparator.comparing(OperationPolicy::name)).toList();
		this.limiter = limiter;
		this.overrides = overrides;
		this.observedTiers = observedTiers;
		this.clock = clock;
	}

	/**
	 * The rules.
	 * @return the policy
	 */
	public RateLimitPolicy policy() {
		return this.policy;
	}

	/**
	 * The policy's operations.
	 * @return the operations, by name
	 */
	public List<OperationPolicy> operations() {
		return this.operations;
	}

	/**
	 * The dynamic multipliers the filter applies.
	 * @return the dynamic limits, or {@code null} when none is configured
	 */
	public @Nullable DynamicLimits dynamicLimits() {
		return this.dynamicLimits;
	}

	/**
	 * The time overrides expire by.
	 * @return now
	 */
	public Instant now() {
		return this.clock.instant();
	}

	/**
	 * The active overrides.
	 * @return the overrides by scope
	 */
	public Map<String, RateLimitOverride> overrides() {
		return this.overrides.findAll();
	}

	/**
	 * A caller's usage of every limit charged to it.
	 * @param caller the caller
	 * @param tier the caller's own tier, or {@code null} to assume one (overridden,
	 * observed or the default)
	 * @return the usage
	 * @throws IllegalArgumentException when the tier is not configured
	 */
	public CallerUsage usage(Identity caller, @Nullable String tier) {
		return usage(caller, (tier != null) ? knownTier(tier) : null);
	}

	/**
	 * Override a caller's limits until the override expires, replacing any other override
	 * of the caller. Unless told otherwise, the caller's counters are reset too, so that
	 * the override takes effect at once whatever the algorithm: a token bucket remembers
	 * usage as time rather than as a count, so a caller who used up a free tier's hour
	 * would otherwise also have used up the pro tier's hour.
	 * @param caller the caller
	 * @param tier the tier to put the caller on, or {@code null} when a multiplier is
	 * given
	 * @param multiplier the factor to multiply the caller's limits by, or {@code null}
	 * when a tier is given
	 * @param duration how long the override lasts
	 * @param reset whether to reset the caller's counters
	 * @return the caller's usage under the override
	 * @throws IllegalArgumentException when the tier is not configured or the multiplier
	 * is out of range
	 */
	public CallerUsage override(Identity caller, @Nullable String tier, @Nullable Double multiplier, Duration duration,
			boolean reset) {
		if ((tier == null) == (multiplier == null)) {
			throw new IllegalArgumentException("Give either a tier or a multiplier");
		}
		Instant expiresAt = this.clock.instant().plus(duration);
		RateLimitOverride override;
		if (tier != null) {
			override = RateLimitOverride.tier(knownTier(tier).name(), expiresAt);
		}
		else {
			if (!(multiplier > 0) || multiplier > MAX_MULTIPLIER) {
				throw new IllegalArgumentException(
						"The multiplier must be greater than 0 and at most " + (long) MAX_MULTIPLIER);
			}
			override = RateLimitOverride.multiplier(multiplier, expiresAt);
		}
		this.overrides.put(caller.scope(), override);
		if (reset) {
			resetCounters(caller, new ArrayList<>());
		}
		return usage(caller, (TierPolicy) null);
	}

	/**
	 * Give a caller a clean slate: reset its counters of every limit that could apply to
	 * it, on any tier, and lift any override.
	 * @param caller the caller
	 * @return what was reset
	 */
	public Reset reset(Identity caller) {
		List<String> notes = new ArrayList<>();
		List<String> reset = resetCounters(caller, notes);
		boolean overrideRemoved = this.overrides.remove(caller.scope());
		return new Reset(caller.scope(), reset, overrideRemoved, notes);
	}

	/**
	 * Reset the caller's counters of every limit that could apply to it, on any tier.
	 * @return the operations reset
	 */
	private List<String> resetCounters(Identity caller, List<String> notes) {
		List<String> reset = new ArrayList<>();
		for (OperationPolicy operation : this.operations) {
			String skipped = skipped(operation, caller);
			if (skipped != null) {
				notes.add(skipped);
				continue;
			}
			List<LimitSpec> limits = everyStoredLimit(operation);
			if (!limits.isEmpty()) {
				List<LimitSpec> allowances = limits.stream().filter(LimitSpec::isBurstAllowance).toList();
				List<LimitSpec> others = limits.stream().filter((limit) -> !limit.isBurstAllowance()).toList();
				if (!others.isEmpty()) {
					this.limiter.reset(new RateLimitRequest(caller.scope(), operation.id(), others, 0));
				}
				// Each tier's allowance is the last limit of a request of its own: tiers
				// may
				// have allowances of different windows, and a request holds only one.
				for (LimitSpec allowance : allowances) {
					this.limiter.reset(new RateLimitRequest(caller.scope(), operation.id(), List.of(allowance), 0));
				}
				reset.add(operation.name());
			}
		}
		return reset;
	}

	private CallerUsage usage(Identity caller, @Nullable TierPolicy requested) {
		String scope = caller.scope();
		RateLimitOverride override = this.overrides.find(scope);
		TierPolicy tier;
		String tierSource;
		if (requested != null) {
			tier = requested;
			tierSource = "parameter";
		}
		else {
			String observed = (this.observedTiers != null) ? this.observedTiers.observedTier(scope) : null;
			TierPolicy observedTier = (observed != null) ? this.policy.tier(observed) : null;
			tier = (observedTier != null) ? observedTier : this.policy.defaultTier();
			tierSource = (observedTier != null) ? "observed" : "default";
		}
		TierPolicy overridden = (override != null) ? override.effectiveTier(this.policy, tier) : tier;
		if (overridden != tier) {
			tier = overridden;
			tierSource = "override";
		}
		// Not when asked for a tier: that is the operator's question, answered as asked.
		NamedUser named = (override == null && requested == null) ? this.namedUsers.find(scope) : null;
		if (named != null) {
			// As the filter applies it: the configured tier, with the user's own limits.
			tier = named.effectiveTier(tier);
			tierSource = "configuration";
		}
		List<OperationUsage> usage = new ArrayList<>();
		List<String> notes = new ArrayList<>();
		// What applies to the caller whatever the request: geography depends on each
		// request's header, so the usage is shown without it.
		Adjustments adjustments = (this.dynamicLimits != null) ? this.dynamicLimits.callerAdjustments(scope)
				: Adjustments.NONE;
		for (OperationPolicy operation : this.operations) {
			String skipped = skipped(operation, caller);
			if (skipped != null) {
				notes.add(skipped);
				continue;
			}
			List<LimitSpec> limits = tier.limitsFor(operation);
			if (override != null) {
				limits = override.scale(limits);
			}
			if (operation.key() == KeyType.IDENTITY) {
				limits = adjustments.apply(limits);
			}
			usage.add(usage(scope, operation, limits, notes));
		}
		return new CallerUsage(scope, tier, tierSource, override, usage, notes, adjustments);
	}

	/**
	 * The usage of an operation's global limits (all callers together), read without
	 * consuming anything.
	 * @param operation the operation
	 * @return the usage; unlimited when the operation has no global limits
	 */
	public OperationUsage globalUsage(OperationPolicy operation) {
		return usage(ScopeKind.GLOBAL_SCOPE, operation, operation.global(), new ArrayList<>());
	}

	private OperationUsage usage(String scope, OperationPolicy operation, List<LimitSpec> limits, List<String> notes) {
		if (limits.isEmpty()) {
			return new OperationUsage(operation, true, false, List.of());
		}
		// Cost 0: reads every limit's state without consuming from any.
		Decision decision = this.limiter.check(new RateLimitRequest(scope, operation.id(), limits, 0));
		if (decision.isUnavailable()) {
			notes.add("The usage of " + operation.name() + " cannot be read while the backend is unavailable");
		}
		return new OperationUsage(operation, false, decision.isFallback(), decision.limits());
	}

	/**
	 * Why an operation's budget is not the caller's, or {@code null} when it is.
	 */
	private static @Nullable String skipped(OperationPolicy operation, Identity caller) {
		if (operation.key() == KeyType.GLOBAL) {
			return operation.name() + " is one budget shared by every caller (key: global)";
		}
		if (operation.key() == KeyType.IP && !caller.kind().equals("ip")) {
			return operation.name() + " is counted per client address (key: ip); select ip:<address> to see it";
		}
		return null;
	}

	/**
	 * One limit per stored key (window and algorithm) of every tier's limits of an
	 * operation, so that a reset reaches the caller's counters whatever tier it was on.
	 */
	private List<LimitSpec> everyStoredLimit(OperationPolicy operation) {
		Map<String, LimitSpec> byKey = new LinkedHashMap<>();
		for (LimitSpec limit : operation.limits()) {
			byKey.putIfAbsent(limit.window() + limit.algorithm().code() + limit.name(), limit);
		}
		for (TierPolicy tier : this.policy.tiers()) {
			for (LimitSpec limit : tier.limitsFor(operation)) {
				byKey.putIfAbsent(limit.window() + limit.algorithm().code() + limit.name(), limit);
			}
		}
		return List.copyOf(byKey.values());
	}

	private TierPolicy knownTier(String name) {
		TierPolicy tier = this.policy.tier(name);
		if (tier == null) {
			throw new IllegalArgumentException("Unknown tier '" + name + "'; the tiers are "
					+ String.join(", ", this.policy.tiers().stream().map(TierPolicy::name).sorted().toList()));
		}
		return tier;
	}

	/**
	 * One caller's usage.
	 *
	 * @param scope the caller's hashed scope
	 * @param tier the tier the usage was read for
	 * @param tierSource why that tier: {@code parameter}, {@code override},
	 * {@code configuration} (a named user), {@code observed} or {@code default}
	 * @param override the caller's active override, or {@code null}
	 * @param operations the usage of every operation charged to the caller
	 * @param notes operations not shown, and why
	 * @param adjustments the dynamic multipliers applied to the caller's own limits
	 * (schedule, load and reputation; geography depends on each request)
	 */
	public record CallerUsage(String scope, TierPolicy tier, String tierSource, @Nullable RateLimitOverride override,
			List<OperationUsage> operations, List<String> notes, Adjustments adjustments) {

	}

	/**
	 * A caller's usage of one operation.
	 *
	 * @param operation the operation
	 * @param unlimited whether no limit applies
	 * @param fallback whether the usage was read from the failure mode's local limiter
	 * @param limits the state of each limit
	 */
	public record OperationUsage(OperationPolicy operation, boolean unlimited, boolean fallback,
			List<LimitState> limits) {

	}

	/**
	 * What a reset did.
	 *
	 * @param scope the caller's hashed scope
	 * @param reset the operations whose counters were reset
	 * @param overrideRemoved whether an override was lifted
	 * @param notes operations not reset, and why
	 */
	public record Reset(String scope, List<String> reset, boolean overrideRemoved, List<String> notes) {

	}

}
