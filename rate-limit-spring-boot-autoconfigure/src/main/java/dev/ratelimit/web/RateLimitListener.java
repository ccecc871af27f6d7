package dev.ratelimit.web;

import java.math.BigDecimal;

import dev.ratelimit.core.Decision;
import jakarta.servlet.http.HttpServletRequest;

/**
 * Observes what the {@link RateLimitFilter} decides, for metrics and the operator's view.
 * Called on the request thread before the response is written, so implementations must be
 * fast and must not throw.
 *
 * @author rate-limit-spring-boot
 */
public interface RateLimitListener {

	/**
	 * Called for a request whose path is excluded from rate limiting.
	 * @param request the request
	 */
	default void onExcluded(HttpServletRequest request) {
	}

	/**
	 * Called once the limiter has decided, or when no limit applies to the caller.
	 * @param request the request
	 * @param resolved what the rules said about it
	 * @param decision the decision; {@linkplain Decision#isUnlimited() unlimited} when no
	 * limiter call was made
	 * @param checkNanos how long the limiter call took, {@code 0} when none was made
	 */
	default void onDecision(HttpServletRequest request, ResolvedRequest resolved, Decision decision, long checkNanos) {
	}

	/**
	 * Called for a request rejected with {@code 400} before any limit was checked, e.g.
	 * because its API key is malformed.
	 * @param request the request
	 * @param rejection why it was rejected
	 */
	default void onRejected(HttpServletRequest request, MalformedRequestException rejection) {
	}

	/**
	 * Called for a request whose caller is on the allow or deny list, which is let
	 * through or refused with {@code 403} without any check.
	 * @param request the request
	 * @param listing the list the caller is on, never
	 * {@link AccessLists.Listing#NOT_LISTED}
	 */
	default void onListed(HttpServletRequest request, AccessLists.Listing listing) {
	}

	/**
	 * Called when an admitted request's cost has been sent to a budget (once per budget
	 * and charge; to every scope's budget of that name).
	 * @param resolved what the rules said about the request
	 * @param budget the budget's name
	 * @param amount the amount charged, at the budgets' scale
	 */
	default void onCharged(ResolvedRequest resolved, String budget, BigDecimal amount) {
	}

}
