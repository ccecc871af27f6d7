package dev.ratelimit.policy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.ratelimit.core.LimitSpec;
import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;
import org.springframework.web.util.pattern.PathPattern;

/**
 * Builds a {@link RateLimitPolicy} from tiers, operations, path rules and exclusions.
 * Names are compared in their {@link Names#canonical(String) canonical} form. The builder
 * checks only what keeps the policy consistent (every name given once, the defaults
 * configured); the callers that read user input validate it first, so that their errors
 * name the property.
 *
 * @author rate-limit-spring-boot
 * @see RateLimitPolicy#builder()
 */
public final class RateLimitPolicyBuilder {

	private final Map<String, OperationPolicy> operations = new LinkedHashMap<>();

	private final Map<String, TierPolicy> tiers = new LinkedHashMap<>();

	/** The operations that tiers name, by canonical name. */
	private final Map<String, String> tierOperations = new LinkedHashMap<>();

	private final List<PendingRule> rules = new ArrayList<>();

	private final List<PathPattern> exclusions = new ArrayList<>();

	private String defaultTier = "free";

	private String defaultOperation = "api_requests";

	private Duration leaseTimeout = Duration.ofSeconds(30);

	RateLimitPolicyBuilder() {
	}

	/**
	 * Add an operation.
	 * @param name the name as the user wrote it
	 * @param key whose budget requests of the operation are charged to
	 * @param cost the units one request consumes
	 * @param limits the limits of tiers that list none of their own for it
	 * @return this builder
	 * @throws IllegalArgumentException when an operation of the same canonical name
	 * exists
	 */
	public RateLimitPolicyBuilder operation(String name, KeyType key, long cost, List<LimitSpec> limits) {
		return operation(name, key, cost, limits, List.of());
	}

	/**
	 * Add an operation with global limits.
	 * @param name the name as the user wrote it
	 * @param key whose budget requests of the operation are charged to
	 * @param cost the units one request consumes
	 * @param limits the limits of tiers that list none of their own for it
	 * @param global the limits of all callers together, checked on top of each caller's;
	 * may hold one concurrency limit
	 * @return this builder
	 * @throws IllegalArgumentException when an operation of the same canonical name
	 * exists
	 */
	public RateLimitPolicyBuilder operation(String name, KeyType key, long cost, List<LimitSpec> limits,
			List<LimitSpec> global) {
		return operation(name, key, cost, limits, global, List.of());
	}

	/**
	 * Add an operation with budgets.
	 * @param name the operation's name
	 * @param key whose budget its requests are charged to
	 * @param cost the units one request consumes
	 * @param limits limits for tiers that list none of their own
	 * @param global the limits and budgets of all callers together
	 * @param budgets the budgets of each caller for tiers that list none of their own
	 * @return this builder
	 */
	public RateLimitPolicyBuilder operation(String name, KeyType key, long cost, List<LimitSpec> limits,
			List<LimitSpec> global, List<LimitSpec> budgets) {
		return operation(name, key, cost, limits, global, budgets, false);
	}

	/**
	 * Add an operation, possibly in shadow mode.
	 * @param name the operation's name
	 * @param key whose budget its requests are charged to
	 * @param cost the units one request consumes
	 * @param limits limits for tiers that list none of their own
	 * @param global the limits and budgets of all callers together
	 * @param budgets the budgets of each caller for tiers that list none of their own
	 * @param shadow whether requests the limits deny are let through (and counted)
	 * @return this builder
	 */
	public RateLimitPolicyBuilder operation(String name, KeyType key, long cost, List<LimitSpec> limits,
			List<LimitSpec> global, List<LimitSpec> budgets, boolean shadow) {
		OperationPolicy operation = new OperationPolicy(name, Names.canonical(name), key, cost, limits, global, null,
				budgets, shadow);
		Assert.isTrue(this.operations.put(operation.id(), operation) == null,
				() -> "Operation '" + name + "' is given twice");
		return this;
	}

