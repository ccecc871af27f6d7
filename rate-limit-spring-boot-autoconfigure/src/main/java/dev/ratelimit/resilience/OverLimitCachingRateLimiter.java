package dev.ratelimit.resilience;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

import dev.ratelimit.core.Decision;
import dev.ratelimit.core.DelegatingRateLimiter;
import dev.ratelimit.core.LimitSpec;
import dev.ratelimit.core.LimitState;
import dev.ratelimit.core.Micros;
import dev.ratelimit.core.RateLimitRequest;
import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.core.ScopeKind;
import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

/**
 * A {@link RateLimiter} that remembers denials so that a caller who is over a limit does
 * not cost a backend call on every retry. After its delegate denies a request with a wait
 * of {@code T}, further requests of the same scope and operation, under the same limits
 * and costing at least as much, are denied from memory until {@code T} has passed; then
 * the delegate decides again.
 * <p>
 * <strong>Why a cached denial is never wrong.</strong> For every algorithm a request is
 * admitted no earlier than the wait the delegate computed, and a larger cost never waits
 * less; consuming more in between only lengthens the wait. So a denial for cost {@code c}
 * holds until {@code T} for every cost {@code >= c}; a cheaper request (or a peek, cost
 * 0) goes to the delegate. The key includes the limits themselves, so a caller whose
 * limits change (another tier, a temporary override) never meets a denial recorded under
 * the old ones. The wait is counted from before the delegate was called, so an entry
 * never outlives the delegate's own answer. A request with a burst allowance is
 * remembered only until the sooner of its limits' wait and its spent allowance's refill
 * (the decision's {@link Decision#retryAfter()}): the allowance admits again then.
 * <p>
 * A cached decision reports the recorded limit states with their waits and resets
 * shortened by the time passed: the same headers the delegate would give, counting down.
 * Only the delegate's own denials are remembered, never {@linkplain Decision#isFallback()
 * fallback} decisions (a local fallback only knows its instance's share) or unavailable
 * ones.
 * <p>
 * <strong>Memory.</strong> At most about {@code maxEntries} denials are held (concurrent
 * writers may overshoot by one each). An entry is dropped when it is found expired; a
 * write into a full cache first sweeps every expired entry and, if that frees too little,
 * drops arbitrary entries down to three quarters of the bound. Dropping an entry only
 * costs a backend call.
 *
 * @author rate-limit-spring-boot
 */
public final class OverLimitCachingRateLimiter implements DelegatingRateLimiter, AutoCloseable {

	/** The default bound on the number of remembered denials. */
	public static final int DEFAULT_MAX_ENTRIES = 10_000;

	private final RateLimiter delegate;

	private final Clock clock;

	private final int maxEntries;

	private final ConcurrentHashMap<Key, Denial> denials = new ConcurrentHashMap<>();

	/** Counts resets, so that a denial read before a reset is not remembered after it. */
	private final AtomicLong resets = new AtomicLong();

	private final ReentrantLock sweepLock = new ReentrantLock();

	/**
	 * Create a limiter on a monotonic clock holding at most {@value #DEFAULT_MAX_ENTRIES}
	 * denials.
	 * @param delegate the limiter whose denials to remember
	 */
	public OverLimitCachingRateLimiter(RateLimiter delegate) {
		this(delegate, DEFAULT_MAX_ENTRIES);
	}

	/**
	 * Create a limiter on a monotonic clock.
	 * @param delegate the limiter whose denials to remember
	 * @param maxEntries the most denials to hold, at least 1
	 */
	public OverLimitCachingRateLimiter(RateLimiter delegate, int maxEntries) {
		this(delegate, maxEntries, new MonotonicClock());
	}

	/**
	 * Create a limiter.
	 * @param delegate the limiter whose denials to remember
	 * @param maxEntries the most denials to hold, at least 1
	 * @param clock measures how long a denial holds. Only differences between its
	 * instants are used, so prefer a monotonic clock: a wall clock set back would stretch
	 * every entry
	 */
	public OverLimitCachingRateLimiter(RateLimiter delegate, int maxEntries, Clock clock) {
		Assert.notNull(delegate, "'delegate' must not be null");
		Assert.isTrue(maxEntries >= 1, "'maxEntries' must be at least 1");
		Assert.notNull(clock, "'clock' must not be null");
		this.delegate = delegate;
		this.maxEntries = maxEntries;
		this.clock = clock;
	}

	@Override
	public Decision check(RateLimitRequest request) {
		if (request.cost() == 0) {
			return this.delegate.check(request);
		}
		Key key = new Key(request);
		Denial denial = this.denials.get(key);
		if (denial != null) {
			long now = nowMicros();
			if (now < denial.untilMicros) {
				if (request.cost() >= denial.cost) {
					return denial.decisionAt(now);
				}
			}
			else {
				this.denials.remove(key, denial);
			}
		}
		long resets = this.resets.get();
		long start = nowMicros();
		Decision decision = this.delegate.check(request);
		if (isRemembered(decision)) {
			remember(key, new Denial(request.cost(), start, decision), resets);
		}
		return decision;
	}

	private static boolean isRemembered(Decision decision) {
		// Never a concurrency denial: it ends when any request in flight completes, which
		// no retry time predicts.
		return !decision.isAllowed() && !decision.isFallback() && !decision.isUnavailable()
				&& !decision.isConcurrencyDenied() && decision.binding() != null
				&& decision.retryAfter().compareTo(Duration.ZERO) > 0;
	}

	private void remember(Key key, Denial denial, long resets) {
		if (this.denials.size() >= this.maxEntries) {
			makeRoom(denial.recordedMicros);
		}
		this.denials.put(key, denial);
		if (this.resets.get() != resets) {
			// A reset ran while the delegate decided: the denial may predate it.
			this.denials.remove(key, denial);
		}
	}

