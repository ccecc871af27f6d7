package dev.ratelimit.resilience;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import dev.ratelimit.core.AsyncRateLimiter;
import dev.ratelimit.core.Decision;
import dev.ratelimit.core.DelegatingRateLimiter;
import dev.ratelimit.core.FleetSize;
import dev.ratelimit.core.LimitSpec;
import dev.ratelimit.core.RateLimitRequest;
import dev.ratelimit.core.RateLimiter;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

/**
 * A {@link RateLimiter} that keeps deciding when its primary limiter (Redis) cannot.
 * Every call to the primary is bounded in time and runs inside a Resilience4j
 * {@link CircuitBreaker}; a call that fails, stalls, or is not permitted because the
 * breaker is open is decided by the {@link FailureMode} instead, and the decision is
 * marked as a {@linkplain Decision#isFallback() fallback}. The breaker's half-open probes
 * bring traffic back to the primary by themselves once it answers again.
 * <p>
 * A Redis that accepts connections but never answers must cost a request at most the
 * timeout and its grace. A primary that {@linkplain AsyncRateLimiter#canCheckAsync()
 * checks asynchronously} (Redis on Lettuce) is waited for on the calling thread, and a
 * call that times out is cancelled, which cancels its Redis command. Any other primary
 * (Jedis, a limiter of the application) blocks, so it runs on a bounded executor: a
 * blocked client call cannot be abandoned from the calling thread, but the waiting for it
 * can. A call that times out there is cancelled, which interrupts the thread blocked on
 * it, so a hanging backend does not hold the executor's threads either. The hand-off to
 * that executor costs about a quarter of the throughput on a small machine, which is why
 * the asynchronous path is preferred.
 * <p>
 * <strong>Load is not an outage.</strong> The timeout bounds the primary's
 * <em>silence</em>, not one call: a check waits for as long as the primary keeps
 * answering other checks (a busy machine, a GC pause, a burst on a cold instance), and
 * gives up only when nothing at all has come back for the timeout (a frozen or
 * unreachable Redis, or one the client is reconnecting to) and a short grace confirms it.
 * Deciding a busy check by the failure mode would admit it against a local copy of the
 * limit, so waiting is what keeps the limit exact. A stall, and a broken connection
 * (refused, reset, closed, not connected), opens the breaker at once: the checks after it
 * fall back without waiting.
 * <p>
 * <strong>What the breaker counts.</strong> Only the primary's own outcomes: an exception
 * it throws and a stall are failures, an answer is a success. A check that never reached
 * the primary is decided by the failure mode without being counted: the executor was
 * saturated or shut down (a burst of checks, not a sign of a broken backend) or the
 * calling thread was interrupted (the caller's business, and its interrupt status is
 * kept).
 *
 * @author rate-limit-spring-boot
 */
public final class ResilientRateLimiter implements DelegatingRateLimiter, AutoCloseable {

	private static final Log logger = LogFactory.getLog(ResilientRateLimiter.class);

	private static final Duration MINIMUM_RETRY_AFTER = Duration.ofSeconds(1);

	private final RateLimiter primary;

	/**
	 * The primary when it can check without blocking, else {@code null}: its calls then
	 * run on the executor.
	 */
	private final @Nullable AsyncRateLimiter asyncPrimary;

	private final FailureMode failureMode;

	private final @Nullable RateLimiter local;

	/**
	 * How many instances share each limit, read on every fallback check: each enforces
	 * its {@linkplain LimitSpec#shareOf(int) share}.
	 */
	private final FleetSize fleetSize;

	private final CircuitBreaker circuitBreaker;

	private final ExecutorService executor;

	private final Duration timeout;

	private final PrimaryLiveness liveness;

	private final AtomicLong chargesDropped = new AtomicLong();

	/**
	 * When the breaker last opened ({@link System#nanoTime()}), to tell callers refused
	 * while it is open how long it stays so.
	 */
	private volatile long openedAtNanos;

	/**
	 * Why this limiter last opened the breaker itself, for the log.
	 */
	private volatile @Nullable String openReason;

	/**
	 * The breaker's state as this limiter last saw it. Transitions are noticed by looking
	 * during each check rather than by subscribing to the breaker's events: once anything
	 * subscribes to any of them, Resilience4j builds and dispatches an event, with a
	 * {@code ZonedDateTime}, for every successful call (about 2µs of every allowed
	 * request under load).
	 */
	private final AtomicReference<CircuitBreaker.State> knownState;

