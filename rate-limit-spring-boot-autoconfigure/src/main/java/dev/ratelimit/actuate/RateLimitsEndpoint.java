package dev.ratelimit.actuate;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

import dev.ratelimit.actuate.IdentitySelector.Selection;
import dev.ratelimit.admin.RateLimitAdminService;
import dev.ratelimit.admin.RateLimitAdminService.CallerUsage;
import dev.ratelimit.core.LimitSpec;
import dev.ratelimit.core.LimitState;
import dev.ratelimit.core.Windows;
import dev.ratelimit.policy.KeyType;
import dev.ratelimit.policy.OperationPolicy;
import dev.ratelimit.policy.RateLimitOverride;
import dev.ratelimit.policy.RateLimitPolicy;
import dev.ratelimit.policy.TierPolicy;
import dev.ratelimit.web.AnnotatedOperations;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.web.util.pattern.PathPattern;

/**
 * The {@code ratelimits} actuator endpoint: what the limits are, how they are holding up, and
 * one caller's usage, with the means to reset a caller or override its limits for a while.
 * <ul>
 * <li>{@code GET /actuator/ratelimits}: the effective rules, the backend and its state, traffic
 * since startup per tier and operation, the top callers of the recent window, and the active
 * overrides;</li>
 * <li>{@code GET /actuator/ratelimits/{identity}[?tier=…]}: one caller's usage of every limit
 * that applies to it, read without consuming anything;</li>
 * <li>{@code POST /actuator/ratelimits/{identity}} with {@code tier} or {@code multiplier},
 * {@code expiresIn} and optionally {@code reset}: a temporary override of the caller's limits,
 * starting from reset counters unless {@code reset} is {@code false};</li>
 * <li>{@code DELETE /actuator/ratelimits/{identity}}: a clean slate: the caller's counters are
 * reset and any override lifted.</li>
 * </ul>
 * Callers are named as {@link IdentitySelector} reads them and shown only by their hashed scope.
 *
 * @author rate-limit-spring-boot
 */
@Endpoint(id = "ratelimits")
public final class RateLimitsEndpoint {

	private static final int TOP_CALLERS = 10;

	private static final Duration MIN_OVERRIDE = Duration.ofSeconds(1);

	private final RateLimitAdminService service;

	private final RateLimitPolicy policy;

	private final RateLimitBackend backend;

	private final @Nullable RateLimitTraffic traffic;

	private final @Nullable AnnotatedOperations annotatedOperations;

	private final Duration maxOverride;

	/**
	 * Create the endpoint.
	 * @param service what operators do to callers' limits
	 * @param backend the layers of the limiter the filter calls
	 * @param traffic what the filter decided, or {@code null} when it is not recorded
	 * @param annotatedOperations the handlers annotated with {@code @RateLimited}, or
	 * {@code null} outside a Spring MVC application
	 * @param maxOverride the longest an override may last
	 */
	public RateLimitsEndpoint(RateLimitAdminService service, RateLimitBackend backend,
			@Nullable RateLimitTraffic traffic, @Nullable AnnotatedOperations annotatedOperations,
			Duration maxOverride) {
		this.service = service;
		this.policy = service.policy();
		this.backend = backend;
		this.traffic = traffic;
		this.annotatedOperations = annotatedOperations;
		this.maxOverride = maxOverride;
	}

	/**
	 * The rules, the backend, the traffic and the overrides.
	 * @return the summary
	 */
	@ReadOperation
	public RateLimitsDescriptor rateLimits() {
		return new RateLimitsDescriptor(this.backend.describe(), rules(), overrides(), traffic());
	}

	/**
	 * One caller's usage of every limit that applies to it.
	 * @param identity the caller (see {@link IdentitySelector})
	 * @param tier the caller's own tier, when the caller is not on the one the endpoint would
	 * assume
	 * @return the caller's usage
	 */
	@ReadOperation
	public CallerDescriptor caller(@Selector String identity, @Nullable String tier) {
		Selection selection = select(identity);
		return describe(selection, invoke(() -> this.service.usage(selection.identity(), tier)));
	}

	/**
	 * Override a caller's limits until the override expires, replacing any other override of
	 * the caller (see {@link RateLimitAdminService#override}).
	 * @param identity the caller (see {@link IdentitySelector})
	 * @param tier the tier to put the caller on, or {@code null} when a multiplier is given
	 * @param multiplier the factor to multiply the caller's limits by, or {@code null} when a
	 * tier is given
	 * @param expiresIn how long the override lasts, e.g. {@code 10m}
	 * @param reset whether to reset the caller's counters; {@code true} when not given
	 * @return the caller's usage under the override
	 */
	@WriteOperation
	public CallerDescriptor override(@Selector String identity, @Nullable String tier, @Nullable Double multiplier,
			String expiresIn, @Nullable Boolean reset) {
		Selection selection = select(identity);
		if ((tier == null) == (multiplier == null)) {
			throw invalid("Give either a tier or a multiplier");
		}
		Duration duration = overrideDuration(expiresIn);
		return describe(selection, invoke(() -> this.service.override(selection.identity(), tier, multiplier,
				duration, reset == null || reset)));
	}

