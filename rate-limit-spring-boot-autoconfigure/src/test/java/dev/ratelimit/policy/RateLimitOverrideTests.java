package dev.ratelimit.policy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.ratelimit.core.LimitSpec;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class RateLimitOverrideTests {

	private static final Instant LATER = Instant.parse("2030-01-01T00:10:00Z");

	@Test
	void multiplierScalesEveryLimitAndATierSwitchNone() {
		List<LimitSpec> limits = List.of(LimitSpec.of(5, Duration.ofHours(1)), LimitSpec.of(20, Duration.ofDays(1)));
		assertThat(RateLimitOverride.multiplier(2, LATER).scale(limits)).extracting(LimitSpec::limit)
			.containsExactly(10L, 40L);
		assertThat(RateLimitOverride.multiplier(0.5, LATER).scale(limits)).extracting(LimitSpec::limit)
			.containsExactly(3L, 10L);
		assertThat(RateLimitOverride.tier("pro", LATER).scale(limits)).isSameAs(limits);
	}

	@Test
	void tierSwitchToATierThePolicyNoLongerHasKeepsTheCallersOwn() {
		TierPolicy free = new TierPolicy("free", "free", false, null, Map.of());
		TierPolicy pro = new TierPolicy("pro", "pro", false, null, Map.of());
		RateLimitPolicy policy = new RateLimitPolicy(Map.of("free", free, "pro", pro),
				Map.of("api", new OperationPolicy("api", "api", KeyType.IDENTITY, 1, List.of())), free,
				new OperationPolicy("api", "api", KeyType.IDENTITY, 1, List.of()), List.of(), List.of());
		assertThat(RateLimitOverride.tier("PRO", LATER).effectiveTier(policy, free)).isSameAs(pro);
		assertThat(RateLimitOverride.tier("gold", LATER).effectiveTier(policy, free)).isSameAs(free);
		assertThat(RateLimitOverride.multiplier(2, LATER).effectiveTier(policy, free)).isSameAs(free);
	}

	@Test
	void activeUntilItsExpiry() {
		RateLimitOverride override = RateLimitOverride.tier("pro", LATER);
		assertThat(override.isActiveAt(LATER.minusMillis(1))).isTrue();
		assertThat(override.isActiveAt(LATER)).isFalse();
	}

	@Test
	void multiplierMustBePositiveAndFinite() {
		assertThatIllegalArgumentException().isThrownBy(() -> RateLimitOverride.multiplier(0, LATER));
		assertThatIllegalArgumentException().isThrownBy(() -> RateLimitOverride.multiplier(-1, LATER));
		assertThatIllegalArgumentException().isThrownBy(() -> RateLimitOverride.multiplier(Double.NaN, LATER));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> RateLimitOverride.multiplier(Double.POSITIVE_INFINITY, LATER));
		assertThatIllegalArgumentException().isThrownBy(() -> RateLimitOverride.tier(" ", LATER));
	}

}
