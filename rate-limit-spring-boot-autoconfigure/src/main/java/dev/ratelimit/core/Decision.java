package dev.ratelimit.core;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * What the limiter decided for one request, with the state of every limit that was
 * checked.
 *
 * @author rate-limit-spring-boot
 */
public final class Decision {

	private static final Decision UNLIMITED = new Decision(true, List.of(), null, false, null);

	private static final Comparator<LimitState> MOST_RESTRICTIVE_ALLOWED = Comparator
		.comparingLong(LimitState::remaining)
		.thenComparing(LimitState::resetAfter, Comparator.reverseOrder());

	private static final Comparator<LimitState> LONGEST_WAIT = Comparator.comparing(LimitState::retryAfter).reversed();

	private final boolean allowed;

	private final List<LimitState> limits;

	private final @Nullable LimitState binding;

	private final boolean fallback;

	private final @Nullable Duration unavailableRetryAfter;

	private Decision(boolean allowed, List<LimitState> limits, @Nullable LimitState binding, boolean fallback,
			@Nullable Duration unavailableRetryAfter) {
		this.allowed = allowed;
		this.limits = limits;
		this.binding = binding;
		this.fallback = fallback;
		this.unavailableRetryAfter = unavailableRetryAfter;
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
		return new Decision(allowed, List.copyOf(limits), binding, false, null);
	}

	/**
	 * The decision when the limiter cannot decide and is configured to fail closed: the
	 * request is refused as unavailable (not as over its limit) and may be retried after
	 * the given wait.
	 * @param retryAfter how long the caller should wait
	 * @return a denied fallback decision with no limits
	 */
	public static Decision unavailable(Duration retryAfter) {
		return new Decision(false, List.of(), null, true, retryAfter);
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
		return this.fallback ? this
				: new Decision(this.allowed, this.limits, this.binding, true, this.unavailableRetryAfter);
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
	 * How long the caller should wait before retrying.
	 * @return the wait, zero when allowed
	 */
	public Duration retryAfter() {
		if (this.unavailableRetryAfter != null) {
			return this.unavailableRetryAfter;
		}
		return (this.allowed || this.binding == null) ? Duration.ZERO : this.binding.retryAfter();
	}

	@Override
	public String toString() {
		return "Decision[allowed=" + this.allowed + ", binding=" + this.binding + ((this.fallback) ? ", fallback" : "")
				+ ((this.unavailableRetryAfter != null) ? ", unavailable" : "") + "]";
	}

}