	/**
	 * Give a caller a clean slate: reset its counters of every limit that could apply to it, on
	 * any tier, and lift any override.
	 * @param identity the caller (see {@link IdentitySelector})
	 * @return what was reset
	 */
	@DeleteOperation
	public ResetDescriptor reset(@Selector String identity) {
		Selection selection = select(identity);
		RateLimitAdminService.Reset reset = this.service.reset(selection.identity());
		return new ResetDescriptor(selection.kind(), reset.scope(), reset.reset(), reset.overrideRemoved(),
				reset.notes());
	}

	private CallerDescriptor describe(Selection selection, CallerUsage usage) {
		RateLimitOverride override = usage.override();
		List<OperationUsageDescriptor> operations = usage.operations()
			.stream()
			.map((operation) -> new OperationUsageDescriptor(operation.operation().name(),
					keyName(operation.operation().key()), operation.unlimited(), operation.fallback(),
					operation.limits().stream().map(LimitUsageDescriptor::of).toList()))
			.toList();
		return new CallerDescriptor(selection.kind(), usage.scope(), usage.tier().name(), usage.tierSource(),
				(override != null) ? OverrideDescriptor.of(usage.scope(), override, this.service.now()) : null,
				operations, usage.notes());
	}

	private RulesDescriptor rules() {
		List<OperationPolicy> operations = this.service.operations();
		Map<String, TierDescriptor> tiers = new TreeMap<>();
		for (TierPolicy tier : this.policy.tiers()) {
			Map<String, List<LimitDescriptor>> limits = new TreeMap<>();
			for (OperationPolicy operation : operations) {
				List<LimitSpec> specs = tier.limitsFor(operation);
				if (!specs.isEmpty()) {
					limits.put(operation.name(), LimitDescriptor.of(specs));
				}
			}
			tiers.put(tier.name(), new TierDescriptor(tier.unlimited(), tier.upgradeUrl(), limits));
		}
		Map<String, OperationDescriptor> operationDescriptors = new TreeMap<>();
		for (OperationPolicy operation : operations) {
			operationDescriptors.put(operation.name(), new OperationDescriptor(keyName(operation.key()), operation.cost(),
					pathRules(operation), annotatedHandlers(operation), LimitDescriptor.of(operation.limits())));
		}
		List<String> pathRules = this.policy.endpointRules().stream().map(Object::toString).toList();
		List<String> exclusions = this.policy.exclusions().stream().map(PathPattern::getPatternString).toList();
		return new RulesDescriptor(this.policy.defaultTier().name(), this.policy.defaultOperation().name(), tiers,
				operationDescriptors, pathRules, exclusions);
	}

	private List<String> pathRules(OperationPolicy operation) {
		return this.policy.endpointRules()
			.stream()
			.filter((rule) -> rule.operation().id().equals(operation.id()))
			.map((rule) -> ((rule.method() != null) ? rule.method() + " " : "") + rule.pattern().getPatternString())
			.toList();
	}

	private List<AnnotatedDescriptor> annotatedHandlers(OperationPolicy operation) {
		if (this.annotatedOperations == null) {
			return List.of();
		}
		return this.annotatedOperations.handlers()
			.stream()
			.filter((handler) -> handler.operation().operation().id().equals(operation.id()))
			.map((handler) -> new AnnotatedDescriptor(handler.mapping(), handler.operation().cost()))
			.sorted(Comparator.comparing(AnnotatedDescriptor::handler))
			.toList();
	}

	private List<OverrideDescriptor> overrides() {
		Instant now = this.service.now();
		return this.service.overrides()
			.entrySet()
			.stream()
			.map((entry) -> OverrideDescriptor.of(entry.getKey(), entry.getValue(), now))
			.toList();
	}

	private @Nullable TrafficDescriptor traffic() {
		if (this.traffic == null) {
			return null;
		}
		Map<String, Map<String, TrafficCountsDescriptor>> tiers = new TreeMap<>();
		RateLimitTraffic.Counts total = new RateLimitTraffic.Counts(0, 0, 0, 0, 0);
		for (Map.Entry<String, Map<String, RateLimitTraffic.Counts>> tier : this.traffic.counts().entrySet()) {
			Map<String, TrafficCountsDescriptor> operations = new TreeMap<>();
			for (Map.Entry<String, RateLimitTraffic.Counts> operation : tier.getValue().entrySet()) {
				operations.put(operation.getKey(), TrafficCountsDescriptor.of(operation.getValue()));
				total = total.plus(operation.getValue());
			}
			tiers.put(tier.getKey(), operations);
		}
		RateLimitTraffic.TopCallers top = this.traffic.topCallers(TOP_CALLERS);
		return new TrafficDescriptor(this.traffic.since().toString(), TrafficCountsDescriptor.of(total), tiers,
				new TopCallersDescriptor(Windows.format(top.window()), top.counters(), top.maxError(), top.byDenials(),
						top.byRequests()));
	}

