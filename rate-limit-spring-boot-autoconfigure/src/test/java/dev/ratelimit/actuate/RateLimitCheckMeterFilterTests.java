package dev.ratelimit.actuate;

import java.time.Duration;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RateLimitCheckMeterFilterTests {

	private final RateLimitCheckMeterFilter filter = new RateLimitCheckMeterFilter();

	@Test
	void givesTheCheckTimerAPercentileHistogramFrom100MicrosecondsTo1Second() {
		DistributionStatisticConfig config = this.filter.configure(id("ratelimit.check", Meter.Type.TIMER),
				DistributionStatisticConfig.NONE);
		assertThat(config.isPercentileHistogram()).isTrue();
		assertThat(config.getMinimumExpectedValueAsDouble()).isEqualTo(Duration.ofNanos(100_000).toNanos());
		assertThat(config.getMaximumExpectedValueAsDouble()).isEqualTo(Duration.ofSeconds(1).toNanos());
	}

	@Test
	void replacesTheTimerBuildersDefaultsAndKeepsTheRest() {
		DistributionStatisticConfig builderDefaults = DistributionStatisticConfig.builder()
			.minimumExpectedValue((double) Duration.ofMillis(1).toNanos())
			.maximumExpectedValue((double) Duration.ofSeconds(30).toNanos())
			.percentiles(0.99)
			.build();
		DistributionStatisticConfig config = this.filter.configure(id("ratelimit.check", Meter.Type.TIMER),
				builderDefaults);
		assertThat(config.getMinimumExpectedValueAsDouble()).isEqualTo(Duration.ofNanos(100_000).toNanos());
		assertThat(config.getMaximumExpectedValueAsDouble()).isEqualTo(Duration.ofSeconds(1).toNanos());
		assertThat(config.getPercentiles()).containsExactly(0.99);
	}

	@Test
	void leavesOtherMetersAlone() {
		DistributionStatisticConfig none = DistributionStatisticConfig.NONE;
		assertThat(this.filter.configure(id("http.server.requests", Meter.Type.TIMER), none)).isSameAs(none);
		assertThat(this.filter.configure(id("ratelimit.check.active", Meter.Type.LONG_TASK_TIMER), none))
			.isSameAs(none);
	}

	private static Meter.Id id(String name, Meter.Type type) {
		return new Meter.Id(name, Tags.empty(), null, null, type);
	}

}
