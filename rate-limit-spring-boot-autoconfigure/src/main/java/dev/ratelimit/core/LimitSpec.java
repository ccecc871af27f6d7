package dev.ratelimit.core;

import java.time.Duration;

/**
 * One limit: at most {@code limit} units of cost per {@code window}, counted by an
 * {@link Algorithm}.
 *
 * @param limit the number of units allowed per window, at least 1
 * @param window the window, at least one millisecond
 * @param algorithm how requests are counted
 * @param burst for {@link Algorithm#TOKEN_BUCKET}, how many units may be spent at once
 * (the bucket's capacity); equal to {@code limit} for the other algorithms
 * @author rate-limit-spring-boot
 */
public record LimitSpec(long limit, Duration window, Algorithm algorithm, long burst) {

	public LimitSpec {
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
	 */
	public LimitSpec scaled(double factor) {
		if (!(factor > 0) || Double.isInfinite(factor)) {
			throw new IllegalArgumentException("factor must be a positive number, was " + factor);
		}
		if (factor == 1) {
			return this;
		}
		return new LimitSpec(scale(this.limit, factor), this.window, this.algorithm, scale(this.burst, factor));
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
				Math.max(1, this.burst / instances));
	}

	private static long scale(long value, double factor) {
		double scaled = Math.ceil(value * factor);
		return (scaled >= Long.MAX_VALUE / 2) ? Long.MAX_VALUE / 2 : Math.max(1, (long) scaled);
	}

	@Override
	public String toString() {
		if (isConcurrency()) {
			return this.limit + " concurrent";
		}
		return this.limit + "/" + Windows.format(this.window) + " " + this.algorithm.notation();
	}

}