	/**
	 * Add a tier. An operation that only tiers name exists with the default key and a
	 * cost of 1.
	 * @param name the name as the user wrote it
	 * @param unlimited whether callers on the tier are never limited
	 * @param upgradeUrl where callers on the tier can upgrade, if anywhere
	 * @param limits the tier's own limits by operation name
	 * @return this builder
	 * @throws IllegalArgumentException when a tier, or an operation of the tier, of the
	 * same canonical name exists
	 */
	public RateLimitPolicyBuilder tier(String name, boolean unlimited, @Nullable String upgradeUrl,
			Map<String, List<LimitSpec>> limits) {
		return tier(name, unlimited, upgradeUrl, limits, Map.of());
	}

	/**
	 * Add a tier with concurrency limits.
	 * @param name the name as the user wrote it
	 * @param unlimited whether callers on the tier are never limited
	 * @param upgradeUrl where callers on the tier can upgrade, if anywhere
	 * @param limits the tier's own limits by operation name
	 * @param concurrent the tier's own concurrency limits by operation name
	 * @return this builder
	 * @throws IllegalArgumentException when a tier, or an operation of the tier, of the
	 * same canonical name exists
	 */
	public RateLimitPolicyBuilder tier(String name, boolean unlimited, @Nullable String upgradeUrl,
			Map<String, List<LimitSpec>> limits, Map<String, LimitSpec> concurrent) {
		return tier(name, unlimited, upgradeUrl, limits, concurrent, Map.of());
	}

	/**
	 * Add a tier with budgets of its own.
	 * @param name the tier's name
	 * @param unlimited whether its callers are never limited
	 * @param upgradeUrl where its callers can upgrade, if anywhere
	 * @param limits its own limits by operation name
	 * @param concurrent its own concurrency limits by operation name
	 * @param budgets its own budgets (per caller) by operation name
	 * @return this builder
	 */
	public RateLimitPolicyBuilder tier(String name, boolean unlimited, @Nullable String upgradeUrl,
			Map<String, List<LimitSpec>> limits, Map<String, LimitSpec> concurrent,
			Map<String, List<LimitSpec>> budgets) {
		return tier(name, unlimited, upgradeUrl, limits, concurrent, budgets, null);
	}

	/**
	 * Add a tier with a burst allowance.
	 * @param name the tier's name
	 * @param unlimited whether its callers are never limited
	 * @param upgradeUrl where its callers can upgrade, if anywhere
	 * @param limits its own limits by operation name
	 * @param concurrent its own concurrency limits by operation name
	 * @param budgets its own budgets (per caller) by operation name
	 * @param burstAllowance its callers' {@linkplain LimitSpec#burstAllowance burst
	 * allowance}, or {@code null} for none
	 * @return this builder
	 */
	public RateLimitPolicyBuilder tier(String name, boolean unlimited, @Nullable String upgradeUrl,
			Map<String, List<LimitSpec>> limits, Map<String, LimitSpec> concurrent,
			Map<String, List<LimitSpec>> budgets, @Nullable LimitSpec burstAllowance) {
		Map<String, List<LimitSpec>> budgetsByOperation = new LinkedHashMap<>();
		budgets.forEach((operation, operationBudgets) -> {
			budgetsByOperation.put(Names.canonical(operation), operationBudgets);
			this.tierOperations.putIfAbsent(Names.canonical(operation), operation);
		});
		Map<String, List<LimitSpec>> byOperation = new LinkedHashMap<>();
		limits.forEach((operation, operationLimits) -> Assert.isTrue(
				byOperation.put(Names.canonical(operation), operationLimits) == null,
				() -> "Tier '" + name + "' gives the limits of operation '" + operation + "' twice"));
		Map<String, LimitSpec> concurrentByOperation = new LinkedHashMap<>();
		concurrent.forEach((operation, limit) -> Assert.isTrue(
				concurrentByOperation.put(Names.canonical(operation), limit) == null,
				() -> "Tier '" + name + "' gives the concurrency limit of operation '" + operation + "' twice"));
		concurrent.keySet()
			.forEach((operation) -> this.tierOperations.putIfAbsent(Names.canonical(operation), operation));
		TierPolicy tier = new TierPolicy(name, Names.canonical(name), unlimited, upgradeUrl, byOperation,
				concurrentByOperation, budgetsByOperation, burstAllowance);
		Assert.isTrue(this.tiers.put(tier.id(), tier) == null, () -> "Tier '" + name + "' is given twice");
		limits.keySet().forEach((operation) -> this.tierOperations.putIfAbsent(Names.canonical(operation), operation));
		return this;
	}

