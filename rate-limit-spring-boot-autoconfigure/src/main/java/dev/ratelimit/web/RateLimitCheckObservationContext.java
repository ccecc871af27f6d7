package dev.ratelimit.web;

import dev.ratelimit.core.Decision;
import io.micrometer.observation.Observation;
import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;

/**
 * The {@link Observation.Context} of one limiter call made by the
 * {@link RateLimitFilter}: the HTTP request, what the rules said about it and, once the
 * limiter has answered, its decision.
 *
 * @author rate-limit-spring-boot
 * @see RateLimitCheckObservationConvention
 */
public final class RateLimitCheckObservationContext extends Observation.Context {

	private final HttpServletRequest request;

	private final ResolvedRequest resolved;

	private @Nullable Decision decision;

	/**
	 * Create a context for the check of a request.
	 * @param request the HTTP request
	 * @param resolved what the rules said about it
	 */
	public RateLimitCheckObservationContext(HttpServletRequest request, ResolvedRequest resolved) {
		this.request = request;
		this.resolved = resolved;
	}

	/**
	 * The HTTP request being checked.
	 * @return the request
	 */
	public HttpServletRequest getRequest() {
		return this.request;
	}

	/**
	 * What the rules said about the request: its operation, tier, identity and limits.
	 * @return the resolved request
	 */
	public ResolvedRequest getResolved() {
		return this.resolved;
	}

	/**
	 * The limiter's decision.
	 * @return the decision, or {@code null} while the limiter has not answered or when it
	 * threw
	 */
	public @Nullable Decision getDecision() {
		return this.decision;
	}

	/**
	 * Set the limiter's decision.
	 * @param decision the decision
	 */
	public void setDecision(@Nullable Decision decision) {
		this.decision = decision;
	}

}
