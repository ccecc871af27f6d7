package dev.ratelimit.local;

import java.util.Arrays;

import dev.ratelimit.core.LimitSpec;
import dev.ratelimit.core.LimitState;

/**
 * Sliding window: one count per calendar-aligned sub-window ({@value #SLOTS} per window),
 * the arithmetic of {@code check.lua}'s {@code sw2}. A request is admitted when the
 * estimate (the oldest of the last {@value #SLOTS} + 1 slots weighted by its share still
 * inside the rolling window, the newer ones in full) plus its cost is at most the limit,
 * and the plain total of those slots plus its cost at most the limit plus a tenth,
 * rounded up. The estimate is computed in {@code double} in the order of the
 * specification (as Lua does), so both limiters round alike.
 *
 * @author rate-limit-spring-boot
 */
final class SlidingWindowCounter extends LimitCounter {

	/**
	 * Slots per window: the fewest for which traffic spread evenly at the limit meets the
	 * bound.
	 */
	static final int SLOTS = 10;

	/**
	 * Counts by slot index modulo {@code SLOTS + 1}, for the slots up to {@link #newest}.
	 */
	private final long[] counts = new long[SLOTS + 1];

	/** The newest slot written, {@link Long#MIN_VALUE} for none. */
	private long newest = Long.MIN_VALUE;

	@Override
	LimitState evaluate(LimitSpec limit, long now, long cost) {
		Slots slots = new Slots(limit, now);
		for (int i = 0; i <= SLOTS; i++) {
			slots.counts[i] = countOf(slots.current - SLOTS + i);
		}
		long recent = slots.newerThan(slots.current - SLOTS, slots.current);
		long oldest = slots.count(slots.current - SLOTS);
		double estimate = (double) oldest * (slots.length - slots.elapsed) / slots.length + recent;
		long total = oldest + recent;
		long bound = bound(limit.limit());
		boolean allowed = estimate + cost <= limit.limit() && total + cost <= bound;
		if (allowed) {
			slots.counts[SLOTS] += cost;
		}
		long reset = slots.reset();
		if (allowed) {
			long remaining = Math.min((long) Math.floor(limit.limit() - estimate - cost), bound - total - cost);
			return LimitState.ofMicros(limit, true, remaining, reset, 0);
		}
		long remaining = Math.min((long) Math.floor(limit.limit() - estimate), bound - total);
		long retry = (cost <= limit.limit()) ? slots.untilAdmitted(cost, bound) : -1;
		// never admissible: reported as the script does
		return LimitState.ofMicros(limit, false, remaining, reset,
				(retry >= 0) ? retry : (reset != 0) ? reset : limit.windowMicros());
	}

	@Override
	long consume(LimitSpec limit, long now, long cost) {
		long slot = limit.windowMicros() / SLOTS;
		long k = Math.floorDiv(now, slot);
		if (this.newest == Long.MIN_VALUE || k > this.newest + SLOTS || k < this.newest - SLOTS) {
			// nothing stored is in the window (or the clock went back by more than a
			// window)
			Arrays.fill(this.counts, 0);
			this.counts[index(k)] = cost;
			this.newest = k;
		}
		else if (k > this.newest) {
			// the slots skipped since the newest one hold slots that have now left the
			// window
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

	/**
	 * The counts of the slots a check at {@code now} sees (the current one and the
	 * {@value #SLOTS} before it), and the arithmetic on them that does not depend on the
	 * stored state.
	 */
	private static final class Slots {

		/** The count of slot {@code current - SLOTS + i} at index {@code i}. */
		final long[] counts = new long[SLOTS + 1];

		final long limit;

		final long length;

		final long current;

		final long elapsed;

		final long now;

		Slots(LimitSpec limit, long now) {
			this.limit = limit.limit();
			this.length = limit.windowMicros() / SLOTS;
			this.current = Math.floorDiv(now, this.length);
			this.elapsed = now - this.current * this.length;
			this.now = now;
		}

		/** The count of slot {@code j}; slots after the current one hold nothing yet. */
		long count(long j) {
			return (j > this.current) ? 0 : this.counts[(int) (j - this.current + SLOTS)];
		}

		/**
		 * The sum of the counts of the slots after {@code oldest} up to {@code newest}.
		 */
		long newerThan(long oldest, long newest) {
			long sum = 0;
			for (long j = oldest + 1; j <= Math.min(newest, this.current); j++) {
				sum += count(j);
			}
			return sum;
		}

		/**
		 * Microseconds until the newest slot with a count has left every rolling window.
		 */
		long reset() {
			for (int i = SLOTS; i >= 0; i--) {
				if (this.counts[i] > 0) {
					return (this.current - SLOTS + i + SLOTS + 1) * this.length - this.now;
				}
			}
			return 0;
		}

		/**
		 * Microseconds until {@code cost} is admitted if nothing more is. Both conditions
		 * only relax with time (the total at slot boundaries, the estimate continuously),
		 * so the first slot whose total admits the cost and whose estimate does at some
		 * elapsed time gives the answer.
		 * @return the wait, or {@code -1} when no slot admits it
		 */
		long untilAdmitted(long cost, long bound) {
			for (long m = this.current; m <= this.current + SLOTS + 1; m++) {
				long oldest = count(m - SLOTS);
				long newer = newerThan(m - SLOTS, m);
				if (oldest + newer + cost <= bound && newer + cost <= this.limit) {
					long from = (m == this.current) ? this.elapsed : 0;
					long e = (oldest > 0) ? firstAdmitting(oldest, newer, cost, from) : from;
					if (e < this.length) {
						return m * this.length + e - this.now;
					}
				}
			}
			return -1;
		}

		/**
		 * The least elapsed time in [from, length] at which the estimate admits the cost.
		 */
		private long firstAdmitting(long oldest, long newer, long cost, long from) {
			long e = Math.max(from, Math.min(this.length,
					(long) Math.ceil(this.length - (double) (this.limit - cost - newer) * this.length / oldest)));
			// the exact earliest microsecond of the floating-point rule, whatever the
			// rounding
			while (e > from && admits(oldest, newer, cost, e - 1)) {
				e--;
			}
			while (e < this.length && !admits(oldest, newer, cost, e)) {
				e++;
			}
			return e;
		}

		private boolean admits(long oldest, long newer, long cost, long e) {
			return (double) oldest * (this.length - e) / this.length + newer + cost <= this.limit;
		}

	}

}
