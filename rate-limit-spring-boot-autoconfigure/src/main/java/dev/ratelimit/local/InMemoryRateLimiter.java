package dev.ratelimit.local;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

import dev.ratelimit.core.Decision;
import dev.ratelimit.core.Lease;
import dev.ratelimit.core.LimitState;
import dev.ratelimit.core.Micros;
import dev.ratelimit.core.RateLimitRequest;
import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.core.ScopeKind;

/**
 * A {@link RateLimiter} that keeps its state in memory, with exactly the arithmetic of
 * the Redis limiter ({@code docs/algorithms.md}): for a single instance, for tests, and
 * as the fallback when Redis is unavailable.
 * <p>
 * <strong>Atomicity.</strong> All limits of a request share its scope, so a check locks
 * one of up to 256 lock stripes chosen by the scope's hash, evaluates every limit and
 * writes only when all allow. Checks of scopes on different stripes run in parallel;
 * there is no global lock.
 * <p>
 * <strong>Several scopes and leases.</strong> A request of several scopes (the caller's
 * and the global one) locks the stripes of all of them, always in the order of their
 * index so that two such checks never deadlock, and commits only when every limit of
 * every scope allows. Concurrency leases are held in memory until
 * {@linkplain #release(Decision) released}; they do not expire, because the process that
 * holds them is the one that releases them.
 * <p>
 * <strong>Memory.</strong> Every counter expires when the TTL of the specification would
 * expire its Redis key; by then a fresh counter behaves the same, so expiry never changes
 * a decision. Expired counters are dropped when next looked up and swept from a stripe
 * every 1024 checks of that stripe, or on demand with {@link #removeExpired()}. At most
 * {@code maxKeys} counters are kept: the bound is split evenly between the stripes (each
 * holds at least 64 keys, so small bounds mean fewer stripes), and a write into a full
 * stripe first drops its expired counters and then those that expire soonest, the ones
 * closest to their empty state. An evicted counter forgets what was consumed, so eviction
 * can only ever let more through, never block a caller wrongly; size {@code maxKeys} for
 * the number of active callers times their limits so that it does not happen.
 *
 * @author rate-limit-spring-boot
 */
public final class InMemoryRateLimiter implements RateLimiter {

	/** The default bound on the number of stored keys. */
	public static final int DEFAULT_MAX_KEYS = 100_000;

	private static final int MAX_STRIPES = 256;

	private static final int MIN_KEYS_PER_STRIPE = 64;

	private final Clock clock;

	private final Stripe[] stripes;

	private final AtomicLong leaseIds = new AtomicLong();

	/**
	 * Create a limiter on the system UTC clock holding at most {@value #DEFAULT_MAX_KEYS}
	 * keys.
	 */
	public InMemoryRateLimiter() {
		this(Clock.systemUTC());
	}

	/**
	 * Create a limiter holding at most {@value #DEFAULT_MAX_KEYS} keys.
	 * @param clock the clock to read the current time from
	 */
	public InMemoryRateLimiter(Clock clock) {
		this(clock, DEFAULT_MAX_KEYS);
	}

	/**
	 * Create a limiter.
	 * @param clock the clock to read the current time from
	 * @param maxKeys the most keys (one per scope, operation and limit) to hold, at least
	 * 1
	 */
	public InMemoryRateLimiter(Clock clock, int maxKeys) {
		this(clock, maxKeys, stripeCount(maxKeys));
	}

	InMemoryRateLimiter(Clock clock, int maxKeys, int stripeCount) {
		if (maxKeys < 1) {
			throw new IllegalArgumentException("maxKeys must be at least 1, was " + maxKeys);
		}
		if (stripeCount < 1 || stripeCount > maxKeys) {
			throw new IllegalArgumentException("stripeCount must be between 1 and " + maxKeys + ", was " + stripeCount);
		}
		this.clock = clock;
		this.stripes = new Stripe[stripeCount];
		for (int i = 0; i < stripeCount; i++) {
			this.stripes[i] = new Stripe(maxKeys / stripeCount + ((i < maxKeys % stripeCount) ? 1 : 0));
		}
	}

	private static int stripeCount(int maxKeys) {
		return Math.max(1, Math.min(MAX_STRIPES, maxKeys / MIN_KEYS_PER_STRIPE));
	}

	@Override
	public Decision check(RateLimitRequest request) {
		if (request.isSimple()) {
			return stripeFor(request.scope()).check(request, this::currentMicros);
		}
		List<RateLimitRequest> parts = request.scopes();
		TreeMap<Integer, Stripe> locked = new TreeMap<>();
		for (RateLimitRequest part : parts) {
			int index = stripeIndex(part.scope());
			locked.put(index, this.stripes[index]);
		}
		locked.values().forEach(Stripe::lock);
		try {
			long now = currentMicros();
			List<Stripe.Evaluation> evaluations = new ArrayList<>(parts.size());
			boolean allowed = true;
			for (RateLimitRequest part : parts) {
				Stripe.Evaluation evaluation = stripeFor(part.scope()).evaluate(part, now);
				allowed &= evaluation.allowed();
				evaluations.add(evaluation);
			}
			LimitState burst = allowed ? null : Stripe.consultBurst(evaluations, now);
			allowed |= burst != null && burst.allowed();
			List<Lease> leases = new ArrayList<>();
			if (allowed) {
				for (Stripe.Evaluation evaluation : evaluations) {
					stripeFor(evaluation.part().scope()).commit(evaluation, now,
							() -> "local:" + this.leaseIds.incrementAndGet(), leases);
				}
			}
			List<LimitState> states = new ArrayList<>();
			List<ScopeKind> scopes = new ArrayList<>();
			for (Stripe.Evaluation evaluation : evaluations) {
				states.addAll(evaluation.limitStates());
				ScopeKind kind = ScopeKind.of(evaluation.part().scope());
				evaluation.limitStates().forEach((state) -> scopes.add(kind));
			}
			return Decision.of(states, scopes, leases, burst);
		}
		finally {
			Stripe[] reversed = locked.descendingMap().values().toArray(new Stripe[0]);
			Arrays.stream(reversed).forEach(Stripe::unlock);
		}
	}

	@Override
	public void release(Decision decision) {
		for (Lease lease : decision.leases()) {
			stripeFor(lease.scope()).release(lease);
		}
	}

	/**
	 * How many leases are held for a scope and operation.
	 * @param scope the scope
	 * @param operation the canonical operation name
	 * @return the number of leases held
	 */
	public int heldLeases(String scope, String operation) {
		return stripeFor(scope).held(scope, operation);
	}

	@Override
	public void reset(RateLimitRequest request) {
		stripeFor(request.scope()).reset(request);
	}

	/**
	 * Remove every expired key now, rather than waiting for the periodic sweep.
	 */
	public void removeExpired() {
		for (Stripe stripe : this.stripes) {
			stripe.removeExpired(currentMicros());
		}
	}

	/**
	 * The number of keys held, including expired ones not swept yet. Under concurrent
	 * checks this is a snapshot that may already be out of date.
	 * @return the number of keys
	 */
	public int size() {
		int size = 0;
		for (Stripe stripe : this.stripes) {
			size += stripe.size();
		}
		return size;
	}

	private Stripe stripeFor(String scope) {
		return this.stripes[stripeIndex(scope)];
	}

	private int stripeIndex(String scope) {
		int hash = scope.hashCode();
		return Math.floorMod(hash ^ (hash >>> 16), this.stripes.length);
	}

	private long currentMicros() {
		return Micros.now(this.clock);
	}

}
