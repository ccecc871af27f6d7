package dev.ratelimit.actuate;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.ratelimit.core.LimitSpec;
import dev.ratelimit.core.LimitState;
import dev.ratelimit.core.Money;
import dev.ratelimit.core.Windows;
import dev.ratelimit.policy.RateLimitOverride;
import dev.ratelimit.policy.dynamic.Adjustments;
import dev.ratelimit.policy.dynamic.DynamicLimits;
import dev.ratelimit.policy.dynamic.GeographyMultipliers;
import dev.ratelimit.policy.dynamic.LoadThresholds;
import dev.ratelimit.policy.dynamic.Schedule;
import dev.ratelimit.policy.dynamic.ScheduleWindow;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.OperationResponseBody;

/**
 * The JSON bodies of the {@code ratelimits} endpoint ({@link RateLimitsEndpoint}): one
 * record per object, named as the README documents them.
 *
 * @author rate-limit-spring-boot
 */
public final class RateLimitsDescriptors {

	private RateLimitsDescriptors() {
	}

	/**
	 * The summary of {@code GET /actuator/ratelimits}.
	 *
	 * @param backend the limiter and its state
	 * @param rules the effective rules
	 * @param overrides the active overrides
	 * @param traffic what the filter decided, {@code null} when not recorded
	 * @param operations the state of every operation with global or concurrency limits:
	 * global usage and requests in flight, by operation name
	 * @param dynamic the dynamic multipliers and their current state, {@code null} when
	 * none is configured
	 * @param namedUsers the users named in the configuration ({@code rate-limit.users}),
	 * the other source of overrides, by scope
	 */
	public record RateLimitsDescriptor(BackendDescriptor backend, RulesDescriptor rules,
			List<OverrideDescriptor> overrides, @Nullable TrafficDescriptor traffic,
			Map<String, OperationStateDescriptor> operations, @Nullable DynamicDescriptor dynamic,
			List<NamedUserDescriptor> namedUsers) implements OperationResponseBody {

		/**
		 * A summary without named users.
		 * @param backend the limiter and its state
		 * @param rules the effective rules
		 * @param overrides the active overrides
		 * @param traffic what the filter decided, {@code null} when not recorded
		 * @param operations the state of every operation with global or concurrency
		 * limits
		 * @param dynamic the dynamic multipliers, {@code null} when none is configured
		 */
		public RateLimitsDescriptor(BackendDescriptor backend, RulesDescriptor rules,
				List<OverrideDescriptor> overrides, @Nullable TrafficDescriptor traffic,
				Map<String, OperationStateDescriptor> operations, @Nullable DynamicDescriptor dynamic) {
			this(backend, rules, overrides, traffic, operations, dynamic, List.of());
		}

	}

	/**
	 * The dynamic multipliers of callers' own limits.
	 *
	 * @param schedule the windows of the schedule, empty when none
	 * @param load how load adjusts limits and the last sampled load, {@code null} when it
	 * does not
	 * @param reputation whether reputation adjusts limits
	 * @param geography the multipliers by country, {@code null} when none
	 * @param adjustments what applies to every caller of this instance now (schedule and
	 * load), by name; reputation and geography differ by caller and request
	 */
	public record DynamicDescriptor(List<ScheduleWindowDescriptor> schedule, @Nullable LoadDescriptor load,
			boolean reputation, @Nullable GeographyDescriptor geography, Map<String, Double> adjustments) {

		static DynamicDescriptor of(DynamicLimits dynamic, Adjustments now) {
			Schedule schedule = dynamic.schedule();
			ScheduleWindow active = dynamic.activeWindow();
			List<ScheduleWindowDescriptor> windows = (schedule != null) ? schedule.windows()
				.stream()
				.map((window) -> new ScheduleWindowDescriptor(window.hours(), window.zone().getId(),
						window.multiplier(), window == active))
				.toList() : List.of();
			LoadThresholds thresholds = dynamic.loadThresholds();
			LoadDescriptor load = null;
			if (thresholds != null) {
				double current = dynamic.load();
				load = new LoadDescriptor(Double.isNaN(current) ? null : current, finite(thresholds.high()),
						thresholds.highMultiplier(), finite(thresholds.low()), thresholds.lowMultiplier(),
						thresholds.multiplierAt(current));
			}
			GeographyMultipliers geography = dynamic.geography();
			return new DynamicDescriptor(windows, load, dynamic.reputationEnabled(),
					(geography != null) ? new GeographyDescriptor(geography.header(),
							new TreeMap<>(geography.multipliers()), geography.defaultMultiplier()) : null,
					now.multipliers());
		}

		private static @Nullable Double finite(double value) {
			return Double.isInfinite(value) ? null : value;
		}

	}

