package dev.ratelimit.policy.dynamic;

import java.time.Clock;

import org.jspecify.annotations.Nullable;

/**
 * The dynamic multipliers of callers' limits ({@code rate-limit.dynamic}): by time of
 * day, by this instance's load, by the caller's reputation and by its country; each only
 * when configured. Everything a request needs is in memory: the schedule is read against
 * the clock, the load and the reputations come from background samplers.
 *
 * @author rate-limit-spring-boot
 */
public final class DynamicLimits {

	private final Clock clock;

	private final @Nullable Schedule schedule;

	private final @Nullable LoadThresholds loadThresholds;

	private final @Nullable SampledLoad load;

	private final @Nullable CachedReputations reputations;

	private final @Nullable GeographyMultipliers geography;

	/**
	 * Create the dynamic limits.
	 * @param clock the clock the schedule is read by
	 * @param schedule the schedule, or {@code null} for none
	 * @param loadThresholds how load adjusts limits, or {@code null} for not at all
	 * @param load the sampled load; required with {@code loadThresholds}
	 * @param reputations the callers' reputations, or {@code null} when reputation
	 * adjusts nothing
	 * @param geography the multipliers by country, or {@code null} for none
	 */
	public DynamicLimits(Clock clock, @Nullable Schedule schedule, @Nullable LoadThresholds loadThresholds,
			@Nullable SampledLoad load, @Nullable CachedReputations reputations,
			@Nullable GeographyMultipliers geography) {
		if ((loadThresholds == null) != (load == null)) {
			throw new IllegalArgumentException("load thresholds and a sampled load go together");
		}
		this.clock = clock;
		this.schedule = schedule;
		this.loadThresholds = loadThresholds;
		this.load = load;
		this.reputations = reputations;
		this.geography = geography;
	}

	/**
	 * The adjustments of one caller's limits.
	 * @param scope the caller's hashed scope
	 * @param country the value of the {@linkplain #geography() geography header} of a
	 * request that came through a trusted proxy, or {@code null} when there is none or it
	 * cannot be believed
	 * @return the adjustments, {@link Adjustments#NONE} when none applies
	 */
	public Adjustments adjustments(String scope, @Nullable String country) {
		Adjustments adjustments = callerAdjustments(scope);
		if (this.geography != null) {
			adjustments = adjustments.and(Adjustments.GEOGRAPHY, this.geography.multiplierFor(country));
		}
		return adjustments;
	}

	/**
	 * The adjustments of a caller's limits that do not depend on a request: schedule,
	 * load and reputation, not geography.
	 * @param scope the caller's hashed scope
	 * @return the adjustments
	 */
	public Adjustments callerAdjustments(String scope) {
		Adjustments adjustments = instanceAdjustments();
		if (this.reputations != null) {
			adjustments = adjustments.and(Adjustments.REPUTATION, 0.5 + 0.5 * this.reputations.reputation(scope));
		}
		return adjustments;
	}

	/**
	 * The adjustments that apply to every caller of this instance now: schedule and load.
	 * @return the adjustments
	 */
	public Adjustments instanceAdjustments() {
		Adjustments adjustments = Adjustments.NONE;
		if (this.schedule != null) {
			adjustments = adjustments.and(Adjustments.SCHEDULE, this.schedule.multiplierAt(this.clock.instant()));
		}
		if (this.loadThresholds != null && this.load != null) {
			adjustments = adjustments.and(Adjustments.LOAD, this.loadThresholds.multiplierAt(this.load.load()));
		}
		return adjustments;
	}

	/**
	 * The schedule.
	 * @return the schedule, or {@code null} when none is configured
	 */
	public @Nullable Schedule schedule() {
		return this.schedule;
	}

	/**
	 * The window of the schedule that applies now.
	 * @return the window, or {@code null} when none does
	 */
	public @Nullable ScheduleWindow activeWindow() {
		return (this.schedule != null) ? this.schedule.windowAt(this.clock.instant()) : null;
	}

	/**
	 * How load adjusts limits.
	 * @return the thresholds, or {@code null} when load adjusts nothing
	 */
	public @Nullable LoadThresholds loadThresholds() {
		return this.loadThresholds;
	}

	/**
	 * The last sampled load.
	 * @return the load, {@code NaN} when unknown or not sampled
	 */
	public double load() {
		return (this.load != null) ? this.load.load() : Double.NaN;
	}

	/**
	 * Whether reputation adjusts limits.
	 * @return {@code true} when enabled
	 */
	public boolean reputationEnabled() {
		return this.reputations != null;
	}

	/**
	 * The multipliers by country.
	 * @return the multipliers, or {@code null} when geography adjusts nothing
	 */
	public @Nullable GeographyMultipliers geography() {
		return this.geography;
	}

}
