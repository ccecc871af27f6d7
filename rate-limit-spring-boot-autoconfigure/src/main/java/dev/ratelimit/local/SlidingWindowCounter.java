package dev.ratelimit.local;

import dev.ratelimit.core.LimitSpec;
import dev.ratelimit.core.LimitState;

/**
 * Sliding window: the counts of the current and the previous calendar-aligned window, weighted
 * into an estimate. The estimate is computed in {@code double} in the order of the specification
 * (as Lua does), so both limiters round alike.
 *
 * @author rate-limit-spring-boot
 */
final class SlidingWindowCounter extends LimitCounter {

	private long windowStart = Long.MIN_VALUE;

	private long current;

	private long previous;

	@Override
	LimitState evaluate(LimitSpec limit, long now, long cost) {
		long window = limit.windowMicros();
		long windowStart = windowStart(now, window);
		long elapsed = now - windowStart;
		long cur = current(windowStart);
		long prev = previous(windowStart, window);
		double estimate = (double) prev * (window - elapsed) / window + cur;
		if (estimate + cost <= limit.limit()) {
			long remaining = (long) Math.floor(limit.limit() - estimate - cost);
			return LimitState.ofMicros(limit, true, remaining, reset(cur + cost, prev, window, elapsed), 0);
		}
		long remaining = (long) Math.floor(limit.limit() - estimate);
		double retry;
		if (cur + cost <= limit.limit()) {
			retry = Math.ceil(window - (double) (limit.limit() - cur - cost) * window / prev) - elapsed;
		}
		else {
			// infinite when cur == 0: a cost above the limit is never admitted
			retry = (window - elapsed)
					+ Math.max(0, Math.ceil(window - (double) (limit.limit() - cost) * window / cur));
		}
		return LimitState.ofMicros(limit, false, remaining, reset(cur, prev, window, elapsed), (long) retry);
	}

	@Override
	long consume(LimitSpec limit, long now, long cost) {
		long window = limit.windowMicros();
		long windowStart = windowStart(now, window);
		long cur = current(windowStart);
		this.previous = previous(windowStart, window);
		this.current = cur + cost;
		this.windowStart = windowStart;
		return 2 * window - (now - windowStart);
	}

	private long current(long windowStart) {
		return (this.windowStart == windowStart) ? this.current : 0;
	}

	private long previous(long windowStart, long window) {
		if (this.windowStart == windowStart) {
			return this.previous;
		}
		return (this.windowStart == windowStart - window) ? this.current : 0;
	}

	private static long reset(long cur, long prev, long window, long elapsed) {
		if (cur > 0) {
			return 2 * window - elapsed;
		}
		return (prev > 0) ? window - elapsed : 0;
	}

}
