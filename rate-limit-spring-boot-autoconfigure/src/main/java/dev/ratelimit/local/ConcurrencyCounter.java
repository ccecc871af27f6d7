package dev.ratelimit.local;

import java.util.HashSet;
import java.util.Set;

import dev.ratelimit.core.LimitSpec;
import dev.ratelimit.core.LimitState;

/**
 * The leases of one scope and operation held in this process: admitted while fewer than
 * the limit are held. Unlike the Redis set of leases, local leases have no expiry: they
 * live in the process that releases them (in a {@code finally} or when the asynchronous
 * response completes), so there is no instance whose death could strand them. A counter
 * that holds leases never expires; one that holds none is worth nothing and is dropped.
 *
 * @author rate-limit-spring-boot
 */
final class ConcurrencyCounter extends LimitCounter {

	/** Longer than any process lives, and far from overflowing {@code now + ttl}. */
	private static final long HELD = Long.MAX_VALUE / 4;

	private final Set<String> leases = new HashSet<>();

	@Override
	LimitState evaluate(LimitSpec limit, long now, long cost) {
		int held = this.leases.size();
		if (held < limit.limit()) {
			return LimitState.ofMicros(limit, true, limit.limit() - held - ((cost > 0) ? 1 : 0), 0, 0);
		}
		// As the Redis script: a slot frees when a request completes; retry within 1s.
		return LimitState.ofMicros(limit, false, 0, 0, 1_000_000);
	}

	@Override
	long consume(LimitSpec limit, long now, long cost) {
		throw new UnsupportedOperationException("a lease is acquired with its id");
	}

	/**
	 * Take a lease that {@link #evaluate} allowed.
	 * @param id the lease's id
	 */
	void acquire(String id) {
		this.leases.add(id);
		expireAt(HELD);
	}

	/**
	 * Give a lease back.
	 * @param id the lease's id
	 * @return whether no lease is held any more
	 */
	boolean release(String id) {
		this.leases.remove(id);
		return this.leases.isEmpty();
	}

	int held() {
		return this.leases.size();
	}

}
