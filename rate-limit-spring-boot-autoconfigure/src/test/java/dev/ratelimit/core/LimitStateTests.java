package dev.ratelimit.core;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link LimitState}.
 *
 * @author rate-limit-spring-boot
 */
class LimitStateTests {

	private static final LimitSpec LIMIT = LimitSpec.of(5, Duration.ofHours(1));

	@Test
	void ofMicrosConvertsMicroseconds() {
		LimitState state = LimitState.ofMicros(LIMIT, false, 2, 1_500_000, 1);
		assertThat(state).isEqualTo(new LimitState(LIMIT, false, 2, Duration.ofMillis(1500), Duration.ofNanos(1000)));
	}

	@Test
	void ofMicrosClampsNegativeValuesToZero() {
		LimitState state = LimitState.ofMicros(LIMIT, true, -1, -5, -7);
		assertThat(state.remaining()).isZero();
		assertThat(state.resetAfter()).isZero();
		assertThat(state.retryAfter()).isZero();
	}

	@Test
	void ofMicrosDoesNotOverflowForVeryLongWaits() {
		LimitState state = LimitState.ofMicros(LIMIT, false, 0, Long.MAX_VALUE, Long.MAX_VALUE);
		Duration expected = Duration.ofSeconds(Long.MAX_VALUE / 1_000_000, (Long.MAX_VALUE % 1_000_000) * 1000);
		assertThat(state.retryAfter()).isEqualTo(expected);
		assertThat(state.resetAfter()).isPositive();
	}

}
