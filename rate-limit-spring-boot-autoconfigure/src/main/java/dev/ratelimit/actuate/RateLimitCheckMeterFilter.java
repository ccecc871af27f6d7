package dev.ratelimit.actuate;

import java.time.Duration;

import dev.ratelimit.web.DefaultRateLimitCheckObservationConvention;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;

/**
 * A {@link MeterFilter} that gives the timer of the rate limiter's checks
 * ({@value DefaultRateLimitCheckObservationConvention#NAME}) a percentile histogram from
 * 100µs to 1s. The timer is made by Boot's meter observation handler from the check's
 * observation, so its distribution is configured here rather than where it is built.
 * Register it before Boot's {@code PropertiesMeterFilter} (order 0), so that the
 * application's own settings ({@code management.metrics.distribution.*}) take precedence.
 *
 * @author rate-limit-spring-boot
 */
public final class RateLimitCheckMeterFilter implements MeterFilter {

	// Redis answers in well under a millisecond on a local network, so the histogram
	// starts below Micrometer's default of 1ms; checks wait for Redis for the configured
	// timeout at most.
	private static final DistributionStatisticConfig CHECK_DISTRIBUTION = DistributionStatisticConfig.builder()
		.percentilesHistogram(true)
		.minimumExpectedValue((double) Duration.ofNanos(100_000).toNanos())
		.maximumExpectedValue((double) Duration.ofSeconds(1).toNanos())
		.build();

	@Override
	public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
		if (id.getType() == Meter.Type.TIMER && DefaultRateLimitCheckObservationConvention.NAME.equals(id.getName())) {
			// Ours over the timer builder's defaults (1ms to 30s). The application's
			// properties still win: this filter runs before Boot's PropertiesMeterFilter,
			// which merges them over what it is given.
			return CHECK_DISTRIBUTION.merge(config);
		}
		return config;
	}

}
