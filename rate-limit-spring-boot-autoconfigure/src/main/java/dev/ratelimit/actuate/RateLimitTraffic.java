package dev.ratelimit.actuate;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

import dev.ratelimit.core.Decision;
import dev.ratelimit.policy.KeyType;
import dev.ratelimit.web.Identity;
import dev.ratelimit.web.RateLimitListener;
import dev.ratelimit.web.ResolvedRequest;
import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;

/**
 * Records what the rate limit filter decides, for the {@code ratelimits} endpoint, in
 * bounded memory whatever the number of callers:
 * <ul>
 * <li>counts per tier and operation since startup ({@link LongAdder}s: no lock);</li>
 * <li>the heaviest callers, by requests and by denials, over a recent window: the window
 * is split into five rotating slices, each with a {@link HeavyHitters} sketch of a fixed
 * number of counters per measure, so at most {@code 10 × counters} callers are held
 * (under one short lock);</li>
 * <li>the tier each recently seen caller was on, in a fixed-size table where a newer
 * caller may take an older one's slot.</li>
 * </ul>
 * Callers are known only by their hashed scope ({@code u:3fa9…}), never by a raw key or
 * user id.
 *
 * @author rate-limit-spring-boot
 */
public final class RateLimitTraffic implements RateLimitListener {

	private static final int SLICES = 5;

	private static final int OBSERVED_TIERS = 4096;

	private final Clock clock;

	private final Duration window;

	private final long sliceMillis;

	private final int counters;

	private final Instant since;

	private final PerTierOperation<Counters> counts = new PerTierOperation<>((tier, operation) -> new Counters());

	private final Slice[] slices;

	private final AtomicReferenceArray<ObservedTier> observedTiers = new AtomicReferenceArray<>(OBSERVED_TIERS);

	/**
	 * Create a recorder.
	 * @param clock the clock that decides which slice of the window a request falls in
	 * @param window how far back the top callers reach, at least 5ms
	 * @param counters the counters of each sketch: how many distinct callers one slice
	 * tracks per measure before counts turn approximate
	 */
	public RateLimitTraffic(Clock clock, Duration window, int counters) {
		if (window.toMillis() < SLICES) {
			throw new IllegalArgumentException("window must be at least " + SLICES + "ms, was " + window);
		}
		this.clock = clock;
		this.window = window;
		this.sliceMillis = window.toMillis() / SLICES;
		this.counters = counters;
		this.since = clock.instant();
		this.slices = new Slice[SLICES];
		for (int i = 0; i < SLICES; i++) {
			this.slices[i] = new Slice(counters);
		}
	}

	@Override
	public void onDecision(HttpServletRequest request, ResolvedRequest resolved, Decision decision, long checkNanos) {
		String tier = resolved.tier().name();
		counters(resolved).record(decision, resolved.isShadowed(decision));
		Identity identity = resolved.identity();
		if (resolved.operation().key() == KeyType.GLOBAL) {
			return;
		}
		String scope = identity.scope();
		boolean denied = !decision.isAllowed() && !decision.isUnavailable();
		long slice = this.clock.millis() / this.sliceMillis;
		Slice current = this.slices[(int) (slice % SLICES)];
		synchronized (current) {
			current.rotateTo(slice);
			current.requests.add(scope, tier, 1);
			if (denied) {
				current.denials.add(scope, tier, 1);
			}
		}
		if (resolved.operation().key() == KeyType.IDENTITY && resolved.isOwnTier()) {
			observe(scope, tier);
		}
	}

	private Counters counters(ResolvedRequest resolved) {
		return this.counts.get(resolved.tier().name(), resolved.operation().name());
	}

	private void observe(String scope, String tier) {
		int index = (scope.hashCode() & 0x7fffffff) % OBSERVED_TIERS;
		ObservedTier current = this.observedTiers.get(index);
		// Written only when it changes, so a busy caller costs a read, not an allocation.
		if (current == null || !current.scope().equals(scope) || !current.tier().equals(tier)) {
			this.observedTiers.set(index, new ObservedTier(scope, tier));
		}
	}

	/**
	 * The tier a caller was last seen on, on its own tier (not one an override put it
	 * on).
	 * @param scope the caller's scope
	 * @return the tier name, or {@code null} when the caller was not seen recently
	 */
	public @Nullable String observedTier(String scope) {
		ObservedTier observed = this.observedTiers.get((scope.hashCode() & 0x7fffffff) % OBSERVED_TIERS);
		return (observed != null && observed.scope().equals(scope)) ? observed.tier() : null;
	}

	/**
	 * When recording started.
	 * @return the time of startup
	 */
	public Instant since() {
		return this.since;
	}

	/**
	 * How far back {@link #topCallers(int)} reaches.
	 * @return the window
	 */
	public Duration window() {
		return this.window;
	}

	/**
	 * The counts per tier and operation since startup.
	 * @return the counts, by tier name and operation name
	 */
	public Map<String, Map<String, Counts>> counts() {
		Map<String, Map<String, Counts>> counts = new HashMap<>();
		this.counts.forEach((tier, operation, counters) -> counts.computeIfAbsent(tier, (key) -> new HashMap<>())
			.put(operation, counters.snapshot()));
		return counts;
	}

