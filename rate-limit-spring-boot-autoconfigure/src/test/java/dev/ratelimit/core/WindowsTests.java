package dev.ratelimit.core;

import java.time.Duration;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link Windows}.
 *
 * @author rate-limit-spring-boot
 */
class WindowsTests {

	@ParameterizedTest
	@CsvSource({ "P1D, 1d", "P7D, 7d", "PT1H, 1h", "PT36H, 36h", "PT90M, 90m", "PT1M, 1m", "PT90S, 90s", "PT1S, 1s",
			"PT1.5S, 1500ms", "PT0.001S, 1ms" })
	void formatsInTheLargestUnitThatDivides(Duration window, String expected) {
		assertThat(Windows.format(window)).isEqualTo(expected);
	}

}
