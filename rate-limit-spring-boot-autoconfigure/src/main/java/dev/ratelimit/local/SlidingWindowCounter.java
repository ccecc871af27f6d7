package dev.ratelimit.local;

import java.util.Arrays;

import dev.ratelimit.core.LimitSpec;
import dev.ratelimit.core.LimitState;

/**
 * Sliding window: one count per calendar-aligned sub-window ({@value #SLOTS} per window), the
 * arithmetic of {@code check.lua}'s {@code sw2}. A request is admitted when the estimate (the
 * oldest of the last {@value #SLOTS} + 1 slots weighted by its share still inside the rolling
 * window, the newer ones in full) plus its cost is at most the limit, and the plain total of those
 * slots plus its cost at most the limit plus a tenth, rounded up. The estimate is computed in
 * {@code double} in the order of the specification (as Lua does), so both limiters round alike.
 *
 * @author rate-limit-spring-boot
 */
final class SlidingWindowCounter extends LimitCounter {

	/** Slots per window: the fewest for which traffic spread evenly at the limit meets the bound. */
	static final int SLOTS = 10;

	/** Counts by slot index modulo {@code SLOTS + 1}, for the slots up to {@link #newest}. */
	private final long[] counts = new long[SLOTS + 1];

	/** The newest slot written, {@link Long#MIN_VALUE} for none. */
	private long newest = Long.MIN_VALUE;

	@Override
	LimitState evaluate(LimitSpec limit, long now, long cost) {
		long slot = limit.windowMicros() / SLOTS;
		long bound = bound(limit.limit());
		long k = Math.floorDiv(now, slot);
		long elapsed = now - k * slot;
		// window[i] is the count of slot k - SLOTS + i
		long[] window = new long[SLOTS + 1];
		for (int i = 0; i <= SLOTS; i++) {
			window[i] = countOf(k - SLOTS + i);
		}
		long recent = 0;
		for (int i = 1; i <= SLOTS; i++) {
			recent += window[i];
		}
		double estimate = (double) window[0] * (slot - elapsed) / slot + recent;
		long total = window[0] + recent;
		boolean allowed = estimate + cost <= limit.limit() && total + cost <= bound;
		if (allowed) {
			window[SLOTS] += cost;
		}
		long reset = reset(window, k, slot, now);
		if (allowed) {
			long remaining = Math.min((long) Math.floor(limit.limit() - estimate - cost), bound - total - cost);
			return LimitState.ofMicros(limit, true, remaining, reset, 0);
		}
		long remaining = Math.min((long) Math.floor(limit.limit() - estimate), bound - total);
		return LimitState.ofMicros(limit, false, remaining, reset,
				retry(window, k, elapsed, slot, limit.limit(), bound, cost, now, reset, limit.windowMicros()));
	}

	@Override
	long consume(LimitSpec limit, long now, long cost) {
		long slot = limit.windowMicros() / SLOTS;
		long k = Math.floorDiv(now, slot);
		if (this.newest == Long.MIN_VALUE || k > this.newest + SLOTS || k < this.newest - SLOTS) {
			// nothing stored is in the window (or the clock went back by more than a window)
			Arrays.fill(this.counts, 0);
			this.counts[index(k)] = cost;
			this.newest = k;
		}
		else if (k > this.newest) {
			// the slots skipped since the newest one hold slots that have now left the window
			for (long j = this.newest + 1; j < k; j++) {
				this.counts[index(j)] = 0;
			}
			this.counts[index(k)] = cost;
			this.newest = k;
		}
		else {
			this.counts[index(k)] += cost;
		}
		return (this.newest + SLOTS + 1) * slot - now;
	}

	private long countOf(long j) {
		if (this.newest == Long.MIN_VALUE || j > this.newest || j < this.newest - SLOTS) {
			return 0;
		}
		return this.counts[index(j)];
	}

	/**
	 * The most any rolling window may hold: the limit plus a tenth, rounded up.
	 * @param limit the limit
	 * @return the bound
	 */
	static long bound(long limit) {
		return limit + (limit + 9) / 10;
	}

	private static int index(long slotIndex) {
		return (int) Math.floorMod(slotIndex, (long) SLOTS + 1);
	}

	private static long reset(long[] window, long k, long slot, long now) {
		for (int i = SLOTS; i >= 0; i--) {
			if (window[i] > 0) {
				return (k - SLOTS + i + SLOTS + 1) * slot - now;
			}
		}
		return 0;
	}

	/**
	 * The earliest time both conditions hold if nothing more is admitted. Both only relax with time
	 * (the total at slot boundaries, the estimate continuously), so the first slot whose total
	 * admits the cost and whose estimate does at some elapsed time gives the answer.
	 */
	private static long retry(long[] window, long k, long elapsed, long slot, long limit, long bound, long cost,
			long now, long reset, long windowMicros) {
		if (cost > limit) {
			// never admissible: as the script reports it
			return (reset != 0) ? reset : windowMicros;
		}
		for (long m = k; m <= k + SLOTS + 1; m++) {
			long oldest = count(window, k, m - SLOTS);
			long newer = 0;
			for (long j = m - SLOTS + 1; j <= Math.min(m, k); j++) {
				newer += count(window, k, j);
			}
			if (oldest + newer + cost <= bound && newer + cost <= limit) {
				long from = (m == k) ? elapsed : 0;
				long e = from;
				if (oldest > 0) {
					e = Math.max(from,
							Math.min(slot, (long) Math.ceil(slot - (double) (limit - cost - newer) * slot / oldest)));
					// the exact earliest microsecond of the floating-point rule, whatever the rounding
					while (e > from && admits(oldest, newer, cost, limit, slot, e - 1)) {
						e--;
					}
					while (e < slot && !admits(oldest, newer, cost, limit, slot, e)) {
						e++;
					}
				}
				if (e < slot) {
					return m * slot + e - now;
				}
			}
		}
		return (reset != 0) ? reset : windowMicros;
	}

	private static long count(long[] window, long k, long j) {
		return (j > k) ? 0 : window[(int) (j - k + SLOTS)];
	}

	private static boolean admits(long oldest, long newer, long cost, long limit, long slot, long e) {
		return (double) oldest * (slot - e) / slot + newer + cost <= limit;
	}

}
