package dev.ratelimit.local;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.LimitSpec;
import dev.ratelimit.core.LimitState;

/**
 * The state of one limit under one storage key, with the arithmetic of its
 * {@link Algorithm} as specified in {@code docs/algorithms.md}. All times are
 * microseconds since the epoch. Not thread safe: a {@link Stripe} guards every access.
 *
 * @author rate-limit-spring-boot
 */
abstract class LimitCounter {

	/**
	 * When this state stops mattering: the write time plus the TTL of the specification,
	 * in microseconds since the epoch. From then on a fresh counter behaves exactly the
	 * same.
	 */
	private long expiresAt;

	/**
	 * Create an empty counter, equivalent to a missing key.
	 * @param algorithm the algorithm of the limit
	 * @return a new counter
	 */
	static LimitCounter create(Algorithm algorithm) {
		return switch (algorithm) {
			case TOKEN_BUCKET -> new TokenBucketCounter();
			case FIXED_WINDOW, BURST_ALLOWANCE -> new FixedWindowCounter();
			case SLIDING_WINDOW -> new SlidingWindowCounter();
			case SLIDING_LOG -> new SlidingLogCounter();
			case CONCURRENCY -> new ConcurrencyCounter();
			case BUDGET -> new BudgetCounter();
		};
	}

	/**
	 * Phase 1: what charging {@code cost} at {@code now} would give, without consuming
	 * anything.
	 * @param limit the limit
	 * @param now the current time
	 * @param cost the cost, {@code 0} for a peek
	 * @return the state of the limit
	 */
	abstract LimitState evaluate(LimitSpec limit, long now, long cost);

	/**
	 * Phase 2: consume {@code cost}, which {@link #evaluate} allowed at the same
	 * {@code now}.
	 * @param limit the limit
	 * @param now the current time
	 * @param cost the cost, greater than zero
	 * @return the time to live of the new state in microseconds, as specified
	 */
	abstract long consume(LimitSpec limit, long now, long cost);

	/**
	 * Consume {@code cost} and move the expiry, with the TTL in milliseconds rounded up
	 * and at least one, as Redis' {@code PEXPIRE} is called.
	 * @param limit the limit
	 * @param now the current time
	 * @param cost the cost, greater than zero
	 */
	final void consumeAndExpire(LimitSpec limit, long now, long cost) {
		long ttlMillis = Math.max(1, (consume(limit, now, cost) + 999) / 1000);
		this.expiresAt = now + ttlMillis * 1000;
	}

	/**
	 * Move the expiry to a time of the subclass's choosing.
	 * @param expiresAt the new expiry in microseconds since the epoch
	 */
	final void expireAt(long expiresAt) {
		this.expiresAt = expiresAt;
	}

	final long expiresAt() {
		return this.expiresAt;
	}

	final boolean isExpired(long now) {
		return now >= this.expiresAt;
	}

	/**
	 * The start of the window that contains {@code now}; windows align to the Unix epoch.
	 * @param now the current time
	 * @param window the window length
	 * @return the window start
	 */
	static long windowStart(long now, long window) {
		return Math.floorDiv(now, window) * window;
	}

}