	/**
	 * The heaviest callers of the recent window.
	 * @param limit how many callers each list holds at most
	 * @return the top callers
	 */
	public TopCallers topCallers(int limit) {
		long current = this.clock.millis() / this.sliceMillis;
		Map<String, Caller> callers = new HashMap<>();
		long requestsError = 0;
		long denialsError = 0;
		// Oldest slice first, so the tier of the latest slice wins.
		for (long slice = current - SLICES + 1; slice <= current; slice++) {
			if (slice < 0) {
				continue;
			}
			Slice candidate = this.slices[(int) (slice % SLICES)];
			synchronized (candidate) {
				if (candidate.slice != slice) {
					continue;
				}
				requestsError += candidate.requests.errorBound();
				denialsError += candidate.denials.errorBound();
				for (HeavyHitters.Entry entry : candidate.requests.entries()) {
					callers.merge(entry.key(), new Caller(entry.key(), entry.tier(), entry.count(), 0), Caller::plus);
				}
				for (HeavyHitters.Entry entry : candidate.denials.entries()) {
					callers.merge(entry.key(), new Caller(entry.key(), entry.tier(), 0, entry.count()), Caller::plus);
				}
			}
		}
		List<Caller> all = new ArrayList<>(callers.size());
		for (Caller caller : callers.values()) {
			// A caller whose requests lost their counter while its denials kept theirs.
			all.add((caller.requests() < caller.denied()) ? caller.withRequests(caller.denied()) : caller);
		}
		List<Caller> byDenials = all.stream()
			.filter((caller) -> caller.denied() > 0)
			.sorted(Comparator.comparingLong(Caller::denied).reversed().thenComparing(Caller::scope))
			.limit(limit)
			.toList();
		List<Caller> byRequests = all.stream()
			.sorted(Comparator.comparingLong(Caller::requests).reversed().thenComparing(Caller::scope))
			.limit(limit)
			.toList();
		return new TopCallers(this.window, this.counters, Math.max(requestsError, denialsError), byDenials, byRequests);
	}

	/**
	 * How many callers are held for the top callers right now: never more than
	 * {@code 10 × counters}.
	 * @return the number of counted callers over every slice and measure
	 */
	int trackedCallers() {
		int tracked = 0;
		for (Slice slice : this.slices) {
			synchronized (slice) {
				tracked += slice.requests.size() + slice.denials.size();
			}
		}
		return tracked;
	}

	/**
	 * The outcomes of one tier's requests of one operation.
	 *
	 * @param checks requests decided (every request that was not excluded)
	 * @param allowed requests let through, including those no limit applied to
	 * @param denied requests refused because they were over a limit (429)
	 * @param shadowed requests over a limit let through by the operation's shadow mode
	 * @param unavailable requests refused because no limiter could decide (503, failure
	 * mode {@code deny})
	 * @param fallback requests decided by the failure mode rather than by the backend
	 */
	public record Counts(long checks, long allowed, long denied, long shadowed, long unavailable, long fallback) {

		/**
		 * The share of checks that were denied.
		 * @return between 0 and 1
		 */
		public double denialRate() {
			return (this.checks > 0) ? (double) this.denied / this.checks : 0;
		}

		Counts plus(Counts other) {
			return new Counts(this.checks + other.checks, this.allowed + other.allowed, this.denied + other.denied,
					this.shadowed + other.shadowed, this.unavailable + other.unavailable,
					this.fallback + other.fallback);
		}

	}

	/**
	 * One of the heaviest callers.
	 *
	 * @param scope the caller's hashed scope
	 * @param tier the tier it was last seen on
	 * @param requests its requests in the window
	 * @param denied its denied requests in the window
	 */
	public record Caller(String scope, String tier, long requests, long denied) {

		Caller plus(Caller later) {
			return new Caller(this.scope, later.tier, this.requests + later.requests, this.denied + later.denied);
		}

		Caller withRequests(long requests) {
			return new Caller(this.scope, this.tier, requests, this.denied);
		}

	}

	/**
	 * The heaviest callers of the recent window.
	 *
	 * @param window how far back the counts reach
	 * @param counters the counters per sketch
	 * @param maxError how far any count may be off; zero when every count is exact (no
	 * slice saw more distinct callers than it has counters)
	 * @param byDenials the callers with the most denied requests
	 * @param byRequests the callers with the most requests
	 */
	public record TopCallers(Duration window, int counters, long maxError, List<Caller> byDenials,
			List<Caller> byRequests) {

	}

	private record ObservedTier(String scope, String tier) {

	}

	private static final class Counters {

		private final LongAdder allowed = new LongAdder();

		private final LongAdder denied = new LongAdder();

		private final LongAdder shadowed = new LongAdder();

		private final LongAdder unavailable = new LongAdder();

		private final LongAdder fallback = new LongAdder();

		void record(Decision decision, boolean shadowed) {
			if (decision.isAllowed()) {
				this.allowed.increment();
			}
			else if (shadowed) {
				this.shadowed.increment();
			}
			else if (decision.isUnavailable()) {
				this.unavailable.increment();
			}
			else {
				this.denied.increment();
			}
			if (decision.isFallback()) {
				this.fallback.increment();
			}
		}

		Counts snapshot() {
			long allowed = this.allowed.sum();
			long denied = this.denied.sum();
			long shadowed = this.shadowed.sum();
			long unavailable = this.unavailable.sum();
			return new Counts(allowed + denied + shadowed + unavailable, allowed, denied, shadowed, unavailable,
					this.fallback.sum());
		}

	}

	private static final class Slice {

		private final HeavyHitters requests;

		private final HeavyHitters denials;

		private long slice = -1;

		Slice(int counters) {
			this.requests = new HeavyHitters(counters);
			this.denials = new HeavyHitters(counters);
		}

		void rotateTo(long slice) {
			if (this.slice != slice) {
				this.requests.clear();
				this.denials.clear();
				this.slice = slice;
			}
		}

	}

}
