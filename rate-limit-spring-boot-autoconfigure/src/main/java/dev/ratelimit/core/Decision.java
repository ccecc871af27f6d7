package dev.ratelimit.core;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * What the limiter decided for one request, with the state of every limit that was
 * checked, the kind of scope of each, and the {@link Lease leases} an admitted request
 * holds.
 *
 * @author rate-limit-spring-boot
 */
public final class Decision {

	private static final Decision UNLIMITED = new Decision(true, List.of(), List.of(), null, false, null, List.of(),
			null);

	private static final Comparator<LimitState> MOST_RESTRICTIVE_ALLOWED = Comparator
		.comparingLong(LimitState::remaining)
		.thenComparing(LimitState::resetAfter, Comparator.reverseOrder());

	private static final Comparator<LimitState> LONGEST_WAIT = Comparator.comparing(LimitState::retryAfter).reversed();

	private final boolean allowed;

	private final List<LimitState> limits;

	private final @Nullable LimitState binding;

	private final List<ScopeKind> scopes;

	private final boolean fallback;

	private final @Nullable Duration unavailableRetryAfter;

	private final List<Lease> leases;

	/** The burst allowance's state when it was consulted, else {@code null}. */
	private final @Nullable LimitState burst;

	private Decision(boolean allowed, List<LimitState> limits, List<ScopeKind> scopes, @Nullable LimitState binding,
			boolean fallback, @Nullable Duration unavailableRetryAfter, List<Lease> leases,
			@Nullable LimitState burst) {
		this.allowed = allowed;
		this.limits = limits;
		this.scopes = scopes;
		this.binding = binding;
		this.fallback = fallback;
		this.unavailableRetryAfter = unavailableRetryAfter;
		this.leases = leases;
		this.burst = burst;
	}

	/**
	 * A decision over the given limit states: allowed only when every limit allows.
	 * @param limits the state of each limit that was checked
	 * @return the decision
	 */
	public static Decision of(List<LimitState> limits) {
		if (limits.isEmpty()) {
			return UNLIMITED;
		}
		boolean allowed = limits.stream().allMatch(LimitState::allowed);
		LimitState binding = allowed ? limits.stream().min(MOST_RESTRICTIVE_ALLOWED).orElseThrow()
				: limits.stream().filter((state) -> !state.allowed()).min(LONGEST_WAIT).orElseThrow();
		return new Decision(allowed, List.copyOf(limits), List.of(), binding, false, null, List.of(), null);
	}

	/**
	 * A decision of one scope over the given limit states and the state of the burst
	 * allowance, when the check consulted it (it does only when the rate limits deny).
	 * @param limits the state of each limit that was checked, without the allowance
	 * @param burst the allowance's state: allowed when it admitted the request;
	 * {@code null} when it was not consulted
	 * @return the decision: allowed when every limit allows or the allowance admitted
	 */
	public static Decision of(List<LimitState> limits, @Nullable LimitState burst) {
		return (burst != null) ? withBurst(of(limits), List.of(), burst) : of(limits);
	}

	/**
	 * A decision over the limit states of several scopes and the state of the burst
	 * allowance, when the check consulted it.
	 * @param limits the state of each limit that was checked, without the allowance
	 * @param scopes the kind of scope of each limit, in the same order
	 * @param leases the leases the request holds: empty unless it is allowed
	 * @param burst the allowance's state: allowed when it admitted the request;
	 * {@code null} when it was not consulted
	 * @return the decision: allowed when every limit allows or the allowance admitted
	 */
	public static Decision of(List<LimitState> limits, List<ScopeKind> scopes, List<Lease> leases,
			@Nullable LimitState burst) {
		if (burst == null) {
			return of(limits, scopes, leases);
		}
		return withBurst(of(limits, scopes, List.of()), leases, burst);
	}

