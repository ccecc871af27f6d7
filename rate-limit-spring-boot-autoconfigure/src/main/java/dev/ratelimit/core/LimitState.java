package dev.ratelimit.core;

import java.time.Duration;
import java.time.temporal.ChronoUnit;

/**
 * The outcome of one limit within a {@link Decision}.
 *
 * @param limit the limit
 * @param allowed whether this limit alone would admit the request
 * @param remaining the units still available after this request (before it, when denied);
 * for a budget, in micro-units and negative when overdrawn
 * @param resetAfter how long until the limit is fully replenished
 * @param retryAfter how long until the request would be admitted by this limit; zero when
 * allowed
 * @author rate-limit-spring-boot
 */
public record LimitState(LimitSpec limit, boolean allowed, long remaining, Duration resetAfter, Duration retryAfter) {

	/**
	 * Build a state from the microsecond values both limiters compute.
	 * @param limit the limit
	 * @param allowed whether the limit admits the request
	 * @param remaining the remaining units
	 * @param resetMicros microseconds until fully replenished
	 * @param retryMicros microseconds until the request would be admitted
	 * @return the state
	 */
	public static LimitState ofMicros(LimitSpec limit, boolean allowed, long remaining, long resetMicros,
			long retryMicros) {
		// A budget may be overdrawn: its remaining goes below zero, which tells what was
		// spent.
		return new LimitState(limit, allowed, limit.isBudget() ? remaining : Math.max(0, remaining),
				micros(resetMicros), micros(retryMicros));
	}

	/**
	 * What was spent of a budget in its current window, in micro-units: its limit minus
	 * what remains (more than the limit when overdrawn).
	 * @return the spent micro-units
	 */
	public long spentMicros() {
		return this.limit.limit() - this.remaining;
	}

	private static Duration micros(long micros) {
		// Duration.of does not overflow where micros * 1000 nanos would (above ~292
		// years)
		return Duration.of(Math.max(0, micros), ChronoUnit.MICROS);
	}

}
