package dev.ratelimit.policy;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import dev.ratelimit.core.LimitSpec;
import org.jspecify.annotations.Nullable;

import org.springframework.http.server.PathContainer;
import org.springframework.web.util.pattern.PathPattern;

/**
 * The immutable, validated catalogue of rate limit rules, built once at startup through a
 * {@link #builder() builder}. Lookups on the request path are map reads and precompiled
 * pattern matches.
 *
 * @author rate-limit-spring-boot
 */
public final class RateLimitPolicy {

	private final Map<String, TierPolicy> tiers;

	private final Map<String, OperationPolicy> operations;

	private final TierPolicy defaultTier;

	private final OperationPolicy defaultOperation;

	private final List<EndpointRule> endpointRules;

	private final List<PathPattern> exclusions;

	private final Duration leaseTimeout;

	RateLimitPolicy(Map<String, TierPolicy> tiers, Map<String, OperationPolicy> operations, TierPolicy defaultTier,
			OperationPolicy defaultOperation, List<EndpointRule> endpointRules, List<PathPattern> exclusions) {
		this(tiers, operations, defaultTier, defaultOperation, endpointRules, exclusions, Duration.ofSeconds(30));
	}

	RateLimitPolicy(Map<String, TierPolicy> tiers, Map<String, OperationPolicy> operations, TierPolicy defaultTier,
			OperationPolicy defaultOperation, List<EndpointRule> endpointRules, List<PathPattern> exclusions,
			Duration leaseTimeout) {
		this.leaseTimeout = leaseTimeout;
		this.tiers = Map.copyOf(tiers);
		this.operations = Map.copyOf(operations);
		this.defaultTier = defaultTier;
		this.defaultOperation = defaultOperation;
		this.endpointRules = endpointRules.stream().sorted(EndpointRule.MOST_SPECIFIC_FIRST).toList();
		this.exclusions = List.copyOf(exclusions);
	}

	/**
	 * A builder of a policy.
	 * @return a new builder
	 */
	public static RateLimitPolicyBuilder builder() {
		return new RateLimitPolicyBuilder();
	}

	/**
	 * Whether requests to this path are never limited.
	 * @param path the path within the application
	 * @return {@code true} when excluded
	 */
	public boolean isExcluded(PathContainer path) {
		for (PathPattern exclusion : this.exclusions) {
			if (exclusion.matches(path)) {
				return true;
			}
		}
		return false;
	}

	/**
	 * The operation of the most specific path rule that matches, else the default
	 * operation.
	 * @param method the request method
	 * @param path the path within the application
	 * @return the operation
	 */
	public OperationPolicy operationFor(String method, PathContainer path) {
		for (EndpointRule rule : this.endpointRules) {
			if (rule.matches(method, path)) {
				return rule.operation();
			}
		}
		return this.defaultOperation;
	}

	/**
	 * The operation with the given name, in any spelling that has the same canonical
	 * form.
	 * @param name the name
	 * @return the operation, or {@code null} when none is configured
	 */
	public @Nullable OperationPolicy operation(String name) {
		return this.operations.get(Names.canonical(name));
	}

	/**
	 * The tier with the given name, else the default tier.
	 * @param name the tier name, may be {@code null}
	 * @return the tier
	 */
	public TierPolicy tierOrDefault(@Nullable String name) {
		if (name == null) {
			return this.defaultTier;
		}
		TierPolicy tier = this.tiers.get(Names.canonical(name));
		return (tier != null) ? tier : this.defaultTier;
	}

	/**
	 * The tier with the given name, in any spelling that has the same canonical form.
	 * @param name the name
	 * @return the tier, or {@code null} when none is configured
	 */
	public @Nullable TierPolicy tier(String name) {
		return this.tiers.get(Names.canonical(name));
	}

	/**
	 * Check that a cost can ever be admitted by every limit of an operation on every
	 * tier.
	 * @param operation the operation
	 * @param cost the cost
	 * @param source where the cost was configured, for the error message
	 * @throws RateLimitConfigurationException when some limit could never admit it
	 */
	public void validateCost(OperationPolicy operation, long cost, String source) {
		if (cost < 0) {
			throw new RateLimitConfigurationException(source, "cost must not be negative, was " + cost,
					"Set a cost of 0 or more.");
		}
		for (LimitSpec limit : operation.global()) {
			if (!limit.isConcurrency() && !limit.isBudget() && cost > limit.capacity()) {
				throw new RateLimitConfigurationException(source,
						"cost " + cost + " of operation '" + operation.name() + "' exceeds its global limit " + limit
								+ ", so no request could ever pass",
						"Lower the cost, or raise the global limit to at least " + cost + ".");
			}
		}
		for (TierPolicy tier : this.tiers.values()) {
			for (LimitSpec limit : tier.limitsFor(operation)) {
				// A lease counts one request, whatever it costs; a burst allowance only
				// ever adds to what the rates admit.
				if (limit.isRate() && cost > limit.capacity()) {
					throw new RateLimitConfigurationException(source,
							"cost " + cost + " of operation '" + operation.name() + "' exceeds the limit " + limit
									+ " of tier '" + tier.name() + "', so no request could ever pass",
							"Lower the cost, or raise the limit (or burst) to at least " + cost + ".");
				}
			}
		}
	}

	public Collection<TierPolicy> tiers() {
		return this.tiers.values();
	}

	public Collection<OperationPolicy> operations() {
		return this.operations.values();
	}

	public TierPolicy defaultTier() {
		return this.defaultTier;
	}

	public OperationPolicy defaultOperation() {
		return this.defaultOperation;
	}

	public List<EndpointRule> endpointRules() {
		return this.endpointRules;
	}

	public List<PathPattern> exclusions() {
		return this.exclusions;
	}

	/**
	 * Whether requests of an operation may hold leases: it has a global concurrency
	 * limit, or some tier (or its default) limits each caller's requests in flight.
	 * @param operation the operation
	 * @return {@code true} when the operation has a concurrency limit
	 */
	public boolean hasConcurrency(OperationPolicy operation) {
		if (operation.concurrent() != null || operation.global().stream().anyMatch(LimitSpec::isConcurrency)) {
			return true;
		}
		return this.tiers.values().stream().anyMatch((tier) -> tier.concurrent().containsKey(operation.id()));
	}

	/**
	 * How long a concurrency lease lives unless it is renewed.
	 * @return the lease timeout
	 */
	public Duration leaseTimeout() {
		return this.leaseTimeout;
	}

}
