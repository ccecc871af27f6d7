package dev.ratelimit.core;

import java.math.RoundingMode;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link LimitSpec}.
 *
 * @author rate-limit-spring-boot
 */
class LimitSpecTests {

	@Test
	void ofDefaultsToTokenBucketWithBurstEqualToLimit() {
		LimitSpec limit = LimitSpec.of(5, Duration.ofHours(1));
		assertThat(limit.algorithm()).isEqualTo(Algorithm.TOKEN_BUCKET);
		assertThat(limit.burst()).isEqualTo(5);
		assertThat(limit.windowMicros()).isEqualTo(3_600_000_000L);
	}

	@Test
	void capacityIsTheBurstForTokenBucketAndTheLimitOtherwise() {
		assertThat(new LimitSpec(60, Duration.ofHours(1), Algorithm.TOKEN_BUCKET, 5).capacity()).isEqualTo(5);
		assertThat(new LimitSpec(60, Duration.ofHours(1), Algorithm.FIXED_WINDOW, 5).capacity()).isEqualTo(60);
	}

	@Test
	void rejectsLimitBelowOne() {
		assertThatIllegalArgumentException().isThrownBy(() -> LimitSpec.of(0, Duration.ofHours(1)))
			.withMessageContaining("limit");
	}

	@Test
	void rejectsWindowBelowOneMillisecond() {
		assertThatIllegalArgumentException().isThrownBy(() -> LimitSpec.of(1, Duration.ofNanos(999_999)))
			.withMessageContaining("window");
	}

	@Test
	void rejectsBurstBelowOne() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new LimitSpec(1, Duration.ofHours(1), Algorithm.TOKEN_BUCKET, 0))
			.withMessageContaining("burst");
	}

	@Test
	void toStringIsReadable() {
		assertThat(LimitSpec.of(100, Duration.ofMinutes(90), Algorithm.SLIDING_WINDOW))
			.hasToString("100/90m sliding-window");
	}

	@Test
	void shareOfRoundsDownSoThatTheInstancesTogetherAdmitAtMostTheLimit() {
		LimitSpec limit = new LimitSpec(10, Duration.ofHours(1), Algorithm.TOKEN_BUCKET, 5);
		LimitSpec share = limit.shareOf(3);
		assertThat(share.limit()).isEqualTo(3);
		assertThat(share.burst()).isEqualTo(1);
		assertThat(share.window()).isEqualTo(limit.window());
		assertThat(share.algorithm()).isEqualTo(limit.algorithm());
		assertThat(share.limit() * 3).isLessThanOrEqualTo(limit.limit());
	}

	@Test
	void shareOfIsAtLeastOneWhenTheLimitIsSmallerThanTheFleet() {
		LimitSpec share = LimitSpec.of(2, Duration.ofMinutes(1), Algorithm.FIXED_WINDOW).shareOf(5);
		assertThat(share.limit()).isEqualTo(1);
		assertThat(share.burst()).isEqualTo(1);
	}

	@Test
	void shareOfOneInstanceIsTheLimitItself() {
		LimitSpec limit = LimitSpec.of(7, Duration.ofHours(1));
		assertThat(limit.shareOf(1)).isSameAs(limit);
	}

	@Test
	void shareOfRejectsFewerThanOneInstance() {
		assertThatIllegalArgumentException().isThrownBy(() -> LimitSpec.of(7, Duration.ofHours(1)).shareOf(0))
			.withMessageContaining("instances");
	}

	@Test
	void scaledStillRoundsUp() {
		assertThat(LimitSpec.of(10, Duration.ofHours(1)).scaled(1.0 / 3).limit()).isEqualTo(4);
	}

	@Test
	void scaledFloorRoundsDownAndNeverBelowOne() {
		LimitSpec limit = new LimitSpec(5, Duration.ofHours(1), Algorithm.TOKEN_BUCKET, 3);
		LimitSpec down = limit.scaled(0.6, RoundingMode.FLOOR);
		assertThat(down.limit()).isEqualTo(3);
		assertThat(down.burst()).isEqualTo(1);
		assertThat(limit.scaled(0.6).limit()).isEqualTo(3);
		assertThat(limit.scaled(0.7).limit()).isEqualTo(4);
		assertThat(limit.scaled(0.7, RoundingMode.FLOOR).limit()).isEqualTo(3);
		assertThat(LimitSpec.of(5, Duration.ofHours(1)).scaled(0.01, RoundingMode.FLOOR).limit()).isEqualTo(1);
		assertThat(limit.scaled(1, RoundingMode.FLOOR)).isSameAs(limit);
	}

	@Test
	void scaledFloorForgivesTheErrorOfBinaryFractions() {
		// 100 x 0.29 is 28.999999999999996 in doubles.
		assertThat(LimitSpec.of(100, Duration.ofHours(1)).scaled(0.29, RoundingMode.FLOOR).limit()).isEqualTo(29);
		assertThat(LimitSpec.of(5, Duration.ofHours(1)).scaled(2 * 0.7, RoundingMode.FLOOR).limit()).isEqualTo(7);
	}

	@Test
	void scaledCeilingForgivesTheErrorOfBinaryFractions() {
		// 5 x 0.6 is 3.0000000000000004 in doubles.
		assertThat(LimitSpec.of(5, Duration.ofHours(1)).scaled(0.6).limit()).isEqualTo(3);
		assertThat(LimitSpec.of(5, Duration.ofHours(1)).scaled(0.61).limit()).isEqualTo(4);
	}

	@Test
	void scaledRoundingNeverMovesAnExactProduct() {
		LimitSpec large = LimitSpec.of(1_000_000_000_000L, Duration.ofHours(1));
		assertThat(large.scaled(2, RoundingMode.FLOOR).limit()).isEqualTo(2_000_000_000_000L);
		assertThat(large.scaled(2).limit()).isEqualTo(2_000_000_000_000L);
		assertThat(large.scaled(0.5, RoundingMode.FLOOR).limit()).isEqualTo(500_000_000_000L);
	}

	@Test
	void scaledRejectsOtherRoundings() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> LimitSpec.of(5, Duration.ofHours(1)).scaled(2, RoundingMode.HALF_UP))
			.withMessageContaining("rounding");
	}

}
