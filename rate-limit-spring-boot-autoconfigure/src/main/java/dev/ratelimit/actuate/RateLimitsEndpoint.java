package dev.ratelimit.actuate;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

import dev.ratelimit.actuate.IdentitySelector.Selection;
import dev.ratelimit.actuate.RateLimitsDescriptors.AnnotatedDescriptor;
import dev.ratelimit.actuate.RateLimitsDescriptors.CallerDescriptor;
import dev.ratelimit.actuate.RateLimitsDescriptors.DynamicDescriptor;
import dev.ratelimit.actuate.RateLimitsDescriptors.LimitDescriptor;
import dev.ratelimit.actuate.RateLimitsDescriptors.BudgetUsageDescriptor;
import dev.ratelimit.actuate.RateLimitsDescriptors.LimitUsageDescriptor;
import dev.ratelimit.actuate.RateLimitsDescriptors.NamedUserDescriptor;
import dev.ratelimit.actuate.RateLimitsDescriptors.OperationDescriptor;
import dev.ratelimit.actuate.RateLimitsDescriptors.OperationStateDescriptor;
import dev.ratelimit.actuate.RateLimitsDescriptors.OperationUsageDescriptor;
import dev.ratelimit.actuate.RateLimitsDescriptors.OverrideDescriptor;
import dev.ratelimit.actuate.RateLimitsDescriptors.RateLimitsDescriptor;
import dev.ratelimit.actuate.RateLimitsDescriptors.ResetDescriptor;
import dev.ratelimit.actuate.RateLimitsDescriptors.RulesDescriptor;
import dev.ratelimit.actuate.RateLimitsDescriptors.TierDescriptor;
import dev.ratelimit.actuate.RateLimitsDescriptors.TopCallersDescriptor;
import dev.ratelimit.actuate.RateLimitsDescriptors.TrafficCountsDescriptor;
import dev.ratelimit.actuate.RateLimitsDescriptors.TrafficDescriptor;
import dev.ratelimit.admin.RateLimitAdminService;
import dev.ratelimit.admin.RateLimitAdminService.CallerUsage;
import dev.ratelimit.admin.RateLimitAdminService.OperationUsage;
import dev.ratelimit.core.LimitSpec;
import dev.ratelimit.core.LimitState;
import dev.ratelimit.core.Windows;
import dev.ratelimit.policy.KeyType;
import dev.ratelimit.policy.NamedUsers;
import dev.ratelimit.policy.OperationPolicy;
import dev.ratelimit.policy.RateLimitOverride;
import dev.ratelimit.policy.RateLimitPolicy;
import dev.ratelimit.policy.TierPolicy;
import dev.ratelimit.policy.dynamic.DynamicLimits;
import dev.ratelimit.redis.RedisRateLimiter;
import dev.ratelimit.web.AnnotatedOperations;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.web.util.pattern.PathPattern;

