package dev.ratelimit.local;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import dev.ratelimit.core.Decision;
import dev.ratelimit.core.Lease;
import dev.ratelimit.core.LimitSpec;
import dev.ratelimit.core.LimitState;
import dev.ratelimit.core.RateLimitRequest;

import org.jspecify.annotations.Nullable;

/**
 * One lock and the counters of every scope that hashes to it, at most {@code capacity} of
 * them. A check holds the lock from reading the clock to its last write, so it is atomic.
 *
 * @author rate-limit-spring-boot
 */
final class Stripe {

	private static final Supplier<String> NO_LEASES = () -> {
		throw new IllegalStateException("a request of one scope without concurrency limits takes no lease");
	};

	/** Expired counters are removed every this many checks of the stripe. */
	static final int SWEEP_INTERVAL = 1024;

	private static final String KEY_PREFIX = "rate-limit";

	private final ReentrantLock lock = new ReentrantLock();

	private final Map<String, LimitCounter> counters = new HashMap<>();

	private final int capacity;

	private int checksSinceSweep;

	Stripe(int capacity) {
		this.capacity = capacity;
	}

	/**
	 * Check a request whose scope belongs to this stripe: evaluate every limit, then
	 * consume from all of them only when all allow and the cost is positive.
	 * @param request the request
	 * @param clock the current time in microseconds since the epoch
	 * @return the decision
	 */
	Decision check(RateLimitRequest request, LongSupplier clock) {
		this.lock.lock();
		try {
			long now = clock.getAsLong();
			Evaluation evaluation = evaluate(request, now);
			LimitState burst = evaluation.allowed() ? null : consultBurst(List.of(evaluation), now);
			if (evaluation.allowed() || (burst != null && burst.allowed())) {
				// A request of one scope without concurrency limits takes no lease.
				commit(evaluation, now, NO_LEASES, List.of());
			}
			return Decision.of(evaluation.limitStates(), burst);
		}
		finally {
			this.lock.unlock();
		}
	}

	void lock() {
		this.lock.lock();
	}

	void unlock() {
		this.lock.unlock();
	}

	/**
	 * Phase 1 of a check of several scopes, under this stripe's lock (which the caller
	 * holds, with the locks of the other scopes' stripes): evaluate every limit of one
	 * scope's part of the request without consuming.
	 * @param part one scope's part of the request
	 * @param now the current time
	 * @return the evaluation, to {@linkplain #commit commit} when every scope allows
	 */
	Evaluation evaluate(RateLimitRequest part, long now) {
		sweepPeriodically(now);
		List<LimitSpec> limits = part.limits();
		String[] keys = new String[limits.size()];
		LimitCounter[] counters = new LimitCounter[limits.size()];
		List<LimitState> states = new ArrayList<>(limits.size());
		boolean allowed = true;
		for (int i = 0; i < keys.length; i++) {
			LimitSpec limit = limits.get(i);
			keys[i] = part.key(KEY_PREFIX, limit);
			counters[i] = find(keys[i], limit, now);
			if (limit.isBurstAllowance()) {
				// consulted after every part was evaluated, if at all: not used so far
				states.add(LimitState.ofMicros(limit, false, 0, 0, 0));
				continue;
			}
			LimitState state = counters[i].evaluate(limit, now, part.cost());
			allowed &= state.allowed();
			states.add(state);
		}
		return new Evaluation(part, keys, counters, states, allowed);
	}

	/**
	 * Consult the burst allowance of a denied check, as {@code check.lua} does: only when
	 * the cost is positive and fits the allowance, and every limit that denied is a rate
	 * of the scope that has the allowance (its first part). When the allowance has room,
	 * its state in that part's evaluation becomes an admitting one, so that
	 * {@link #commit} consumes it with every limit that admitted the request, and the
	 * denying limits not.
	 * @param evaluations every part of the check, evaluated under their stripes' locks
	 * @param now the current time
	 * @return the allowance's state (allowed when it admits the request), or {@code null}
	 * when it was not consulted
	 */
	static @Nullable LimitState consultBurst(List<Evaluation> evaluations, long now) {
		Evaluation owner = evaluations.get(0);
		LimitSpec allowance = owner.part().burstAllowance();
		long cost = owner.part().cost();
		if (allowance == null || cost == 0 || cost > allowance.limit()) {
			return null;
		}
		for (Evaluation evaluation : evaluations) {
			for (LimitState state : evaluation.states()) {
				if (!state.allowed() && !state.limit().isBurstAllowance()
						&& (evaluation != owner || !state.limit().isRate())) {
					return null;
				}
			}
		}
		int index = owner.states().size() - 1;
		LimitState burst = owner.counters()[index].evaluate(allowance, now, cost);
		owner.states().set(index, burst);
		return burst;
	}

