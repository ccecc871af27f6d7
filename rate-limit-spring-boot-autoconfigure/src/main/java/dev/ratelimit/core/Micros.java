package dev.ratelimit.core;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Conversions to microseconds, the unit both limiters count time in
 * ({@code docs/algorithms.md}).
 *
 * @author rate-limit-spring-boot
 */
public final class Micros {

	private Micros() {
	}

	/**
	 * The current time of a clock in microseconds since the epoch.
	 * @param clock the clock
	 * @return the microseconds since the epoch
	 */
	public static long now(Clock clock) {
		Instant now = clock.instant();
		return Math.addExact(Math.multiplyExact(now.getEpochSecond(), 1_000_000L), now.getNano() / 1_000);
	}

	/**
	 * A duration in microseconds, {@link Long#MAX_VALUE} when it does not fit.
	 * @param duration the duration
	 * @return the microseconds
	 */
	public static long of(Duration duration) {
		try {
			return Math.addExact(Math.multiplyExact(duration.getSeconds(), 1_000_000L), duration.getNano() / 1_000);
		}
		catch (ArithmeticException ex) {
			return Long.MAX_VALUE;
		}
	}

}
