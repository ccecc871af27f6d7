package dev.ratelimit.local;

import dev.ratelimit.core.LimitSpec;
import dev.ratelimit.core.LimitState;

/**
 * Token bucket as the generic cell rate algorithm: the only state is the theoretical
 * arrival time (TAT) of the next request.
 *
 * @author rate-limit-spring-boot
 */
final class TokenBucketCounter extends LimitCounter {

	/**
	 * The stored TAT; {@code 0} when never written, so {@code max(tat, now)} is
	 * {@code now}.
	 */
	private long tat;

	@Override
	LimitState evaluate(LimitSpec limit, long now, long cost) {
		long interval = emissionInterval(limit);
		long tolerance = interval * limit.burst();
		long tat = Math.max(this.tat, now);
		long newTat = tat + cost * interval;
		long allowAt = newTat - tolerance;
		if (now >= allowAt) {
			return LimitState.ofMicros(limit, true, Math.floorDiv(now - allowAt, interval), newTat - now, 0);
		}
		long remaining = Math.max(0, Math.floorDiv(now - (tat - tolerance), interval));
		return LimitState.ofMicros(limit, false, remaining, tat - now, allowAt - now);
	}

	@Override
	long consume(LimitSpec limit, long now, long cost) {
		this.tat = Math.max(this.tat, now) + cost * emissionInterval(limit);
		return this.tat - now;
	}

	private static long emissionInterval(LimitSpec limit) {
		return Math.max(1, limit.windowMicros() / limit.limit());
	}

}