	private Duration overrideDuration(String expiresIn) {
		String text = expiresIn.trim();
		String expected = "expiresIn must be a duration from " + Windows.format(MIN_OVERRIDE) + " to "
				+ Windows.format(this.maxOverride) + " with a unit, e.g. 10m, 2h or 7d";
		// A bare number would be read as milliseconds: surely not what an operator meant.
		if (text.isEmpty() || text.chars().allMatch(Character::isDigit)) {
			throw invalid(expected);
		}
		Duration duration;
		try {
			duration = DurationStyle.detectAndParse(text);
		}
		catch (RuntimeException ex) {
			throw invalid(expected);
		}
		if (duration.compareTo(MIN_OVERRIDE) < 0 || duration.compareTo(this.maxOverride) > 0) {
			throw invalid(expected);
		}
		return duration;
	}

	/**
	 * The service's answer, or a bad request with its message when the operator asked for
	 * something it refuses.
	 */
	private static <T> T invoke(Supplier<T> call) {
		try {
			return call.get();
		}
		catch (IllegalArgumentException ex) {
			throw invalid(ex.getMessage());
		}
	}

	private static Selection select(String identity) {
		try {
			return IdentitySelector.parse(identity);
		}
		catch (IllegalArgumentException ex) {
			throw invalid(ex.getMessage());
		}
	}

	private static InvalidEndpointRequestException invalid(String message) {
		return new InvalidEndpointRequestException(message, message);
	}

	private static String keyName(KeyType key) {
		return key.name().toLowerCase(Locale.ROOT);
	}

	private static String algorithmName(LimitSpec limit) {
		return limit.algorithm().notation();
	}

	private static long seconds(Duration duration) {
		long seconds = duration.getSeconds();
		return (duration.getNano() > 0) ? seconds + 1 : seconds;
	}

	/**
	 * The summary of {@code GET /actuator/ratelimits}.
	 *
	 * @param backend the limiter and its state
	 * @param rules the effective rules
	 * @param overrides the active overrides
	 * @param traffic what the filter decided, {@code null} when not recorded
	 */
	public record RateLimitsDescriptor(BackendDescriptor backend, RulesDescriptor rules,
			List<OverrideDescriptor> overrides, @Nullable TrafficDescriptor traffic) implements OperationResponseBody {

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
	 * @param instances how many instances share each limit (configured, or counted by their
	 * heartbeats in Redis): the local fallback enforces this instance's share
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
	 * @param unlimited whether its callers are never limited (except by address or global limits)
	 * @param upgradeUrl where its callers can upgrade
	 * @param limits the limits that apply to it, per operation
	 */
	public record TierDescriptor(boolean unlimited, @Nullable String upgradeUrl,
			Map<String, List<LimitDescriptor>> limits) {

	}

	/**
	 * One operation.
	 *
	 * @param key whose budget its requests are charged to: {@code identity}, {@code ip} or
	 * {@code global}
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
	public record OverrideDescriptor(String scope, @Nullable String tier, @Nullable Double multiplier,
			String expiresAt, long expiresInSeconds) {

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
	 * @param unavailable requests refused because no limiter could decide (503)
	 * @param fallback requests decided by the failure mode
	 * @param denialRate denied / checks
	 */
	public record TrafficCountsDescriptor(long checks, long allowed, long denied, long unavailable, long fallback,
			double denialRate) {

		static TrafficCountsDescriptor of(RateLimitTraffic.Counts counts) {
			return new TrafficCountsDescriptor(counts.checks(), counts.allowed(), counts.denied(), counts.unavailable(),
					counts.fallback(), Math.round(counts.denialRate() * 10_000) / 10_000.0);
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
	 * @param selectedAs how the caller was named: {@code user}, {@code key}, {@code ip} or
	 * {@code scope}
	 * @param scope the caller's hashed scope
	 * @param tier the tier the usage was read for
	 * @param tierSource why that tier: {@code parameter} (the {@code tier} query parameter),
	 * {@code override}, {@code observed} (the tier the caller's last requests were on) or
	 * {@code default}
	 * @param override the caller's active override, or {@code null}
	 * @param operations the usage of every operation charged to the caller
	 * @param notes operations not shown, and why
	 */
	public record CallerDescriptor(String selectedAs, String scope, String tier, String tierSource,
			@Nullable OverrideDescriptor override, List<OperationUsageDescriptor> operations, List<String> notes)
			implements OperationResponseBody {

	}

	/**
	 * A caller's usage of one operation.
	 *
	 * @param operation the operation
	 * @param key whose budget it is charged to
	 * @param unlimited whether no limit applies
	 * @param fallback whether the usage was read from the failure mode's local limiter rather
	 * than the backend
	 * @param limits the state of each limit
	 */
	public record OperationUsageDescriptor(String operation, String key, boolean unlimited, boolean fallback,
			List<LimitUsageDescriptor> limits) {

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

}