	private void makeRoom(long now) {
		if (!this.sweepLock.tryLock()) {
			return;
		}
		try {
			this.denials.values().removeIf((denial) -> now >= denial.untilMicros);
			int target = Math.max(0, this.maxEntries - Math.max(1, this.maxEntries / 4));
			Iterator<Denial> entries = this.denials.values().iterator();
			while (this.denials.size() > target && entries.hasNext()) {
				entries.next();
				entries.remove();
			}
		}
		finally {
			this.sweepLock.unlock();
		}
	}

	/**
	 * Reset the request's limits in the delegate and forget every denial of its scope.
	 * @param request names the scope, operation and limits to reset
	 */
	@Override
	public void reset(RateLimitRequest request) {
		this.resets.incrementAndGet();
		try {
			this.delegate.reset(request);
		}
		finally {
			forget(request.scope());
		}
	}

	/**
	 * Forget every denial of a scope, e.g. because another instance reset its limits: a
	 * denial remembered here would otherwise outlive the reset.
	 * @param scope the scope
	 */
	public void forget(String scope) {
		this.resets.incrementAndGet();
		this.denials.keySet().removeIf((key) -> key.scope.equals(scope));
	}

	/**
	 * The number of denials held, including expired ones not dropped yet.
	 * @return the number of entries
	 */
	public int size() {
		return this.denials.size();
	}

	/**
	 * Forget every remembered denial.
	 */
	public void clear() {
		this.resets.incrementAndGet();
		this.denials.clear();
	}

	@Override
	public RateLimiter getDelegate() {
		return this.delegate;
	}

	/**
	 * Close the delegate when it holds resources ({@link ResilientRateLimiter}'s
	 * executor).
	 * @throws Exception when closing the delegate fails
	 */
	@Override
	public void close() throws Exception {
		if (this.delegate instanceof AutoCloseable closeable) {
			closeable.close();
		}
	}

	private long nowMicros() {
		return Micros.now(this.clock);
	}

	@Override
	public String toString() {
		return "OverLimitCachingRateLimiter[delegate=" + this.delegate + ", entries=" + this.denials.size() + "/"
				+ this.maxEntries + "]";
	}

	/**
	 * Scope, operation and limits of a request; the hash is computed once.
	 */
	private static final class Key {

		private final String scope;

		private final String operation;

		private final List<LimitSpec> limits;

		private final List<RateLimitRequest> additional;

		private final int hash;

		Key(RateLimitRequest request) {
			this.scope = request.scope();
			this.operation = request.operation();
			this.limits = request.limits();
			this.additional = request.additional();
			this.hash = 31 * (31 * (31 * this.scope.hashCode() + this.operation.hashCode()) + this.limits.hashCode())
					+ this.additional.hashCode();
		}

		@Override
		public boolean equals(@Nullable Object other) {
			return this == other || (other instanceof Key key && this.hash == key.hash && this.scope.equals(key.scope)
					&& this.operation.equals(key.operation) && this.limits.equals(key.limits)
					&& this.additional.equals(key.additional));
		}

		@Override
		public int hashCode() {
			return this.hash;
		}

	}

	/**
	 * A denial from the delegate: for what cost, when it was asked, until when it holds.
	 */
	private static final class Denial {

		private final long cost;

		private final long recordedMicros;

		private final long untilMicros;

		private final List<LimitState> states;

		private final List<ScopeKind> scopes;

		/**
		 * The spent burst allowance of the denial, if it was consulted: the denial holds
		 * only until it refills ({@link Decision#retryAfter()} says so).
		 */
		private final @Nullable LimitState burst;

		Denial(long cost, long recordedMicros, Decision decision) {
			this.cost = cost;
			this.recordedMicros = recordedMicros;
			this.untilMicros = saturatedAdd(recordedMicros, Micros.of(decision.retryAfter()));
			this.states = decision.limits();
			this.scopes = decision.scopes();
			this.burst = decision.burstAllowance();
		}

		Decision decisionAt(long now) {
			long elapsed = now - this.recordedMicros;
			List<LimitState> states = new ArrayList<>(this.states.size());
			for (LimitState state : this.states) {
				states.add(shifted(state, elapsed));
			}
			LimitState burst = (this.burst != null) ? shifted(this.burst, elapsed) : null;
			return this.scopes.isEmpty() ? Decision.of(states, burst)
					: Decision.of(states, this.scopes, List.of(), burst);
		}

		private static LimitState shifted(LimitState state, long elapsed) {
			return LimitState.ofMicros(state.limit(), state.allowed(), state.remaining(),
					Micros.of(state.resetAfter()) - elapsed, Micros.of(state.retryAfter()) - elapsed);
		}

		private static long saturatedAdd(long a, long b) {
			long sum = a + b;
			return (((a ^ sum) & (b ^ sum)) < 0) ? Long.MAX_VALUE : sum;
		}

	}

	/**
	 * A clock that only moves forward at the pace of {@link System#nanoTime()}, whatever
	 * happens to the wall clock.
	 */
	private static final class MonotonicClock extends Clock {

		private final Instant origin = Instant.now();

		private final long originNanos = System.nanoTime();

		@Override
		public Instant instant() {
			return this.origin.plusNanos(System.nanoTime() - this.originNanos);
		}

		@Override
		public ZoneId getZone() {
			return ZoneOffset.UTC;
		}

		@Override
		public Clock withZone(ZoneId zone) {
			throw new UnsupportedOperationException("Only differences between instants are used");
		}

	}

}
