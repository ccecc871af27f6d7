package dev.ratelimit.policy.dynamic;

import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.ratelimit.core.LimitSpec;

/**
 * The dynamic multipliers that applied to one request's limits, by name
 * ({@value #SCHEDULE}, {@value #LOAD}, {@value #REPUTATION}, {@value #GEOGRAPHY}), in
 * that order. A multiplier of exactly 1 changes nothing and is not listed. The
 * multipliers multiply; an adjusted limit is {@code max(1, floor(limit x product))}.
 * Immutable.
 *
 * @author rate-limit-spring-boot
 */
public final class Adjustments {

	/**
	 * The adjustment by time of day.
	 */
	public static final String SCHEDULE = "schedule";

	/**
	 * The adjustment by this instance's load.
	 */
	public static final String LOAD = "load";

	/**
	 * The adjustment by the caller's reputation.
	 */
	public static final String REPUTATION = "reputation";

	/**
	 * The adjustment by the caller's country.
	 */
	public static final String GEOGRAPHY = "geography";

	/**
	 * No adjustment: limits stay as configured.
	 */
	public static final Adjustments NONE = new Adjustments(Map.of(), 1);

	private final Map<String, Double> multipliers;

	private final double product;

	private Adjustments(Map<String, Double> multipliers, double product) {
		this.multipliers = multipliers;
		this.product = product;
	}

	/**
	 * These adjustments and one more; a multiplier of 1 (or a repeated name) changes
	 * nothing.
	 * @param name the adjustment's name
	 * @param multiplier its multiplier, greater than zero
	 * @return the adjustments
	 */
	public Adjustments and(String name, double multiplier) {
		if (!(multiplier > 0) || Double.isInfinite(multiplier)) {
			throw new IllegalArgumentException("multiplier must be a positive number, was " + multiplier);
		}
		if (multiplier == 1 || this.multipliers.containsKey(name)) {
			return this;
		}
		Map<String, Double> multipliers = new LinkedHashMap<>(this.multipliers);
		multipliers.put(name, multiplier);
		return new Adjustments(Collections.unmodifiableMap(multipliers), this.product * multiplier);
	}

	/**
	 * Whether no multiplier applied.
	 * @return {@code true} when the limits stay as configured
	 */
	public boolean isEmpty() {
		return this.multipliers.isEmpty();
	}

	/**
	 * The multipliers that applied, by name, in the order they apply.
	 * @return the multipliers, unmodifiable
	 */
	public Map<String, Double> multipliers() {
		return this.multipliers;
	}

	/**
	 * The product of the multipliers.
	 * @return the factor limits are multiplied by, 1 for none
	 */
	public double product() {
		return this.product;
	}

	/**
	 * Apply the product to rate and concurrency limits, rounded down and at least 1.
	 * Budgets (amounts of money) are left as they are: what a plan costs does not change
	 * with the hour or the load.
	 * @param limits the limits
	 * @return the adjusted limits, or the same list when nothing changes
	 */
	public List<LimitSpec> apply(List<LimitSpec> limits) {
		if (this.multipliers.isEmpty() || limits.isEmpty()) {
			return limits;
		}
		List<LimitSpec> adjusted = new ArrayList<>(limits.size());
		for (int i = 0; i < limits.size(); i++) {
			LimitSpec limit = limits.get(i);
			adjusted.add(limit.isBudget() ? limit : limit.scaled(this.product, RoundingMode.FLOOR));
		}
		return Collections.unmodifiableList(adjusted);
	}

	@Override
	public boolean equals(Object other) {
		return (this == other) || (other instanceof Adjustments that && this.multipliers.equals(that.multipliers));
	}

	@Override
	public int hashCode() {
		return this.multipliers.hashCode();
	}

	@Override
	public String toString() {
		return this.multipliers.toString();
	}

}
