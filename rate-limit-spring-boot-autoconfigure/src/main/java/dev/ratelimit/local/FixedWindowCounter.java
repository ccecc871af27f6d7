package dev.ratelimit.local;

import dev.ratelimit.core.LimitSpec;
import dev.ratelimit.core.LimitState;

/**
 * Fixed window: a count within the current calendar-aligned window.
 *
 * @author rate-limit-spring-boot
 */
final class FixedWindowCounter extends LimitCounter {

	private long windowStart = Long.MIN_VALUE;

	private long count;

	@Override
	LimitState evaluate(LimitSpec limit, long now, long cost) {
		long windowStart = windowStart(now, limit.windowMicros());
		long count = countIn(windowStart);
		long untilNextWindow = windowStart + limit.windowMicros() - now;
		if (count + cost <= limit.limit()) {
			long reset = (count + cost > 0) ? untilNextWindow : 0;
			return LimitState.ofMicros(limit, true, limit.limit() - count - cost, reset, 0);
		}
		return LimitState.ofMicros(limit, false, limit.limit() - count, untilNextWindow, untilNextWindow);
	}

	@Override
	long consume(LimitSpec limit, long now, long cost) {
		long windowStart = windowStart(now, limit.windowMicros());
		this.count = countIn(windowStart) + cost;
		this.windowStart = windowStart;
		return windowStart + limit.windowMicros() - now;
	}

	private long countIn(long windowStart) {
		return (this.windowStart == windowStart) ? this.count : 0;
	}

}
