package dev.ratelimit.policy;

import java.util.List;

import dev.ratelimit.core.LimitSpec;
import org.jspecify.annotations.Nullable;

/**
 * A resolved operation.
 *
 * @param name the name as the user wrote it, e.g. {@code ai_generation}
 * @param id the canonical name (see {@link Names#canonical(String)}), used in keys
 * @param key whose budget requests of this operation are charged to
 * @param cost the units one request consumes unless an annotation says otherwise
 * @param limits limits for tiers that list none of their own for this operation
 * @param global the limits of all callers together (the {@code global} scope), checked on
 * top of each caller's on every tier, unlimited ones included; may hold one concurrency
 * limit
 * @param concurrent the concurrency limit of each caller on tiers that configure none of
 * their own for this operation ({@code @RateLimited(concurrent = …)}), if any
 * @param budgets the budgets of each caller on tiers that configure none of their own for
 * this operation (the global budgets are in {@code global})
 * @param shadow whether the operation is in shadow mode: its requests are checked and
 * counted as usual, and one the limits deny is let through rather than denied
 * @author rate-limit-spring-boot
 */
public record OperationPolicy(String name, String id, KeyType key, long cost, List<LimitSpec> limits,
		List<LimitSpec> global, @Nullable LimitSpec concurrent, List<LimitSpec> budgets, boolean shadow) {

	public OperationPolicy {
		limits = List.copyOf(limits);
		global = List.copyOf(global);
		budgets = List.copyOf(budgets);
	}

	/**
	 * An operation that denies what its limits deny (not in shadow mode).
	 * @param name the name as the user wrote it
	 * @param id the canonical name
	 * @param key whose budget requests are charged to
	 * @param cost the units one request consumes
	 * @param limits limits for tiers that list none of their own
	 * @param global the limits of all callers together
	 * @param concurrent the concurrency limit of each caller, if any
	 * @param budgets the budgets of each caller
	 */
	public OperationPolicy(String name, String id, KeyType key, long cost, List<LimitSpec> limits,
			List<LimitSpec> global, @Nullable LimitSpec concurrent, List<LimitSpec> budgets) {
		this(name, id, key, cost, limits, global, concurrent, budgets, false);
	}

	/**
	 * An operation without budgets of its callers.
	 * @param name the name as the user wrote it
	 * @param id the canonical name
	 * @param key whose budget requests are charged to
	 * @param cost the units one request consumes
	 * @param limits limits for tiers that list none of their own
	 * @param global the limits of all callers together
	 * @param concurrent the concurrency limit of each caller, if any
	 */
	public OperationPolicy(String name, String id, KeyType key, long cost, List<LimitSpec> limits,
			List<LimitSpec> global, @Nullable LimitSpec concurrent) {
		this(name, id, key, cost, limits, global, concurrent, List.of());
	}

	/**
	 * An operation without global or concurrency limits.
	 * @param name the name as the user wrote it
	 * @param id the canonical name
	 * @param key whose budget requests are charged to
	 * @param cost the units one request consumes
	 * @param limits limits for tiers that list none of their own
	 */
	public OperationPolicy(String name, String id, KeyType key, long cost, List<LimitSpec> limits) {
		this(name, id, key, cost, limits, List.of(), null);
	}

	/**
	 * This operation with a concurrency limit per caller for tiers that configure none.
	 * @param concurrent the concurrency limit
	 * @return the operation
	 */
	public OperationPolicy withConcurrent(LimitSpec concurrent) {
		return new OperationPolicy(this.name, this.id, this.key, this.cost, this.limits, this.global, concurrent,
				this.budgets, this.shadow);
	}

	/**
	 * This operation in shadow mode ({@code @RateLimited(shadow = true)}).
	 * @return the operation
	 */
	public OperationPolicy withShadow() {
		return this.shadow ? this : new OperationPolicy(this.name, this.id, this.key, this.cost, this.limits,
				this.global, this.concurrent, this.budgets, true);
	}

}