	/**
	 * The rate limits denied; the allowance admitted the request, or was spent. Either
	 * way the binding limit stays the exhausted one, which is what the headers show.
	 */
	private static Decision withBurst(Decision denied, List<Lease> leases, LimitState burst) {
		if (denied.allowed || !burst.limit().isBurstAllowance()) {
			throw new IllegalArgumentException("a burst allowance is consulted only when the rate limits deny");
		}
		if (!burst.allowed() && !leases.isEmpty()) {
			throw new IllegalArgumentException("a denied request holds no lease");
		}
		return new Decision(burst.allowed(), denied.limits, denied.scopes, denied.binding, false, null,
				List.copyOf(leases), burst);
	}

	/**
	 * A decision over the limit states of several scopes: allowed only when every limit
	 * of every scope allows. When allowed, the binding limit is the rate limit with the
	 * fewest units left (a concurrency limit only when there is no rate limit), because
	 * that is what clients pace themselves by.
	 * @param limits the state of each limit that was checked
	 * @param scopes the kind of scope of each limit, in the same order
	 * @param leases the leases the request holds: empty unless it is allowed
	 * @return the decision
	 */
	public static Decision of(List<LimitState> limits, List<ScopeKind> scopes, List<Lease> leases) {
		if (limits.size() != scopes.size()) {
			throw new IllegalArgumentException("one scope per limit is required");
		}
		if (limits.isEmpty()) {
			return UNLIMITED;
		}
		boolean allowed = limits.stream().allMatch(LimitState::allowed);
		LimitState binding;
		if (allowed) {
			binding = limits.stream()
				.filter((state) -> !state.limit().isConcurrency() && !state.limit().isBudget())
				.min(MOST_RESTRICTIVE_ALLOWED)
				.orElseGet(() -> limits.stream().min(MOST_RESTRICTIVE_ALLOWED).orElseThrow());
		}
		else {
			binding = limits.stream().filter((state) -> !state.allowed()).min(LONGEST_WAIT).orElseThrow();
		}
		if (!allowed && !leases.isEmpty()) {
			throw new IllegalArgumentException("a denied request holds no lease");
		}
		return new Decision(allowed, List.copyOf(limits), List.copyOf(scopes), binding, false, null,
				List.copyOf(leases), null);
	}

	/**
	 * The decision when the limiter cannot decide and is configured to fail closed: the
	 * request is refused as unavailable (not as over its limit) and may be retried after
	 * the given wait.
	 * @param retryAfter how long the caller should wait
	 * @return a denied fallback decision with no limits
	 */
	public static Decision unavailable(Duration retryAfter) {
		return new Decision(false, List.of(), List.of(), null, true, retryAfter, List.of(), null);
	}

	/**
	 * The decision for a caller that no limit applies to.
	 * @return an allowed decision with no limits
	 */
	public static Decision unlimited() {
		return UNLIMITED;
	}

	/**
	 * This decision, marked as taken by a failure mode rather than by the primary
	 * backend.
	 * @return the same decision, marked as a fallback
	 */
	public Decision asFallback() {
		return this.fallback ? this : new Decision(this.allowed, this.limits, this.scopes, this.binding, true,
				this.unavailableRetryAfter, this.leases, this.burst);
	}

	/**
	 * The kind of scope whose limit decided: for a denial, the scope that denied.
	 * @return the binding limit's scope, {@link ScopeKind#CALLER} when the decision does
	 * not know its scopes, {@code null} when no limit applied
	 */
	public @Nullable ScopeKind scope() {
		if (this.binding == null) {
			return null;
		}
		return scopeOf(this.binding);
	}

	/**
	 * The kind of scope of one of this decision's limit states.
	 * @param state one of {@link #limits()}
	 * @return its scope's kind, {@link ScopeKind#CALLER} when the decision does not know
	 * its scopes
	 */
	public ScopeKind scopeOf(LimitState state) {
		if (this.scopes.isEmpty()) {
			return ScopeKind.CALLER;
		}
		for (int i = 0; i < this.limits.size(); i++) {
			if (this.limits.get(i) == state) {
				return this.scopes.get(i);
			}
		}
		return ScopeKind.CALLER;
	}