	private final List<Consumer<Throwable>> backendErrorListeners = new CopyOnWriteArrayList<>();

	/**
	 * Create a limiter for a fleet of a fixed size.
	 * @param primary the limiter to call while it answers
	 * @param failureMode what decides when the primary cannot
	 * @param local the limiter for {@link FailureMode#LOCAL}; required in that mode, else
	 * unused
	 * @param instances in {@link FailureMode#LOCAL}, the number of instances that share
	 * each limit: each enforces {@linkplain LimitSpec#shareOf(int) its share} of it
	 * @param circuitBreaker the breaker around the primary
	 * @param executor runs calls to a primary that cannot check asynchronously, and
	 * resets; a rejected call is decided by the failure mode. Owned by this limiter:
	 * {@link #close()} shuts it down
	 * @param timeout the longest a request waits for the primary
	 */
	public ResilientRateLimiter(RateLimiter primary, FailureMode failureMode, @Nullable RateLimiter local,
			int instances, CircuitBreaker circuitBreaker, ExecutorService executor, Duration timeout) {
		this(primary, failureMode, local, FleetSize.fixed(instances), circuitBreaker, executor, timeout);
	}

	/**
	 * Create a limiter.
	 * @param primary the limiter to call while it answers
	 * @param failureMode what decides when the primary cannot
	 * @param local the limiter for {@link FailureMode#LOCAL}; required in that mode, else
	 * unused
	 * @param fleetSize in {@link FailureMode#LOCAL}, how many instances share each limit,
	 * read on every fallback check (a fleet that counts itself while the primary
	 * answers): each instance enforces {@linkplain LimitSpec#shareOf(int) its share} of
	 * it
	 * @param circuitBreaker the breaker around the primary
	 * @param executor runs calls to a primary that cannot check asynchronously, and
	 * resets; a rejected call is decided by the failure mode. Owned by this limiter:
	 * {@link #close()} shuts it down
	 * @param timeout the longest a request waits for the primary
	 */
	public ResilientRateLimiter(RateLimiter primary, FailureMode failureMode, @Nullable RateLimiter local,
			FleetSize fleetSize, CircuitBreaker circuitBreaker, ExecutorService executor, Duration timeout) {
		Assert.isTrue(failureMode != FailureMode.LOCAL || local != null, "'local' is required in LOCAL mode");
		Assert.notNull(fleetSize, "'fleetSize' must not be null");
		Assert.isTrue(timeout.compareTo(Duration.ZERO) > 0, "'timeout' must be positive");
		this.primary = primary;
		this.asyncPrimary = (primary instanceof AsyncRateLimiter async && async.canCheckAsync()) ? async : null;
		this.failureMode = failureMode;
		this.local = local;
		this.fleetSize = fleetSize;
		this.circuitBreaker = circuitBreaker;
		this.executor = executor;
		this.timeout = timeout;
		this.liveness = new PrimaryLiveness(timeout);
		this.openedAtNanos = System.nanoTime();
		this.knownState = new AtomicReference<>(circuitBreaker.getState());
	}

	/**
	 * Be told of every call to the primary that failed or timed out.
	 * @param listener called with the failure, on the thread that saw it
	 */
	public void addBackendErrorListener(Consumer<Throwable> listener) {
		Assert.notNull(listener, "'listener' must not be null");
		this.backendErrorListeners.add(listener);
	}

	/**
	 * Act on a change of the breaker's state since this limiter last looked, once,
	 * whichever thread sees it first. A change made between two checks (the breaker's own
	 * timer half-opening it, an operator forcing a state) is seen by the next check.
	 */
	private void noticeTransition() {
		CircuitBreaker.State state = this.circuitBreaker.getState();
		CircuitBreaker.State known = this.knownState.get();
		if (state != known && this.knownState.compareAndSet(known, state)) {
			onStateTransition(known, state);
		}
	}