/**
 * The {@code ratelimits} actuator endpoint: what the limits are, how they are holding up,
 * and one caller's usage, with the means to reset a caller or override its limits for a
 * while.
 * <ul>
 * <li>{@code GET /actuator/ratelimits}: the effective rules, the backend and its state,
 * traffic since startup per tier and operation, the top callers of the recent window, and
 * the active overrides;</li>
 * <li>{@code GET /actuator/ratelimits/{identity}[?tier=…]}: one caller's usage of every
 * limit that applies to it, read without consuming anything;</li>
 * <li>{@code POST /actuator/ratelimits/{identity}} with {@code tier} or
 * {@code multiplier}, {@code expiresIn} and optionally {@code reset}: a temporary
 * override of the caller's limits, starting from reset counters unless {@code reset} is
 * {@code false};</li>
 * <li>{@code DELETE /actuator/ratelimits/{identity}}: a clean slate: the caller's
 * counters are reset and any override lifted.</li>
 * </ul>
 * Callers are named as {@link IdentitySelector} reads them and shown only by their hashed
 * scope.
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

	private final NamedUsers namedUsers;

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
		this(service, backend, traffic, annotatedOperations, maxOverride, NamedUsers.none());
	}

	/**
	 * Create the endpoint, showing the users named in the configuration.
	 * @param service what operators do to callers' limits
	 * @param backend the layers of the limiter the filter calls
	 * @param traffic what the filter decided, or {@code null} when it is not recorded
	 * @param annotatedOperations the handlers annotated with {@code @RateLimited}, or
	 * {@code null} outside a Spring MVC application
	 * @param maxOverride the longest an override may last
	 * @param namedUsers the users named in the configuration
	 */
	public RateLimitsEndpoint(RateLimitAdminService service, RateLimitBackend backend,
			@Nullable RateLimitTraffic traffic, @Nullable AnnotatedOperations annotatedOperations, Duration maxOverride,
			NamedUsers namedUsers) {
		this.namedUsers = namedUsers;
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
		Map<String, RateLimitOverride> overrides = this.service.overrides();
		DynamicLimits dynamic = this.service.dynamicLimits();
		return new RateLimitsDescriptor(this.backend.describe(), rules(), overrides(overrides), traffic(),
				operationStates(),
				(dynamic != null) ? DynamicDescriptor.of(dynamic, dynamic.instanceAdjustments()) : null,
				namedUsers(overrides.keySet()));
	}

	/**
	 * Global usage and requests in flight of every operation that has global or
	 * concurrency limits: one read without consuming per operation with global limits.
	 */
	private Map<String, OperationStateDescriptor> operationStates() {
		Map<String, OperationStateDescriptor> states = new TreeMap<>();
		RedisRateLimiter redis = this.backend.redis();
		for (OperationPolicy operation : this.service.operations()) {
			boolean concurrency = this.policy.hasConcurrency(operation);
			if (operation.global().isEmpty() && !concurrency) {
				continue;
			}
			List<LimitUsageDescriptor> global = List.of();
			List<BudgetUsageDescriptor> globalBudgets = List.of();
			Long inFlight = null;
			boolean fallback = false;
			if (!operation.global().isEmpty()) {
				OperationUsage usage = this.service.globalUsage(operation);
				fallback = usage.fallback();
				global = LimitUsageDescriptor.ofRates(usage.limits());
				globalBudgets = BudgetUsageDescriptor.of(usage.limits());
				for (LimitState state : usage.limits()) {
					if (state.limit().isConcurrency()) {
						inFlight = Math.max(0, state.limit().limit() - state.remaining());
					}
				}
			}
			Long inFlightHere = (redis != null && concurrency) ? redis.inFlight(operation.id()) : null;
			states.put(operation.name(),
					new OperationStateDescriptor(global, inFlight, inFlightHere, fallback, globalBudgets));
		}
		return states;
	}

	/**
	 * One caller's usage of every limit that applies to it.
	 * @param identity the caller (see {@link IdentitySelector})
	 * @param tier the caller's own tier, when the caller is not on the one the endpoint
	 * would assume
	 * @return the caller's usage
	 */
	@ReadOperation
	public CallerDescriptor caller(@Selector String identity, @Nullable String tier) {
		Selection selection = select(identity);
		return describe(selection, invoke(() -> this.service.usage(selection.identity(), tier)));
	}

	/**
	 * Override a caller's limits until the override expires, replacing any other override
	 * of the caller (see {@link RateLimitAdminService#override}).
	 * @param identity the caller (see {@link IdentitySelector})
	 * @param tier the tier to put the caller on, or {@code null} when a multiplier is
	 * given
	 * @param multiplier the factor to multiply the caller's limits by, or {@code null}
	 * when a tier is given
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
		return describe(selection, invoke(
				() -> this.service.override(selection.identity(), tier, multiplier, duration, reset == null || reset)));
	}

	/**
	 * Give a caller a clean slate: reset its counters of every limit that could apply to
	 * it, on any tier, and lift any override.
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
					LimitUsageDescriptor.ofRates(operation.limits()), BudgetUsageDescriptor.of(operation.limits())))
			.toList();
		return new CallerDescriptor(selection.kind(), usage.scope(), usage.tier().name(), usage.tierSource(),
				(override != null) ? OverrideDescriptor.of(usage.scope(), override, this.service.now()) : null,
				operations, usage.notes(), usage.adjustments().isEmpty() ? null : usage.adjustments().multipliers());
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
			operationDescriptors.put(operation.name(),
					new OperationDescriptor(keyName(operation.key()), operation.cost(), pathRules(operation),
							annotatedHandlers(operation), LimitDescriptor.of(operation.limits())));
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

	private List<NamedUserDescriptor> namedUsers(Set<String> overridden) {
		List<NamedUserDescriptor> users = new ArrayList<>();
		this.namedUsers.all().forEach((scope, user) -> {
			Map<String, List<LimitDescriptor>> limits = new TreeMap<>();
			user.limits().forEach((id, specs) -> {
				OperationPolicy operation = this.policy.operation(id);
				limits.put((operation != null) ? operation.name() : id, LimitDescriptor.of(specs));
			});
			users.add(new NamedUserDescriptor(scope, user.tier(), limits, overridden.contains(scope)));
		});
		return users;
	}

	private List<OverrideDescriptor> overrides(Map<String, RateLimitOverride> overrides) {
		Instant now = this.service.now();
		return overrides.entrySet()
			.stream()
			.map((entry) -> OverrideDescriptor.of(entry.getKey(), entry.getValue(), now))
			.toList();
	}

	private @Nullable TrafficDescriptor traffic() {
		if (this.traffic == null) {
			return null;
		}
		Map<String, Map<String, TrafficCountsDescriptor>> tiers = new TreeMap<>();
		RateLimitTraffic.Counts total = new RateLimitTraffic.Counts(0, 0, 0, 0, 0, 0);
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

}