	/**
	 * Add a path rule: requests with the method (any when {@code null}) whose path
	 * matches the pattern belong to the operation.
	 * @param method the HTTP method, or {@code null} for any
	 * @param pattern the precompiled path pattern
	 * @param operation the name of an operation added to this builder
	 * @return this builder
	 */
	public RateLimitPolicyBuilder endpointRule(@Nullable String method, PathPattern pattern, String operation) {
		this.rules.add(new PendingRule(method, pattern, operation));
		return this;
	}

	/**
	 * Never limit requests whose path matches the pattern.
	 * @param pattern the precompiled path pattern
	 * @return this builder
	 */
	public RateLimitPolicyBuilder exclude(PathPattern pattern) {
		this.exclusions.add(pattern);
		return this;
	}

	/**
	 * The tier of callers that resolve to no tier; {@code free} unless set.
	 * @param name the name of a tier added to this builder
	 * @return this builder
	 */
	public RateLimitPolicyBuilder defaultTier(String name) {
		this.defaultTier = name;
		return this;
	}

	/**
	 * The operation of requests that nothing else names; {@code api_requests} unless set.
	 * @param name the name of an operation added to this builder, or that a tier names
	 * @return this builder
	 */
	public RateLimitPolicyBuilder defaultOperation(String name) {
		this.defaultOperation = name;
		return this;
	}

	/**
	 * How long a concurrency lease lives unless renewed; 30 seconds unless set. Used for
	 * the concurrency limits of {@code @RateLimited(concurrent = …)}.
	 * @param leaseTimeout the lease timeout
	 * @return this builder
	 */
	public RateLimitPolicyBuilder leaseTimeout(Duration leaseTimeout) {
		this.leaseTimeout = leaseTimeout;
		return this;
	}

	/**
	 * Build the policy.
	 * @return the policy
	 * @throws IllegalStateException when the default tier or operation, or the operation
	 * of a path rule, is not configured
	 */
	public RateLimitPolicy build() {
		Map<String, OperationPolicy> operations = new LinkedHashMap<>(this.operations);
		// An operation that only tiers mention (e.g. api_requests: 1000/1h) exists as
		// well.
		this.tierOperations.forEach((id, name) -> operations.putIfAbsent(id,
				new OperationPolicy(name, id, KeyType.IDENTITY, 1, List.of())));
		TierPolicy defaultTier = this.tiers.get(Names.canonical(this.defaultTier));
		Assert.state(defaultTier != null, () -> "Default tier '" + this.defaultTier + "' is not configured");
		OperationPolicy defaultOperation = operations.get(Names.canonical(this.defaultOperation));
		Assert.state(defaultOperation != null,
				() -> "Default operation '" + this.defaultOperation + "' is not configured");
		List<EndpointRule> rules = new ArrayList<>(this.rules.size());
		for (PendingRule rule : this.rules) {
			OperationPolicy operation = operations.get(Names.canonical(rule.operation()));
			Assert.state(operation != null, () -> "Operation '" + rule.operation() + "' of the path rule "
					+ rule.pattern().getPatternString() + " is not configured");
			rules.add(new EndpointRule(rule.method(), rule.pattern(), operation));
		}
		return new RateLimitPolicy(this.tiers, operations, defaultTier, defaultOperation, rules, this.exclusions,
				this.leaseTimeout);
	}

	/**
	 * A path rule whose operation is looked up when the policy is built.
	 */
	private record PendingRule(@Nullable String method, PathPattern pattern, String operation) {
	}

}