	private void onStateTransition(CircuitBreaker.State from, CircuitBreaker.State to) {
		if (to == CircuitBreaker.State.OPEN) {
			this.openedAtNanos = System.nanoTime();
		}
		// Seen from closed, a breaker that opened may already be half open.
		if (from == CircuitBreaker.State.CLOSED
				&& (to == CircuitBreaker.State.OPEN || to == CircuitBreaker.State.HALF_OPEN)) {
			String reason = this.openReason;
			this.openReason = null;
			logger.warn(
					"Rate limit backend " + this.primary + " is failing" + ((reason != null) ? " (" + reason + ")" : "")
							+ "; checks are decided by failure mode " + this.failureMode
							+ " until it answers again (circuit breaker '" + this.circuitBreaker.getName() + "' open)");
		}
		else if (to == CircuitBreaker.State.CLOSED
				&& (from == CircuitBreaker.State.HALF_OPEN || from == CircuitBreaker.State.OPEN)) {
			logger.info("Rate limit backend " + this.primary + " answers again; checks are back on it");
		}
		else if (logger.isDebugEnabled()) {
			logger.debug("Circuit breaker '" + this.circuitBreaker.getName() + "': from " + from + " to " + to);
		}
	}

	@Override
	public Decision check(RateLimitRequest request) {
		if (Thread.currentThread().isInterrupted()) {
			// The caller's business, not the backend's: neither call it nor count it.
			return fallback(request);
		}
		if (!this.circuitBreaker.tryAcquirePermission()) {
			return fallback(request);
		}
		// The permission may have half-opened the breaker: a probe that fails then opens
		// it again, which must be seen as an opening.
		noticeTransition();
		long start = this.circuitBreaker.getCurrentTimestamp();
		long sentNanos = System.nanoTime();
		Future<Decision> call;
		try {
			call = call(request);
		}
		catch (RejectedExecutionException ex) {
			this.circuitBreaker.releasePermission();
			return fallback(request);
		}
		catch (RuntimeException ex) {
			// Only an asynchronous primary runs on this thread: its own failure.
			onFailure(start, ex);
			return fallback(request);
		}
		try {
			Decision decision = this.liveness.await(call, sentNanos);
			this.circuitBreaker.onResult(elapsedSince(start), this.circuitBreaker.getTimestampUnit(), decision);
			// An answer may close a half-open breaker, or open one on slow calls; every
			// other way out of a check is decided by fallback(), which looks too.
			noticeTransition();
			return decision;
		}
		catch (TimeoutException ex) {
			call.cancel(true);
			if (ex instanceof PrimaryLiveness.Stall stall) {
				// Nothing came back for the timeout: the checks after this one would only
				// wait too.
				open("it has answered nothing for " + stall.silentMillis() + "ms");
			}
			onFailure(start, new RateLimiterTimeoutException(this.timeout));
			return fallback(request);
		}
		catch (ExecutionException ex) {
			onFailure(start, (ex.getCause() != null) ? ex.getCause() : ex);
			return fallback(request);
		}
		catch (InterruptedException ex) {
			call.cancel(true);
			this.circuitBreaker.releasePermission();
			Thread.currentThread().interrupt();
			return fallback(request);
		}
		catch (RuntimeException | Error ex) {
			// Not from the primary (that arrives wrapped): release the permission, or a
			// half-open breaker would wait for an outcome that never comes.
			call.cancel(true);
			this.circuitBreaker.releasePermission();
			throw ex;
		}
	}

	/**
	 * Count a failure of the primary. A broken connection opens the breaker at once: the
	 * next checks would only wait for it too.
	 */
	private void onFailure(long start, Throwable failure) {
		this.circuitBreaker.onError(elapsedSince(start), this.circuitBreaker.getTimestampUnit(), failure);
		for (Consumer<Throwable> listener : this.backendErrorListeners) {
			listener.accept(failure);
		}
		if (ConnectionFailures.isConnectionFailure(failure)) {
			open("its connection failed (" + failure + ")");
		}
	}

	private void open(String reason) {
		CircuitBreaker.State state = this.circuitBreaker.getState();
		if (state != CircuitBreaker.State.CLOSED && state != CircuitBreaker.State.HALF_OPEN) {
			return;
		}
		this.openReason = reason;
		try {
			this.circuitBreaker.transitionToOpenState();
		}
		catch (IllegalStateException ex) {
			// Another check opened it first, or an operator forced a state.
		}
	}

