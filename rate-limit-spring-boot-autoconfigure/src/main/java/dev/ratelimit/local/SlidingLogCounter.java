package dev.ratelimit.local;

import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

import dev.ratelimit.core.LimitSpec;
import dev.ratelimit.core.LimitState;

/**
 * Sliding log: the admission time of every admitted unit within the last window. Units
 * admitted at the same microsecond share one entry with a count, so a request of cost
 * {@code c} adds one entry, not {@code c}; ordering by time keeps ranks the same as those
 * of the Redis sorted set. Like the script's {@code ZREMRANGEBYSCORE}, evaluating drops
 * units older than the window: no decision can see them any more, so this is not a
 * consumption.
 *
 * @author rate-limit-spring-boot
 */
final class SlidingLogCounter extends LimitCounter {

	/** Admitted units by admission time, oldest first. */
	private final TreeMap<Long, Long> admissions = new TreeMap<>();

	/** The sum of the counts in {@link #admissions}. */
	private long units;

	@Override
	LimitState evaluate(LimitSpec limit, long now, long cost) {
		long window = limit.windowMicros();
		removeUpTo(now - window);
		long n = this.units;
		if (n + cost <= limit.limit()) {
			long reset = (cost > 0) ? Math.max(newest(), now) + window - now : resetAfter(now, window);
			return LimitState.ofMicros(limit, true, limit.limit() - n - cost, reset, 0);
		}
		long rank = n + cost - limit.limit() - 1;
		// a cost above the limit is never admitted: the specification has no such member
		long retry = (rank < n) ? timeAtRank(rank) + window - now : Long.MAX_VALUE;
		return LimitState.ofMicros(limit, false, limit.limit() - n, resetAfter(now, window), retry);
	}

	@Override
	long consume(LimitSpec limit, long now, long cost) {
		removeUpTo(now - limit.windowMicros());
		this.admissions.merge(now, cost, Long::sum);
		this.units += cost;
		return limit.windowMicros();
	}

	private void removeUpTo(long time) {
		Iterator<Map.Entry<Long, Long>> oldest = this.admissions.entrySet().iterator();
		while (oldest.hasNext()) {
			Map.Entry<Long, Long> admission = oldest.next();
			if (admission.getKey() > time) {
				return;
			}
			this.units -= admission.getValue();
			oldest.remove();
		}
	}

	private long resetAfter(long now, long window) {
		return this.admissions.isEmpty() ? 0 : newest() + window - now;
	}

	private long newest() {
		return this.admissions.isEmpty() ? Long.MIN_VALUE : this.admissions.lastKey();
	}

	private long timeAtRank(long rank) {
		long seen = 0;
		for (Map.Entry<Long, Long> admission : this.admissions.entrySet()) {
			seen += admission.getValue();
			if (seen > rank) {
				return admission.getKey();
			}
		}
		throw new IllegalStateException("No unit at rank " + rank + " of " + this.units);
	}

}
