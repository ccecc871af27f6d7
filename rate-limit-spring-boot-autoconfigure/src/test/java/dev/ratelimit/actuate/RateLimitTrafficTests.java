package dev.ratelimit.actuate;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.ratelimit.core.Decision;
import dev.ratelimit.core.LimitSpec;
import dev.ratelimit.core.LimitState;
import dev.ratelimit.policy.KeyType;
import dev.ratelimit.policy.OperationPolicy;
import dev.ratelimit.policy.RateLimitOverride;
import dev.ratelimit.policy.TierPolicy;
import dev.ratelimit.test.MutableClock;
import dev.ratelimit.web.Identity;
import dev.ratelimit.web.ResolvedRequest;
import org.junit.jupiter.api.Test;

import org.springframework.mock.web.MockHttpServletRequest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class RateLimitTrafficTests {

	private static final LimitSpec LIMIT = LimitSpec.of(5, Duration.ofHours(1));

	private static final OperationPolicy GENERATION = new OperationPolicy("ai_generation", "aigeneration",
			KeyType.IDENTITY, 1, List.of());

	private static final OperationPolicy LOGIN = new OperationPolicy("auth_operations", "authoperations", KeyType.IP, 1,
			List.of(LIMIT));

	private static final OperationPolicy EXPORTS = new OperationPolicy("exports", "exports", KeyType.GLOBAL, 1,
			List.of(LIMIT));

	private static final TierPolicy FREE = new TierPolicy("free", "free", false, null, Map.of());

	private static final TierPolicy PRO = new TierPolicy("pro", "pro", false, null, Map.of());

	private static final Decision ALLOWED = Decision
		.of(List.of(new LimitState(LIMIT, true, 3, Duration.ZERO, Duration.ZERO)));

	private static final Decision DENIED = Decision
		.of(List.of(new LimitState(LIMIT, false, 0, Duration.ofMinutes(12), Duration.ofMinutes(12))));

	private final MutableClock clock = MutableClock.startingAtMidnight();

	private final RateLimitTraffic traffic = new RateLimitTraffic(this.clock, Duration.ofMinutes(5), 100);

	@Test
	void countsOutcomesPerTierAndOperation() {
		Identity alice = Identity.user("alice");
		record(GENERATION, FREE, alice, ALLOWED, 3);
		record(GENERATION, FREE, alice, DENIED, 2);
		record(GENERATION, PRO, Identity.user("bob"), ALLOWED, 1);
		record(GENERATION, FREE, Identity.user("carol"), ALLOWED.asFallback(), 1);
		record(GENERATION, FREE, Identity.user("dave"), Decision.unavailable(Duration.ofSeconds(5)), 1);
		RateLimitTraffic.Counts free = this.traffic.counts().get("free").get("ai_generation");
		assertThat(free).isEqualTo(new RateLimitTraffic.Counts(7, 4, 2, 0, 1, 2));
		assertThat(free.denialRate()).isEqualTo(2.0 / 7);
		assertThat(this.traffic.counts().get("pro").get("ai_generation"))
			.isEqualTo(new RateLimitTraffic.Counts(1, 1, 0, 0, 0, 0));
	}

	@Test
	void countsTheDenialsOfAShadowOperationAsShadowed() {
		OperationPolicy shadowed = GENERATION.withShadow();
		Identity alice = Identity.user("alice");
		record(shadowed, FREE, alice, ALLOWED, 3);
		record(shadowed, FREE, alice, DENIED, 2);
		assertThat(this.traffic.counts().get("free").get("ai_generation"))
			.isEqualTo(new RateLimitTraffic.Counts(5, 3, 0, 2, 0, 0));
	}

	@Test
	void topCallersAfterAKnownSequence() {
		Identity alice = Identity.user("alice");
		Identity bob = Identity.user("bob");
		Identity carol = Identity.apiKey("sk-carol");
		record(GENERATION, FREE, alice, ALLOWED, 5);
		record(GENERATION, FREE, alice, DENIED, 7);
		record(GENERATION, PRO, bob, ALLOWED, 20);
		record(GENERATION, FREE, carol, ALLOWED, 1);
		record(GENERATION, FREE, carol, DENIED, 1);
		RateLimitTraffic.TopCallers top = this.traffic.topCallers(2);
		assertThat(top.maxError()).isZero();
		assertThat(top.byRequests()).containsExactly(new RateLimitTraffic.Caller(bob.scope(), "pro", 20, 0),
				new RateLimitTraffic.Caller(alice.scope(), "free", 12, 7));
		assertThat(top.byDenials()).containsExactly(new RateLimitTraffic.Caller(alice.scope(), "free", 12, 7),
				new RateLimitTraffic.Caller(carol.scope(), "free", 2, 1));
	}

	@Test
	void topCallersCoverTheRecentWindowOnly() {
		Identity alice = Identity.user("alice");
		Identity bob = Identity.user("bob");
		record(GENERATION, FREE, alice, DENIED, 3);
		this.clock.advance(Duration.ofMinutes(3));
		record(GENERATION, FREE, bob, DENIED, 1);
		record(GENERATION, FREE, alice, DENIED, 1);
		assertThat(this.traffic.topCallers(10).byDenials()).containsExactly(
				new RateLimitTraffic.Caller(alice.scope(), "free", 4, 4),
				new RateLimitTraffic.Caller(bob.scope(), "free", 1, 1));
		this.clock.advance(Duration.ofMinutes(2));
		assertThat(this.traffic.topCallers(10).byDenials()).containsExactly(
				new RateLimitTraffic.Caller(alice.scope(), "free", 1, 1),
				new RateLimitTraffic.Caller(bob.scope(), "free", 1, 1));
		this.clock.advance(Duration.ofMinutes(3));
		assertThat(this.traffic.topCallers(10).byDenials()).isEmpty();
		assertThat(this.traffic.counts().get("free").get("ai_generation").denied()).isEqualTo(5);
	}

	@Test
	void tierOfACallerIsTheOneOfItsLatestRequests() {
		Identity alice = Identity.user("alice");
		record(GENERATION, FREE, alice, ALLOWED, 1);
		this.clock.advance(Duration.ofMinutes(1));
		record(GENERATION, PRO, alice, ALLOWED, 1);
		assertThat(this.traffic.topCallers(1).byRequests())
			.containsExactly(new RateLimitTraffic.Caller(alice.scope(), "pro", 2, 0));
		assertThat(this.traffic.observedTier(alice.scope())).isEqualTo("pro");
	}

	@Test
	void observedTierIsTheCallersOwnNotTheOneAnOverridePutItOn() {
		Identity alice = Identity.user("alice");
		record(GENERATION, FREE, alice, ALLOWED, 1);
		RateLimitOverride toPro = RateLimitOverride.tier("pro", Instant.MAX);
		this.traffic.onDecision(new MockHttpServletRequest(),
				new ResolvedRequest(GENERATION, PRO, alice, List.of(LIMIT), 1, toPro), ALLOWED, 1);
		assertThat(this.traffic.observedTier(alice.scope())).isEqualTo("free");
		assertThat(this.traffic.observedTier(Identity.user("nobody").scope())).isNull();
	}

	@Test
	void addressBudgetsCountAsTheirAddressAndGlobalBudgetsAsNoCaller() {
		Identity address = Identity.address("192.0.2.7");
		record(LOGIN, FREE, address, DENIED, 2);
		record(EXPORTS, FREE, Identity.global(), DENIED, 5);
		assertThat(this.traffic.topCallers(10).byDenials())
			.containsExactly(new RateLimitTraffic.Caller(address.scope(), "free", 2, 2));
		assertThat(this.traffic.observedTier(address.scope())).isNull();
		assertThat(this.traffic.counts().get("free").get("exports").denied()).isEqualTo(5);
	}

	@Test
	void memoryIsBoundedWhateverTheNumberOfCallers() {
		RateLimitTraffic small = new RateLimitTraffic(this.clock, Duration.ofMinutes(5), 10);
		for (int i = 0; i < 10_000; i++) {
			Identity caller = Identity.user("caller-" + i);
			small.onDecision(new MockHttpServletRequest(),
					new ResolvedRequest(GENERATION, FREE, caller, List.of(LIMIT), 1), (i % 2 == 0) ? DENIED : ALLOWED,
					1);
			if (i % 1000 == 0) {
				this.clock.advance(Duration.ofMinutes(1));
			}
			assertThat(small.trackedCallers()).isLessThanOrEqualTo(5 * 2 * 10);
		}
		RateLimitTraffic.TopCallers top = small.topCallers(10);
		assertThat(top.byRequests()).hasSize(10);
		// More distinct callers than counters: the counts are approximate, and say by how
		// much.
		assertThat(top.maxError()).isPositive();
	}

	@Test
	void windowMustHoldItsSlices() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new RateLimitTraffic(this.clock, Duration.ofMillis(4), 10));
	}

	private void record(OperationPolicy operation, TierPolicy tier, Identity identity, Decision decision, int times) {
		for (int i = 0; i < times; i++) {
			this.traffic.onDecision(new MockHttpServletRequest(),
					new ResolvedRequest(operation, tier, identity, List.of(LIMIT), 1), decision, 1);
		}
	}

}