	/**
	 * Start a call to the primary: on the calling thread when it answers asynchronously
	 * (no hand-off between threads), else on the executor.
	 */
	private Future<Decision> call(RateLimitRequest request) {
		if (this.asyncPrimary == null) {
			return this.executor.submit(() -> {
				try {
					Decision decision = this.primary.check(request);
					this.liveness.answered(null);
					return decision;
				}
				catch (RuntimeException ex) {
					if (!Thread.currentThread().isInterrupted()) {
						// Interrupted: cancelled after a timeout, not answered.
						this.liveness.answered(ex);
					}
					throw ex;
				}
			});
		}
		if (this.executor.isShutdown()) {
			throw new RejectedExecutionException("closed");
		}
		CompletableFuture<Decision> call = this.asyncPrimary.checkAsync(request);
		call.whenComplete((decision, failure) -> this.liveness.answered(failure));
		return call;
	}

	private long elapsedSince(long start) {
		return this.circuitBreaker.getCurrentTimestamp() - start;
	}

	private Decision fallback(RateLimitRequest request) {
		// The breaker may have opened just now: the Retry-After of DENY counts from then.
		noticeTransition();
		return switch (this.failureMode) {
			case LOCAL -> this.local.check(localShare(request)).asFallback();
			case ALLOW -> Decision.unlimited().asFallback();
			case DENY -> Decision.unavailable(retryAfterWhileUnavailable());
		};
	}

	/**
	 * This instance's share of the request's limits, for the fleet's size now: rounded
	 * down, so that the instances on the fallback together admit at most each limit (at
	 * least one unit each where a limit is smaller than the fleet).
	 */
	private RateLimitRequest localShare(RateLimitRequest request) {
		int instances = this.fleetSize.instances();
		if (instances <= 1) {
			return request;
		}
		return request.mapLimits((limit) -> limit.shareOf(instances));
	}

	/**
	 * Charge through the primary, in the failure mode's terms: while the circuit breaker
	 * is open the charge is dropped (the local fallback keeps no budgets), and a charge
	 * waits on Redis no longer than a check's timeout, then is dropped too. Never throws;
	 * {@link #chargesDropped()} counts what was lost.
	 * @param request the admitted request
	 * @param micros the amount per budget name, in micro-units
	 */
	@Override
	public void charge(RateLimitRequest request, Map<String, Long> micros) {
		if (this.circuitBreaker.getState() == CircuitBreaker.State.OPEN || this.executor.isShutdown()) {
			this.chargesDropped.incrementAndGet();
			return;
		}
		Future<?> charge;
		try {
			charge = this.executor.submit(() -> this.primary.charge(request, micros));
		}
		catch (RejectedExecutionException ex) {
			this.chargesDropped.incrementAndGet();
			return;
		}
		try {
			charge.get(this.timeout.toNanos(), TimeUnit.NANOSECONDS);
		}
		catch (TimeoutException ex) {
			charge.cancel(true);
			this.chargesDropped.incrementAndGet();
		}
		catch (InterruptedException ex) {
			charge.cancel(true);
			this.chargesDropped.incrementAndGet();
			Thread.currentThread().interrupt();
		}
		catch (ExecutionException ex) {
			this.chargesDropped.incrementAndGet();
		}
	}

	/**
	 * How many charges were dropped because Redis could not take them (the circuit
	 * breaker was open, or the call failed or timed out).
	 * @return the count since startup
	 */
	public long chargesDropped() {
		return this.chargesDropped.get();
	}

	/**
	 * Release a decision's leases where they were taken: in the local limiter for a
	 * fallback decision, else in the primary. Never throws, and never waits for the
	 * primary longer than the timeout of a check: a release that fails or takes longer,
	 * or comes while the breaker is open (Redis is known to be down), is dropped, and the
	 * primary's leases expire by themselves within the lease timeout.
	 * @param decision a decision of this limiter
	 */
	@Override
	public void release(Decision decision) {
		if (decision.leases().isEmpty()) {
			return;
		}
		if (decision.isFallback()) {
			if (this.local != null) {
				this.local.release(decision);
			}
			return;
		}
		if (this.circuitBreaker.getState() == CircuitBreaker.State.OPEN || this.executor.isShutdown()) {
			return;
		}
		Future<?> release;
		try {
			release = this.executor.submit(() -> this.primary.release(decision));
		}
		catch (RejectedExecutionException ex) {
			return;
		}
		try {
			release.get(this.timeout.toNanos(), TimeUnit.NANOSECONDS);
		}
		catch (TimeoutException ex) {
			release.cancel(true);
		}
		catch (InterruptedException ex) {
			release.cancel(true);
			Thread.currentThread().interrupt();
		}
		catch (ExecutionException ex) {
			// A release must never fail the request; the lease frees itself at its
			// expiry.
		}
	}

