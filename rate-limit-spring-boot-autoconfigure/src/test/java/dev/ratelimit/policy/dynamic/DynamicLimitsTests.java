package dev.ratelimit.policy.dynamic;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.ratelimit.core.LimitSpec;
import dev.ratelimit.core.Money;
import dev.ratelimit.test.MutableClock;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link DynamicLimits}, {@link Adjustments}, {@link LoadThresholds},
 * {@link GeographyMultipliers} and {@link CachedReputations}.
 *
 * @author rate-limit-spring-boot
 */
class DynamicLimitsTests {

	private final MutableClock clock = new MutableClock(Instant.parse("2030-01-01T23:30:00Z"));

	@Test
	void multipliersMultiplyInOrderAndOnesAreLeftOut() {
		double[] load = { 0.9 };
		SampledLoad sampled = new SampledLoad(() -> load[0], Duration.ofSeconds(1));
		sampled.sample();
		DynamicLimits dynamic = new DynamicLimits(this.clock,
				new Schedule(List.of(ScheduleWindow.parse("23:00-01:00", ZoneOffset.UTC, 2))),
				new LoadThresholds(0.8, 0.7, 0.3, 1.3), sampled, null,
				new GeographyMultipliers("CF-IPCountry", Map.of("us", 1.0), 0.6));
		Adjustments adjustments = dynamic.adjustments("u:x", "XX");
		assertThat(adjustments.multipliers()).containsExactly(Map.entry("schedule", 2.0), Map.entry("load", 0.7),
				Map.entry("geography", 0.6));
		assertThat(adjustments.apply(List.of(LimitSpec.of(5, Duration.ofHours(1)))).get(0).limit()).isEqualTo(4);
		assertThat(dynamic.adjustments("u:x", "US").multipliers()).doesNotContainKey("geography");
		assertThat(dynamic.adjustments("u:x", null).multipliers()).doesNotContainKey("geography");
		load[0] = 0.5;
		sampled.sample();
		this.clock.set(Instant.parse("2030-01-01T12:00:00Z"));
		assertThat(dynamic.adjustments("u:x", "US")).isEqualTo(Adjustments.NONE);
		assertThat(Adjustments.NONE.apply(List.of(LimitSpec.of(5, Duration.ofHours(1)))).get(0).limit()).isEqualTo(5);
	}

	@Test
	void budgetsAreNotAdjustedButConcurrencyIs() {
		Adjustments half = Adjustments.NONE.and(Adjustments.LOAD, 0.5);
		LimitSpec budget = LimitSpec.budget("usd", Money.MAX_MICROS / 4, Duration.ofDays(1));
		LimitSpec concurrency = LimitSpec.concurrency(4, Duration.ofSeconds(30));
		List<LimitSpec> adjusted = half.apply(List.of(budget, concurrency));
		assertThat(adjusted.get(0)).isSameAs(budget);
		assertThat(adjusted.get(1).limit()).isEqualTo(2);
	}

	@Test
	void loadBetweenTheThresholdsOrUnknownAdjustsNothing() {
		LoadThresholds thresholds = new LoadThresholds(0.8, 0.7, 0.3, 1.3);
		assertThat(thresholds.multiplierAt(0.8)).isEqualTo(0.7);
		assertThat(thresholds.multiplierAt(1)).isEqualTo(0.7);
		assertThat(thresholds.multiplierAt(0.5)).isEqualTo(1);
		assertThat(thresholds.multiplierAt(0.3)).isEqualTo(1.3);
		assertThat(thresholds.multiplierAt(0)).isEqualTo(1.3);
		assertThat(thresholds.multiplierAt(Double.NaN)).isEqualTo(1);
	}