	/**
	 * The kind of scope of each limit state, in the order of {@link #limits()}.
	 * @return the kinds, empty when the decision does not know its scopes (one scope)
	 */
	public List<ScopeKind> scopes() {
		return this.scopes;
	}

	/**
	 * Whether the request is denied because a budget is spent: it is admitted again when
	 * the budget's window resets.
	 * @return {@code true} for a budget denial
	 */
	public boolean isBudgetDenied() {
		return !this.allowed && this.binding != null && this.binding.limit().isBudget();
	}

	/**
	 * Whether the request is denied because too many requests are in flight (a
	 * concurrency limit), which frees as soon as one of them completes, rather than
	 * because it is over a rate.
	 * @return {@code true} for a concurrency denial
	 */
	public boolean isConcurrencyDenied() {
		return !this.allowed && this.binding != null && this.binding.limit().isConcurrency();
	}

	/**
	 * The leases the admitted request holds until it is
	 * {@linkplain RateLimiter#release(Decision) released}.
	 * @return the leases, empty when none
	 */
	public List<Lease> leases() {
		return this.leases;
	}

	/**
	 * Whether the request was admitted from its burst allowance: its rate limits denied
	 * it, and the allowance had units left.
	 * @return {@code true} when the allowance admitted the request
	 */
	public boolean isBurstUsed() {
		return this.allowed && this.burst != null;
	}

	/**
	 * The state of the burst allowance when the check consulted it: when the rate limits
	 * denied the request and nothing but rate limits did.
	 * @return the allowance's state (allowed when it admitted the request), or
	 * {@code null} when it was not consulted
	 */
	public @Nullable LimitState burstAllowance() {
		return this.burst;
	}

	/**
	 * Whether a failure mode took this decision because the primary backend could not.
	 * @return {@code true} for a fallback decision
	 */
	public boolean isFallback() {
		return this.fallback;
	}

	/**
	 * Whether the request is refused because no limiter could decide (fail closed),
	 * rather than because it is over a limit.
	 * @return {@code true} for an unavailable decision
	 */
	public boolean isUnavailable() {
		return this.unavailableRetryAfter != null;
	}

	public boolean isAllowed() {
		return this.allowed;
	}

	/**
	 * Whether no limit applied at all.
	 * @return {@code true} for an unlimited decision
	 */
	public boolean isUnlimited() {
		return this.binding == null && this.allowed;
	}

	/**
	 * The limit that decided: when denied, the denied limit that asks for the longest
	 * wait; when allowed, the limit with the fewest units left.
	 * @return the binding limit, or {@code null} when unlimited
	 */
	public @Nullable LimitState binding() {
		return this.binding;
	}

	public List<LimitState> limits() {
		return this.limits;
	}

	/**
	 * How long the caller should wait before retrying: for a denial whose spent burst
	 * allowance refills before the binding limit does, until the allowance refills.
	 * @return the wait, zero when allowed
	 */
	public Duration retryAfter() {
		if (this.unavailableRetryAfter != null) {
			return this.unavailableRetryAfter;
		}
		if (this.allowed || this.binding == null) {
			return Duration.ZERO;
		}
		Duration retryAfter = this.binding.retryAfter();
		LimitState burst = this.burst;
		return (burst != null && burst.retryAfter().compareTo(retryAfter) < 0) ? burst.retryAfter() : retryAfter;
	}

	@Override
	public String toString() {
		return "Decision[allowed=" + this.allowed + ", binding=" + this.binding
				+ ((this.scopes.isEmpty() || this.binding == null) ? "" : ", scope=" + scope().value())
				+ ((this.leases.isEmpty()) ? "" : ", leases=" + this.leases.size())
				+ ((this.burst == null) ? "" : ", burst=" + (this.allowed ? "used" : "spent"))
				+ ((this.fallback) ? ", fallback" : "") + ((this.unavailableRetryAfter != null) ? ", unavailable" : "")
				+ "]";
	}

}
