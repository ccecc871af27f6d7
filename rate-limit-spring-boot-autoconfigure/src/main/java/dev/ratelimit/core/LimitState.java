package dev.ratelimit.core;

import java.time.Duration;
import java.time.temporal.ChronoUnit;

/**
 * The outcome of one limit within a {@link Decision}.
 *
 * @param limit the limit
 * @param allowed whether this limit alone would admit the request
 * @param remaining the units still available after this request (before it, when denied)
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
		return new LimitState(limit, allowed, Math.max(0, remaining), micros(resetMicros), micros(retryMicros));
	}

	private static Duration micros(long micros) {
		// Duration.of does not overflow where micros * 1000 nanos would (above ~292
		// years)
		return Duration.of(Math.max(0, micros), ChronoUnit.MICROS);
	}

}
