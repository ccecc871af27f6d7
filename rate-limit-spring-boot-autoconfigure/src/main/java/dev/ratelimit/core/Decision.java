package dev.ratelimit.core;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * What the limiter decided for one request, with the state of every limit that was checked.
 *
 * @author rate-limit-spring-boot
 */
public final class Decision {

	private static final Decision UNLIMITED = new Decision(true, List.of(), null);

	private static final Comparator<LimitState> MOST_RESTRICTIVE_ALLOWED = Comparator
		.comparingLong(LimitState::remaining)
		.thenComparing(LimitState::resetAfter, Comparator.reverseOrder());

	private static final Comparator<LimitState> LONGEST_WAIT = Comparator.comparing(LimitState::retryAfter)
		.reversed();

	private final boolean allowed;

	private final List<LimitState> limits;

	private final @Nullable LimitState binding;

	private Decision(boolean allowed, List<LimitState> limits, @Nullable LimitState binding) {
		this.allowed = allowed;
		this.limits = limits;
		this.binding = binding;
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
		return new Decision(allowed, List.copyOf(limits), binding);
	}

	/**
	 * The decision for a caller that no limit applies to.
	 * @return an allowed decision with no limits
	 */
	public static Decision unlimited() {
		return UNLIMITED;
	}

	public boolean isAllowed() {
		return this.allowed;
	}

	/**
	 * Whether no limit applied at all.
	 * @return {@code true} for an unlimited decision
	 */
	public boolean isUnlimited() {
		return this.binding == null;
	}

	/**
	 * The limit that decided: when denied, the denied limit that asks for the longest wait; when
	 * allowed, the limit with the fewest units left.
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
		return (this.allowed || this.binding == null) ? Duration.ZERO : this.binding.retryAfter();
	}

	@Override
	public String toString() {
		return "Decision[allowed=" + this.allowed + ", binding=" + this.binding + "]";
	}

}
