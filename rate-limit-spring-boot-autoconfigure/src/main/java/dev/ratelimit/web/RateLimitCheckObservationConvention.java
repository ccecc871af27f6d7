package dev.ratelimit.web;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/**
 * An {@link ObservationConvention} for the rate limiter's check of a request. Declare a
 * bean of this type to replace the {@link DefaultRateLimitCheckObservationConvention},
 * e.g. to add key values of your own.
 *
 * @author rate-limit-spring-boot
 */
public interface RateLimitCheckObservationConvention extends ObservationConvention<RateLimitCheckObservationContext> {

	@Override
	default boolean supportsContext(Observation.Context context) {
		return context instanceof RateLimitCheckObservationContext;
	}

}
