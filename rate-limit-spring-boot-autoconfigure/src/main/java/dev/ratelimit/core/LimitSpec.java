package dev.ratelimit.core;

import java.math.RoundingMode;
import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * One limit: at most {@code limit} units of cost per {@code window}, counted by an
 * {@link Algorithm}.
 *
 * @param limit the number of units allowed per window, at least 1
 * @param window the window, at least one millisecond
 * @param algorithm how requests are counted
 * @param burst for {@link Algorithm#TOKEN_BUCKET}, how many units may be spent at once
 * (the bucket's capacity); equal to {@code limit} for the other algorithms
 * @param name the budget's name (e.g. {@code usd}) for {@link Algorithm#BUDGET}, whose
 * limit is in {@linkplain Money micro-units}; {@code null} for every other algorithm
 * @author rate-limit-spring-boot
 */
public record LimitSpec(long limit, Duration window, Algorithm algorithm, long burst, @Nullable String name) {

	/**
	 * How many units in the last place a product of a limit and a factor may be off by
	 * the error of binary fractions and still round as its decimal value would.
	 */
	private static final int ROUNDING_ULPS = 4;

	public LimitSpec {
		if ((algorithm == Algorithm.BUDGET) != (name != null)) {
			throw new IllegalArgumentException("a budget, and only a budget, has a name: " + algorithm + ", " + name);
		}
		if (algorithm == Algorithm.BUDGET && limit > Money.MAX_MICROS) {
			throw new IllegalArgumentException("a budget must be at most " + Money.MAX_MICROS + " micro-units");
		}
		if (limit < 1) {
			throw new IllegalArgumentException("limit must be at least 1, was " + limit);
		}
		if (window.toMillis() < 1) {
			throw new IllegalArgumentException("window must be at least 1ms, was " + window);
		}
		if (burst < 1) {
			throw new IllegalArgumentException("burst must be at least 1, was " + burst);
		}
	}

	/**
	 * A limit that is not a budget.
	 * @param limit the number of units allowed per window, at least 1
	 * @param window the window, at least one millisecond
	 * @param algorithm how requests are counted
	 * @param burst the burst
	 */
	public LimitSpec(long limit, Duration window, Algorithm algorithm, long burst) {
		this(limit, window, algorithm, burst, null);
	}

	/**
	 * A budget: at most {@code limit} micro-units spent per window, read before a request
	 * and charged after its response.
	 * @param name the budget's name, e.g. {@code usd}
	 * @param limitMicros the amount per window in micro-units, at least 1
	 * @param window the window; {@link Windows#MONTH} or whole days are calendar windows
	 * @return the budget
	 */
	public static LimitSpec budget(String name, long limitMicros, Duration window) {
		return new LimitSpec(limitMicros, window, Algorithm.BUDGET, limitMicros, name);
	}

	/**
	 * Whether this is a budget rather than a rate.
	 * @return {@code true} for {@link Algorithm#BUDGET}
	 */
	public boolean isBudget() {
		return this.algorithm == Algorithm.BUDGET;
	}

	/**
	 * A token-bucket limit whose burst equals its limit.
	 * @param limit the limit
	 * @param window the window
	 * @return the limit
	 */
	public static LimitSpec of(long limit, Duration window) {
		return of(limit, window, Algorithm.TOKEN_BUCKET);
	}

	/**
	 * A limit whose burst equals its limit.
	 * @param limit the limit
	 * @param window the window
	 * @param algorithm the algorithm
	 * @return the limit
	 */
	public static LimitSpec of(long limit, Duration window, Algorithm algorithm) {
		return new LimitSpec(limit, window, algorithm, limit);
	}

	/**
	 * A concurrency limit: at most {@code concurrent} requests in flight at once, each
	 * holding a lease that frees itself when not renewed for {@code leaseTimeout}.
	 * @param concurrent the most requests in flight, at least 1
	 * @param leaseTimeout how long an unrenewed lease lives
	 * @return the limit
	 * @see Algorithm#CONCURRENCY
	 */
	public static LimitSpec concurrency(long concurrent, Duration leaseTimeout) {
		return of(concurrent, leaseTimeout, Algorithm.CONCURRENCY);
	}

	/**
	 * Whether this is a concurrency limit (a lease) rather than a rate.
	 * @return {@code true} for {@link Algorithm#CONCURRENCY}
	 */
	public boolean isConcurrency() {
		return this.algorithm == Algorithm.CONCURRENCY;
	}

	/**
	 * The window in microseconds, the unit both limiters count in.
	 * @return the window in microseconds
	 */
	public long windowMicros() {
		return Math.multiplyExact(this.window.toMillis(), 1000L);
	}

	/**
	 * The most cost one request can ever be granted under this limit.
	 * @return the largest admissible cost
	 */
	public long capacity() {
		return (this.algorithm == Algorithm.TOKEN_BUCKET) ? this.burst : this.limit;
	}

	/**
	 * This limit with its limit and burst multiplied by a factor, rounded up and at least
	 * 1: a temporary override doubles a caller's limits with {@code 2}. A fallback's
	 * share of a limit is {@link #shareOf(int)}, which rounds down instead.
	 * @param factor the factor, greater than zero
	 * @return the scaled limit, or this limit when the factor is 1
	 * @see #scaled(double, RoundingMode)
	 */
	public LimitSpec scaled(double factor) {
		return scaled(factor, RoundingMode.CEILING);
	}

	/**
	 * This limit with its limit and burst multiplied by a factor, rounded as told and at
	 * least 1: {@link RoundingMode#CEILING} for an operator's override (never less than
	 * asked for), {@link RoundingMode#FLOOR} for dynamic multipliers (never more than the
	 * product allows: {@code max(1, floor(limit x product))}).
	 * @param factor the factor, greater than zero
	 * @param rounding {@link RoundingMode#CEILING} or {@link RoundingMode#FLOOR}
	 * @return the scaled limit, or this limit when the factor is 1
	 */
	public LimitSpec scaled(double factor, RoundingMode rounding) {
		if (!(factor > 0) || Double.isInfinite(factor)) {
			throw new IllegalArgumentException("factor must be a positive number, was " + factor);
		}
		if (rounding != RoundingMode.CEILING && rounding != RoundingMode.FLOOR) {
			throw new IllegalArgumentException("rounding must be CEILING or FLOOR, was " + rounding);
		}
		if (factor == 1) {
			return this;
		}
		if (isBudget()) {
			long scaled = Math.min(Money.MAX_MICROS, scale(this.limit, factor, rounding));
			return new LimitSpec(scaled, this.window, this.algorithm, scaled, this.name);
		}
		return new LimitSpec(scale(this.limit, factor, rounding), this.window, this.algorithm,
				scale(this.burst, factor, rounding));
	}

	/**
	 * The share of this limit that one of {@code instances} instances enforces on its own
	 * (a local fallback while the shared backend is unavailable): the limit and the burst
	 * divided by the number of instances, rounded <em>down</em>, so that the instances
	 * together admit at most this limit. Each share is at least 1, so a limit smaller
	 * than the number of instances is the exception: there the fleet can admit up to one
	 * unit per instance. Unlike {@link #scaled(double)}, which rounds up.
	 * @param instances the number of instances that share the limit, at least 1
	 * @return the share, or this limit for one instance
	 */
	public LimitSpec shareOf(int instances) {
		if (instances < 1) {
			throw new IllegalArgumentException("instances must be at least 1, was " + instances);
		}
		if (instances == 1) {
			return this;
		}
		return new LimitSpec(Math.max(1, this.limit / instances), this.window, this.algorithm,
				Math.max(1, this.burst / instances), this.name);
	}

	private static long scale(long value, double factor, RoundingMode rounding) {
		double product = value * factor;
		// Both forgive the error of binary fractions: 100 x 0.29 is 28.999999999999996 in
		// doubles and must floor to 29; 5 x 0.6 is 3.0000000000000004 and must ceil to 3.
		double tolerance = ROUNDING_ULPS * Math.ulp(product);
		double scaled = (rounding == RoundingMode.FLOOR) ? Math.floor(product + tolerance)
				: Math.ceil(product - tolerance);
		return (scaled >= Long.MAX_VALUE / 2) ? Long.MAX_VALUE / 2 : Math.max(1, (long) scaled);
	}

	@Override
	public String toString() {
		if (isConcurrency()) {
			return this.limit + " concurrent";
		}
		if (isBudget()) {
			return this.name + " " + Money.ofMicros(this.limit).toPlainString() + "/" + Windows.format(this.window);
		}
		return this.limit + "/" + Windows.format(this.window) + " " + this.algorithm.notation();
	}

}