	/**
	 * How many instances share each limit, by which the local fallback divides it.
	 * @return the fleet size
	 */
	public FleetSize getFleetSize() {
		return this.fleetSize;
	}

	/**
	 * How long a caller refused while failing closed should wait: while the breaker is
	 * open, until it lets the next probe through; otherwise (one failed call, probes in
	 * flight) a second.
	 */
	private Duration retryAfterWhileUnavailable() {
		CircuitBreaker.State state = this.circuitBreaker.getState();
		if (state != CircuitBreaker.State.OPEN && state != CircuitBreaker.State.FORCED_OPEN) {
			return MINIMUM_RETRY_AFTER;
		}
		Duration openFor = Duration
			.ofMillis(this.circuitBreaker.getCircuitBreakerConfig().getWaitIntervalFunctionInOpenState().apply(1));
		Duration left = (state == CircuitBreaker.State.OPEN)
				? openFor.minusNanos(System.nanoTime() - this.openedAtNanos) : openFor;
		return (left.compareTo(MINIMUM_RETRY_AFTER) > 0) ? left : MINIMUM_RETRY_AFTER;
	}

	/**
	 * Forget what the request's scope consumed, in the local limiter and in the primary.
	 * The primary is given the timeout as well; not decided by the failure mode, a
	 * failure is thrown.
	 * @param request names the scope, operation and limits to reset
	 * @throws RateLimiterTimeoutException when the primary does not answer in time
	 */
	@Override
	public void reset(RateLimitRequest request) {
		if (this.local != null) {
			this.local.reset(localShare(request));
		}
		await(this.executor.submit((Callable<@Nullable Void>) () -> {
			this.primary.reset(request);
			return null;
		}));
	}

	private void await(Future<?> call) {
		try {
			call.get(this.timeout.toNanos(), TimeUnit.NANOSECONDS);
		}
		catch (TimeoutException ex) {
			call.cancel(true);
			throw new RateLimiterTimeoutException(this.timeout);
		}
		catch (ExecutionException ex) {
			if (ex.getCause() instanceof RuntimeException cause) {
				throw cause;
			}
			throw new IllegalStateException("The rate limiter backend failed", ex.getCause());
		}
		catch (InterruptedException ex) {
			call.cancel(true);
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while waiting for the rate limiter backend", ex);
		}
	}

	/**
	 * Whether checks are currently decided by the failure mode: the breaker is not
	 * closed.
	 * @return {@code true} while on the fallback
	 */
	public boolean isOnFallback() {
		CircuitBreaker.State state = this.circuitBreaker.getState();
		return state == CircuitBreaker.State.OPEN || state == CircuitBreaker.State.HALF_OPEN
				|| state == CircuitBreaker.State.FORCED_OPEN;
	}

	/**
	 * The primary limiter.
	 * @return the limiter called while it answers
	 */
	@Override
	public RateLimiter getDelegate() {
		return this.primary;
	}

	public FailureMode getFailureMode() {
		return this.failureMode;
	}

	public CircuitBreaker getCircuitBreaker() {
		return this.circuitBreaker;
	}

	public Duration getTimeout() {
		return this.timeout;
	}

	/**
	 * Stop the executor that calls the primary, interrupting calls in flight. Checks made
	 * afterwards are decided by the failure mode.
	 */
	@Override
	public void close() {
		this.executor.shutdownNow();
	}

	@Override
	public String toString() {
		return "ResilientRateLimiter[primary=" + this.primary + ", failureMode=" + this.failureMode + ", breaker="
				+ this.circuitBreaker.getState() + "]";
	}

	/**
	 * Thrown when the primary did not answer within the timeout.
	 */
	public static final class RateLimiterTimeoutException extends RuntimeException {

		RateLimiterTimeoutException(Duration timeout) {
			super("The rate limiter backend did not answer within " + timeout.toMillis() + "ms", null, false, false);
		}

	}

}
