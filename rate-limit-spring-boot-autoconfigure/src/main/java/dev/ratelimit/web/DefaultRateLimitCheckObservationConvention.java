package dev.ratelimit.web;

import dev.ratelimit.core.Decision;
import io.micrometer.common.KeyValues;

/**
 * The default {@link RateLimitCheckObservationConvention}: observations named
 * {@value #NAME} with one low-cardinality key value, {@code backend}: {@code primary}
 * when the limiter's backend decided, {@code fallback} when its failure mode did (after a
 * failed or timed out call, or at once while the circuit breaker is open), {@code none}
 * when the limiter threw.
 * <p>
 * Tier, operation and outcome are left out on purpose: each would multiply the timer's
 * percentile histogram (about 70 buckets per series), and the backend's latency does not
 * depend on them. The request counter {@code ratelimit.requests} carries them instead.
 *
 * @author rate-limit-spring-boot
 */
public class DefaultRateLimitCheckObservationConvention implements RateLimitCheckObservationConvention {

	/**
	 * The name of the observation, and so of its timer and span.
	 */
	public static final String NAME = "ratelimit.check";

	private static final String BACKEND = "backend";

	// Built once: the key values of a check are one of three, whatever the request.
	private static final KeyValues PRIMARY = KeyValues.of(BACKEND, "primary");

	private static final KeyValues FALLBACK = KeyValues.of(BACKEND, "fallback");

	private static final KeyValues NONE = KeyValues.of(BACKEND, "none");

	@Override
	public String getName() {
		return NAME;
	}

	@Override
	public String getContextualName(RateLimitCheckObservationContext context) {
		return "rate limit check";
	}

	@Override
	public KeyValues getLowCardinalityKeyValues(RateLimitCheckObservationContext context) {
		Decision decision = context.getDecision();
		if (decision == null) {
			return NONE;
		}
		return decision.isFallback() ? FALLBACK : PRIMARY;
	}

}
