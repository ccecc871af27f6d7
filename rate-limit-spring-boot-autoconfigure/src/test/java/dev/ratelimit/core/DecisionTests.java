package dev.ratelimit.core;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link Decision}.
 *
 * @author rate-limit-spring-boot
 */
class DecisionTests {

	private static final LimitSpec MINUTELY = LimitSpec.of(10, Duration.ofMinutes(1));

	private static final LimitSpec HOURLY = LimitSpec.of(100, Duration.ofHours(1));

	private static final LimitSpec DAILY = LimitSpec.of(1000, Duration.ofDays(1));

	@Test
	void noLimitsIsUnlimited() {
		Decision decision = Decision.of(List.of());
		assertThat(decision).isSameAs(Decision.unlimited());
		assertThat(decision.isAllowed()).isTrue();
		assertThat(decision.isUnlimited()).isTrue();
		assertThat(decision.binding()).isNull();
		assertThat(decision.retryAfter()).isZero();
	}

	@Test
	void allowedWhenEveryLimitAllowsAndBoundByTheFewestRemaining() {
		LimitState minutely = allowed(MINUTELY, 7, 30);
		LimitState hourly = allowed(HOURLY, 3, 600);
		Decision decision = Decision.of(List.of(minutely, hourly));
		assertThat(decision.isAllowed()).isTrue();
		assertThat(decision.isUnlimited()).isFalse();
		assertThat(decision.binding()).isEqualTo(hourly);
		assertThat(decision.retryAfter()).isZero();
		assertThat(decision.limits()).containsExactly(minutely, hourly);
	}

	@Test
	void allowedTieOnRemainingIsBoundByTheLongestReset() {
		LimitState minutely = allowed(MINUTELY, 3, 30);
		LimitState daily = allowed(DAILY, 3, 80_000);
		LimitState hourly = allowed(HOURLY, 3, 600);
		assertThat(Decision.of(List.of(minutely, daily, hourly)).binding()).isEqualTo(daily);
	}

	@Test
	void deniedWhenAnyLimitDeniesAndBoundByTheLongestWait() {
		LimitState minutely = denied(MINUTELY, 30);
		LimitState hourly = denied(HOURLY, 600);
		LimitState daily = allowed(DAILY, 0, 80_000);
		Decision decision = Decision.of(List.of(minutely, hourly, daily));
		assertThat(decision.isAllowed()).isFalse();
		assertThat(decision.binding()).isEqualTo(hourly);
		assertThat(decision.retryAfter()).isEqualTo(Duration.ofSeconds(600));
	}

	@Test
	void deniedIsNeverBoundByAnAllowedLimit() {
		LimitState minutely = denied(MINUTELY, 30);
		LimitState daily = allowed(DAILY, 0, 80_000);
		assertThat(Decision.of(List.of(daily, minutely)).binding()).isEqualTo(minutely);
	}

	private static LimitState allowed(LimitSpec limit, long remaining, long resetSeconds) {
		return new LimitState(limit, true, remaining, Duration.ofSeconds(resetSeconds), Duration.ZERO);
	}

	private static LimitState denied(LimitSpec limit, long retrySeconds) {
		return new LimitState(limit, false, 0, Duration.ofSeconds(retrySeconds), Duration.ofSeconds(retrySeconds));
	}

}