	@Test
	void sampledLoadIsClampedAndAFailingSignalIsUnknown() {
		double[] load = { 7 };
		SampledLoad sampled = new SampledLoad(() -> {
			if (Double.isInfinite(load[0])) {
				throw new IllegalStateException("broken");
			}
			return load[0];
		}, Duration.ofSeconds(1));
		assertThat(sampled.load()).isNaN();
		sampled.sample();
		assertThat(sampled.load()).isEqualTo(1);
		load[0] = -1;
		sampled.sample();
		assertThat(sampled.load()).isEqualTo(0);
		load[0] = Double.POSITIVE_INFINITY;
		sampled.sample();
		assertThat(sampled.load()).isNaN();
	}

	@Test
	void malformedCountryIsAnyOtherCountry() {
		GeographyMultipliers geography = new GeographyMultipliers("CF-IPCountry", Map.of("US", 1.0, "CA", 0.9), 0.7);
		assertThat(geography.multiplierFor("CA")).isEqualTo(0.9);
		assertThat(geography.multiplierFor("ca")).isEqualTo(0.9);
		assertThat(geography.multiplierFor("XX")).isEqualTo(0.7);
		assertThat(geography.multiplierFor("T1")).isEqualTo(0.7);
		assertThat(geography.multiplierFor("USA")).isEqualTo(0.7);
		assertThat(geography.multiplierFor("\u00c9\u00c9")).isEqualTo(0.7);
		assertThat(geography.multiplierFor("")).isEqualTo(1);
		assertThat(geography.multiplierFor(null)).isEqualTo(1);
	}

	@Test
	void reputationIsUnknownUntilTheRefreshHasReadIt() {
		Map<String, Double> stored = new ConcurrentHashMap<>();
		List<List<String>> asked = new java.util.ArrayList<>();
		CachedReputations reputations = new CachedReputations((scopes) -> {
			asked.add(List.copyOf(scopes));
			return Map.copyOf(stored);
		}, 2, Duration.ofSeconds(1));
		DynamicLimits dynamic = new DynamicLimits(this.clock, null, null, null, reputations, null);
		assertThat(dynamic.adjustments("u:a", null).multipliers()).containsExactly(Map.entry("reputation", 0.9));
		stored.put("u:a", 0.2);
		stored.put("u:b", 7.0);
		assertThat(reputations.reputation("u:a")).isEqualTo(ReputationProvider.UNKNOWN);
		reputations.reputation("u:b");
		// Full: a third caller is not held, and stays unknown.
		assertThat(reputations.reputation("u:c")).isEqualTo(ReputationProvider.UNKNOWN);
		reputations.refresh();
		assertThat(asked).hasSize(1);
		assertThat(asked.get(0)).containsExactlyInAnyOrder("u:a", "u:b");
		assertThat(dynamic.adjustments("u:a", null).multipliers().get("reputation")).isEqualTo(0.6);
		assertThat(reputations.reputation("u:b")).isEqualTo(1);
		assertThat(reputations.reputation("u:c")).isEqualTo(ReputationProvider.UNKNOWN);
	}

	@Test
	void idleCallersAreForgotten() {
		Map<String, Double> stored = Map.of("u:a", 0.2, "u:b", 0.4);
		CachedReputations reputations = new CachedReputations((scopes) -> stored, 10, Duration.ofSeconds(1));
		reputations.reputation("u:a");
		reputations.reputation("u:b");
		for (int i = 0; i <= CachedReputations.IDLE_REFRESHES + 1; i++) {
			reputations.reputation("u:a");
			reputations.refresh();
		}
		assertThat(reputations.reputation("u:a")).isEqualTo(0.2);
		// Forgotten, so unknown again until the next refresh.
		assertThat(reputations.reputation("u:b")).isEqualTo(ReputationProvider.UNKNOWN);
	}

	@Test
	void aFailingProviderKeepsWhatIsKnown() {
		boolean[] fail = { false };
		CachedReputations reputations = new CachedReputations((scopes) -> {
			if (fail[0]) {
				throw new IllegalStateException("down");
			}
			return Map.of("u:a", 0.3);
		}, 10, Duration.ofSeconds(1));
		reputations.reputation("u:a");
		reputations.refresh();
		fail[0] = true;
		reputations.refresh();
		assertThat(reputations.reputation("u:a")).isEqualTo(0.3);
	}

}
