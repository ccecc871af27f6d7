package dev.ratelimit.policy;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.ratelimit.core.LimitSpec;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link NamedUser}: the tier a named user's requests are checked against.
 */
class NamedUserTests {

	private static final LimitSpec TEN = LimitSpec.of(10, Duration.ofHours(1));

	private static final LimitSpec HUNDRED = LimitSpec.of(100, Duration.ofHours(1));

	private static final OperationPolicy GENERATION = new OperationPolicy("ai_generation", "aigeneration",
			KeyType.IDENTITY, 1, List.of(TEN));

	private static final OperationPolicy PING = new OperationPolicy("api_requests", "apirequests", KeyType.IDENTITY, 1,
			List.of(TEN));

	private static final TierPolicy FREE = new TierPolicy("free", "free", false, "/pricing",
			Map.of("aigeneration", List.of(LimitSpec.of(2, Duration.ofHours(1)))));

	private static final TierPolicy BUSINESS = new TierPolicy("business", "business", false, null,
			Map.of("apirequests", List.of(LimitSpec.of(50, Duration.ofHours(1)))));

	private static final TierPolicy ENTERPRISE = new TierPolicy("enterprise", "enterprise", true, null, Map.of());

	private static final List<TierPolicy> TIERS = List.of(FREE, BUSINESS, ENTERPRISE);

	@Test
	void configuredTierWithOwnLimitsReplacesTheResolvedTier() {
		NamedUser user = NamedUser.of(BUSINESS, Map.of("aigeneration", List.of(HUNDRED)), TIERS);
		TierPolicy tier = user.effectiveTier(FREE);
		assertThat(tier.name()).isEqualTo("business");
		assertThat(tier.limitsFor(GENERATION)).containsExactly(HUNDRED);
		assertThat(tier.limitsFor(PING)).containsExactly(LimitSpec.of(50, Duration.ofHours(1)));
		assertThat(user.tier()).isEqualTo("business");
	}

	@Test
	void withoutTierTheOwnLimitsApplyOnTheResolvedTier() {
		NamedUser user = NamedUser.of(null, Map.of("aigeneration", List.of(HUNDRED)), TIERS);
		TierPolicy onFree = user.effectiveTier(FREE);
		assertThat(onFree.name()).isEqualTo("free");
		assertThat(onFree.upgradeUrl()).isEqualTo("/pricing");
		assertThat(onFree.limitsFor(GENERATION)).containsExactly(HUNDRED);
		assertThat(user.effectiveTier(BUSINESS).limitsFor(GENERATION)).containsExactly(HUNDRED);
		assertThat(user.tier()).isNull();
	}

	@Test
	void unlimitedTierStaysUnlimited() {
		NamedUser user = NamedUser.of(null, Map.of("aigeneration", List.of(HUNDRED)), TIERS);
		assertThat(user.effectiveTier(ENTERPRISE)).isSameAs(ENTERPRISE);
		assertThat(user.effectiveTier(ENTERPRISE).limitsFor(GENERATION)).isEmpty();
	}

	@Test
	void tierAloneIsTheTierItself() {
		NamedUser user = NamedUser.of(BUSINESS, Map.of(), TIERS);
		assertThat(user.effectiveTier(FREE)).isSameAs(BUSINESS);
		NamedUser nothing = NamedUser.of(null, Map.of(), TIERS);
		assertThat(nothing.effectiveTier(FREE)).isSameAs(FREE);
	}

}