	/**
	 * A window of the schedule.
	 *
	 * @param hours the hours, e.g. {@code 22:00-06:00}
	 * @param zone the zone they are read in
	 * @param multiplier the multiplier within the window
	 * @param active whether this is the window that applies now
	 */
	public record ScheduleWindowDescriptor(String hours, String zone, double multiplier, boolean active) {

	}

	/**
	 * How load adjusts limits.
	 *
	 * @param current the last sampled load (0 to 1), {@code null} when unknown
	 * @param high the load from which limits shrink, {@code null} when not set
	 * @param highMultiplier the multiplier at high load
	 * @param low the load up to which limits grow, {@code null} when not set
	 * @param lowMultiplier the multiplier at low load
	 * @param multiplier the multiplier that applies now
	 */
	public record LoadDescriptor(@Nullable Double current, @Nullable Double high, double highMultiplier,
			@Nullable Double low, double lowMultiplier, double multiplier) {

	}

	/**
	 * The multipliers by country.
	 *
	 * @param header the header the country code is read from (from trusted proxies only)
	 * @param multipliers the multiplier of each listed country
	 * @param defaultMultiplier the multiplier of every other country
	 */
	public record GeographyDescriptor(String header, Map<String, Double> multipliers, double defaultMultiplier) {

	}

	/**
	 * A user named in the configuration, known here by its scope only, as callers are
	 * everywhere in the endpoint.
	 *
	 * @param scope the user's scope (its hashed principal name)
	 * @param tier the tier the entry puts the user on, or {@code null} to keep the
	 * resolved one
	 * @param limits the user's own limits by operation name
	 * @param overridden whether an operator's override of the user applies now, in place
	 * of this entry
	 */
	public record NamedUserDescriptor(String scope, @Nullable String tier, Map<String, List<LimitDescriptor>> limits,
			boolean overridden) {

	}

	/**
	 * The state of an operation with global or concurrency limits.
	 *
	 * @param global the usage of its global limits (all callers together), empty when it
	 * has none; a concurrency limit's {@code used} is the fleet's requests in flight
	 * @param inFlight the fleet's requests of the operation in flight, when it has a
	 * global concurrency limit
	 * @param inFlightHere this instance's requests of the operation holding leases, when
	 * the limits are kept in Redis
	 * @param fallback whether the usage was read from the failure mode's local limiter
	 * @param globalBudgets the usage of its global budgets (all callers together)
	 */
	public record OperationStateDescriptor(List<LimitUsageDescriptor> global, @Nullable Long inFlight,
			@Nullable Long inFlightHere, boolean fallback, List<BudgetUsageDescriptor> globalBudgets) {

	}

	/**
	 * The limiter the filter calls.
	 *
	 * @param type {@code redis}, {@code in-memory}, or the class of a custom limiter
	 * @param decidedBy what decides right now: the backend, or the failure mode
	 * ({@code fallback-local}, {@code fallback-allow}, {@code fallback-deny})
	 * @param keyPrefix the prefix of the Redis keys, when in Redis
	 * @param resilience the circuit breaker around Redis, when there is one
	 */
	public record BackendDescriptor(String type, String decidedBy, @Nullable String keyPrefix,
			@Nullable ResilienceDescriptor resilience) {

	}

	/**
	 * The circuit breaker around the backend.
	 *
	 * @param failureMode what decides while the backend cannot
	 * @param circuitBreaker the breaker's state, e.g. {@code CLOSED} or {@code OPEN}
	 * @param onFallback whether the failure mode decides right now
	 * @param timeoutMillis the longest a request waits for the backend
	 * @param instances how many instances share each limit (configured, or counted by
	 * their heartbeats in Redis): the local fallback enforces this instance's share
	 */
	public record ResilienceDescriptor(String failureMode, String circuitBreaker, boolean onFallback,
			long timeoutMillis, int instances) {

	}

	/**
	 * The effective rules.
	 *
	 * @param defaultTier the tier of callers that resolve to none
	 * @param defaultOperation the operation of requests no annotation or path rule names
	 * @param tiers every tier's limits per operation
	 * @param operations every operation
	 * @param pathRules the path rules, in the order they are tried
	 * @param exclusions the paths that are never limited
	 */
	public record RulesDescriptor(String defaultTier, String defaultOperation, Map<String, TierDescriptor> tiers,
			Map<String, OperationDescriptor> operations, List<String> pathRules, List<String> exclusions) {

	}