	/**
	 * Phase 2, under the same locks: consume the cost and take the leases of a part whose
	 * every scope allowed.
	 * @param evaluation the part's evaluation
	 * @param now the current time
	 * @param leaseIds new lease ids
	 * @param leases receives the leases taken
	 */
	void commit(Evaluation evaluation, long now, Supplier<String> leaseIds, List<Lease> leases) {
		RateLimitRequest part = evaluation.part();
		if (part.cost() == 0) {
			return;
		}
		makeRoom(evaluation.keys(), now);
		for (int i = 0; i < evaluation.keys().length; i++) {
			if (!evaluation.states().get(i).allowed()) {
				// Exhausted, and admitted from the burst allowance (or the allowance,
				// unused): nothing to take.
				continue;
			}
			LimitSpec limit = part.limits().get(i);
			LimitCounter counter = evaluation.counters()[i];
			if (counter instanceof ConcurrencyCounter concurrency) {
				Lease lease = new Lease(part.scope(), part.operation(), limit, leaseIds.get());
				concurrency.acquire(lease.id());
				leases.add(lease);
			}
			else {
				counter.consumeAndExpire(limit, now, part.cost());
			}
			this.counters.put(evaluation.keys()[i], counter);
		}
	}

	/**
	 * Give a lease back.
	 * @param lease the lease
	 */
	void release(Lease lease) {
		this.lock.lock();
		try {
			String key = lease.key(KEY_PREFIX);
			if (this.counters.get(key) instanceof ConcurrencyCounter counter && counter.release(lease.id())) {
				this.counters.remove(key);
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * The leases held for a scope and operation.
	 * @param scope the scope
	 * @param operation the canonical operation name
	 * @return the number of leases held
	 */
	int held(String scope, String operation) {
		this.lock.lock();
		try {
			return (this.counters.get(RateLimitRequest.concurrencyKey(KEY_PREFIX, scope,
					operation)) instanceof ConcurrencyCounter counter) ? counter.held() : 0;
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Forget the counters of a request's limits.
	 * @param request the request
	 */
	void reset(RateLimitRequest request) {
		this.lock.lock();
		try {
			for (LimitSpec limit : request.limits()) {
				this.counters.remove(request.key(KEY_PREFIX, limit));
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Remove every counter that has expired.
	 * @param now the current time in microseconds since the epoch
	 */
	void removeExpired(long now) {
		this.lock.lock();
		try {
			this.counters.values().removeIf((counter) -> counter.isExpired(now));
		}
		finally {
			this.lock.unlock();
		}
	}

	int size() {
		this.lock.lock();
		try {
			return this.counters.size();
		}
		finally {
			this.lock.unlock();
		}
	}

	private LimitCounter find(String key, LimitSpec limit, long now) {
		LimitCounter counter = this.counters.get(key);
		if (counter != null && !counter.isExpired(now)) {
			return counter;
		}
		if (counter != null) {
			this.counters.remove(key);
		}
		return LimitCounter.create(limit.algorithm());
	}

	private void sweepPeriodically(long now) {
		if (++this.checksSinceSweep >= SWEEP_INTERVAL) {
			this.checksSinceSweep = 0;
			removeExpired(now);
		}
	}

	/**
	 * Make room for the keys of one request that are not stored yet: first drop expired
	 * counters, then the counters of other keys that expire soonest.
	 */
	private void makeRoom(String[] keys, long now) {
		if (this.counters.size() + keys.length <= this.capacity) {
			return;
		}
		Set<String> requested = new HashSet<>(Arrays.asList(keys));
		long missing = requested.stream().filter((key) -> !this.counters.containsKey(key)).count();
		if (this.counters.size() + missing <= this.capacity) {
			return;
		}
		removeExpired(now);
		while (this.counters.size() + missing > this.capacity) {
			String victim = soonestExpiring(requested);
			if (victim == null) {
				return;
			}
			this.counters.remove(victim);
		}
	}

	private @Nullable String soonestExpiring(Set<String> excluded) {
		String soonest = null;
		long soonestExpiry = Long.MAX_VALUE;
		for (Map.Entry<String, LimitCounter> entry : this.counters.entrySet()) {
			long expiry = entry.getValue().expiresAt();
			if (expiry < soonestExpiry && !excluded.contains(entry.getKey())) {
				soonest = entry.getKey();
				soonestExpiry = expiry;
			}
		}
		return soonest;
	}

	/**
	 * One scope's part of a check, evaluated and not yet committed.
	 */
	record Evaluation(RateLimitRequest part, String[] keys, LimitCounter[] counters, List<LimitState> states,
			boolean allowed) {

		/**
		 * The states of the part's limits without its burst allowance's, which a decision
		 * holds apart.
		 * @return the states
		 */
		List<LimitState> limitStates() {
			return (this.part.burstAllowance() != null) ? this.states.subList(0, this.states.size() - 1) : this.states;
		}

	}

}