	/**
	 * One tier.
	 *
	 * @param unlimited whether its callers are never limited (except by address or global
	 * limits)
	 * @param upgradeUrl where its callers can upgrade
	 * @param limits the limits that apply to it, per operation
	 */
	public record TierDescriptor(boolean unlimited, @Nullable String upgradeUrl,
			Map<String, List<LimitDescriptor>> limits) {

	}

	/**
	 * One operation.
	 *
	 * @param key whose budget its requests are charged to: {@code identity}, {@code ip}
	 * or {@code global}
	 * @param cost the units one request consumes
	 * @param match its path rules
	 * @param annotated the handlers annotated with {@code @RateLimited} for it
	 * @param limits its limits for tiers that list none of their own
	 */
	public record OperationDescriptor(String key, long cost, List<String> match, List<AnnotatedDescriptor> annotated,
			List<LimitDescriptor> limits) {

	}

	/**
	 * A handler annotated with {@code @RateLimited}.
	 *
	 * @param handler the handler's request mapping, e.g. {@code {POST [/api/generate]}}
	 * @param cost the units one of its requests consumes
	 */
	public record AnnotatedDescriptor(String handler, long cost) {

	}

	/**
	 * One limit.
	 *
	 * @param limit units per window
	 * @param window the window, e.g. {@code 1h}
	 * @param algorithm how it counts, e.g. {@code token-bucket}
	 * @param burst for a token bucket, the units that may be spent at once
	 */
	public record LimitDescriptor(long limit, String window, String algorithm, long burst) {

		static List<LimitDescriptor> of(List<LimitSpec> limits) {
			return limits.stream()
				.map((limit) -> new LimitDescriptor(limit.limit(), Windows.format(limit.window()), algorithmName(limit),
						limit.burst()))
				.toList();
		}

	}

	/**
	 * An active override.
	 *
	 * @param scope the caller's scope
	 * @param tier the tier it puts the caller on, or {@code null}
	 * @param multiplier the factor it multiplies the caller's limits by, or {@code null}
	 * @param expiresAt when it expires (ISO-8601)
	 * @param expiresInSeconds the seconds until it expires
	 */
	public record OverrideDescriptor(String scope, @Nullable String tier, @Nullable Double multiplier, String expiresAt,
			long expiresInSeconds) {

		static OverrideDescriptor of(String scope, RateLimitOverride override, Instant now) {
			return new OverrideDescriptor(scope, override.tier(),
					(override.tier() == null) ? override.multiplier() : null, override.expiresAt().toString(),
					seconds(Duration.between(now, override.expiresAt())));
		}

	}

	/**
	 * Traffic since startup and the top callers of the recent window.
	 *
	 * @param since when recording started
	 * @param total every tier and operation together
	 * @param tiers per tier and operation
	 * @param topCallers the heaviest callers of the recent window
	 */
	public record TrafficDescriptor(String since, TrafficCountsDescriptor total,
			Map<String, Map<String, TrafficCountsDescriptor>> tiers, TopCallersDescriptor topCallers) {

	}

	/**
	 * The outcomes of a set of requests.
	 *
	 * @param checks requests decided
	 * @param allowed requests let through
	 * @param denied requests refused as over a limit (429)
	 * @param shadowed requests over a limit let through by shadow mode
	 * @param unavailable requests refused because no limiter could decide (503)
	 * @param fallback requests decided by the failure mode
	 * @param denialRate denied / checks
	 */
	public record TrafficCountsDescriptor(long checks, long allowed, long denied, long shadowed, long unavailable,
			long fallback, double denialRate) {

		static TrafficCountsDescriptor of(RateLimitTraffic.Counts counts) {
			return new TrafficCountsDescriptor(counts.checks(), counts.allowed(), counts.denied(), counts.shadowed(),
					counts.unavailable(), counts.fallback(), Math.round(counts.denialRate() * 10_000) / 10_000.0);
		}

	}

	/**
	 * The heaviest callers of the recent window, by hashed scope.
	 *
	 * @param window how far back the counts reach
	 * @param counters the counters each sketch has
	 * @param maxError how far any count may be off; {@code 0} when every count is exact
	 * @param byDenials the callers with the most denied requests
	 * @param byRequests the callers with the most requests
	 */
	public record TopCallersDescriptor(String window, int counters, long maxError,
			List<RateLimitTraffic.Caller> byDenials, List<RateLimitTraffic.Caller> byRequests) {

	}

	/**
	 * One caller's usage.
	 *
	 * @param selectedAs how the caller was named: {@code user}, {@code key}, {@code ip}
	 * or {@code scope}
	 * @param scope the caller's hashed scope
	 * @param tier the tier the usage was read for
	 * @param tierSource why that tier: {@code parameter} (the {@code tier} query
	 * parameter), {@code override}, {@code configuration} (a user named in
	 * {@code rate-limit.users}), {@code observed} (the tier the caller's last requests
	 * were on) or {@code default}
	 * @param override the caller's active override, or {@code null}
	 * @param operations the usage of every operation charged to the caller
	 * @param notes operations not shown, and why
	 * @param adjustments the dynamic multipliers applied to the caller's limits shown
	 * (schedule, load, reputation; geography depends on each request), {@code null} when
	 * none applies
	 */
	public record CallerDescriptor(String selectedAs, String scope, String tier, String tierSource,
			@Nullable OverrideDescriptor override, List<OperationUsageDescriptor> operations, List<String> notes,
			@Nullable Map<String, Double> adjustments) implements OperationResponseBody {

	}

	/**
	 * A caller's usage of one operation.
	 *
	 * @param operation the operation
	 * @param key whose budget it is charged to
	 * @param unlimited whether no limit applies
	 * @param fallback whether the usage was read from the failure mode's local limiter
	 * rather than the backend
	 * @param limits the state of each limit
	 * @param budgets the state of each budget of the caller
	 */
	public record OperationUsageDescriptor(String operation, String key, boolean unlimited, boolean fallback,
			List<LimitUsageDescriptor> limits, List<BudgetUsageDescriptor> budgets) {

	}

	/**
	 * The usage of one budget, in exact decimals.
	 *
	 * @param budget the budget's name
	 * @param window the window, e.g. {@code 1d}
	 * @param spent the amount spent in the current window
	 * @param limit the amount per window
	 * @param remaining the amount left, never below zero
	 * @param resetAfterSeconds seconds until the window ends
	 */
	public record BudgetUsageDescriptor(String budget, String window, BigDecimal spent, BigDecimal limit,
			BigDecimal remaining, long resetAfterSeconds) {

		static List<BudgetUsageDescriptor> of(List<LimitState> states) {
			return states.stream()
				.filter((state) -> state.limit().isBudget())
				.map((state) -> new BudgetUsageDescriptor(String.valueOf(state.limit().name()),
						Windows.format(state.limit().window()), Money.ofMicros(state.spentMicros()),
						Money.ofMicros(state.limit().limit()), Money.ofMicros(Math.max(0, state.remaining())),
						seconds(state.resetAfter())))
				.toList();
		}

	}

	/**
	 * A caller's usage of one limit.
	 *
	 * @param limit units per window (as scaled by an override)
	 * @param window the window
	 * @param algorithm how it counts
	 * @param used units used
	 * @param remaining units left
	 * @param resetAfterSeconds seconds until fully replenished
	 */
	public record LimitUsageDescriptor(long limit, String window, String algorithm, long used, long remaining,
			long resetAfterSeconds) {

		static List<LimitUsageDescriptor> ofRates(List<LimitState> states) {
			return states.stream().filter((state) -> !state.limit().isBudget()).map(LimitUsageDescriptor::of).toList();
		}

		static LimitUsageDescriptor of(LimitState state) {
			LimitSpec limit = state.limit();
			return new LimitUsageDescriptor(limit.limit(), Windows.format(limit.window()), algorithmName(limit),
					Math.max(0, limit.capacity() - state.remaining()), state.remaining(), seconds(state.resetAfter()));
		}

	}

	/**
	 * What a reset did.
	 *
	 * @param selectedAs how the caller was named
	 * @param scope the caller's hashed scope
	 * @param reset the operations whose counters were reset
	 * @param overrideRemoved whether an override was lifted
	 * @param notes operations not reset, and why
	 */
	public record ResetDescriptor(String selectedAs, String scope, List<String> reset, boolean overrideRemoved,
			List<String> notes) implements OperationResponseBody {

	}

	private static String algorithmName(LimitSpec limit) {
		return limit.algorithm().notation();
	}

	private static long seconds(Duration duration) {
		long seconds = duration.getSeconds();
		return (duration.getNano() > 0) ? seconds + 1 : seconds;
	}

}
