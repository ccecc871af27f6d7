package dev.ratelimit.admin;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.ratelimit.admin.RateLimitAdminService.CallerUsage;
import dev.ratelimit.admin.RateLimitAdminService.OperationUsage;
import dev.ratelimit.core.Decision;
import dev.ratelimit.core.LimitSpec;
import dev.ratelimit.core.LimitState;
import dev.ratelimit.core.RateLimitRequest;
import dev.ratelimit.policy.InMemoryOverrideStore;
import dev.ratelimit.policy.KeyType;
import dev.ratelimit.policy.OperationPolicy;
import dev.ratelimit.policy.RateLimitPolicy;
import dev.ratelimit.redis.RedisRateLimiter;
import dev.ratelimit.test.MutableClock;
import dev.ratelimit.test.RedisServers;
import dev.ratelimit.test.context.LettuceConnectionFactories;
import dev.ratelimit.web.Identity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * What operators do to callers' limits, against the real Redis server of the test
 * support.
 */
class RateLimitAdminServiceTests {

	private static final Identity ALICE = Identity.user("alice");

	private final MutableClock clock = MutableClock.startingAtMidnight();

	private final RateLimitPolicy policy = policy();

	private final LettuceConnectionFactory connectionFactory = connectionFactory();

	private final RedisRateLimiter limiter = new RedisRateLimiter(this.connectionFactory, "admin-" + UUID.randomUUID());

	private final InMemoryOverrideStore overrides = new InMemoryOverrideStore(this.clock);

	private String observedTier;

	private final RateLimitAdminService service = new RateLimitAdminService(this.policy, this.limiter, this.overrides,
			(scope) -> this.observedTier, this.clock);

	@AfterEach
	void close() {
		this.connectionFactory.destroy();
	}

	@Test
	void usageIsReadWithoutConsumingAnything() {
		consume(ALICE, "ai_generation", 2);
		CallerUsage usage = this.service.usage(ALICE, null);
		assertThat(usage.scope()).isEqualTo(ALICE.scope());
		assertThat(usage.tier().name()).isEqualTo("free");
		assertThat(usage.tierSource()).isEqualTo("default");
		assertThat(remaining(usage, "ai_generation")).containsExactly(3L);
		assertThat(remaining(this.service.usage(ALICE, null), "ai_generation")).containsExactly(3L);
	}

	@Test
	void theTierIsTheRequestedOneElseTheObservedOne() {
		assertThat(this.service.usage(ALICE, "pro").tierSource()).isEqualTo("parameter");
		this.observedTier = "pro";
		CallerUsage usage = this.service.usage(ALICE, null);
		assertThat(usage.tier().name()).isEqualTo("pro");
		assertThat(usage.tierSource()).isEqualTo("observed");
	}

	@Test
	void overrideAppliesAtOnceFromResetCounters() {
		consume(ALICE, "ai_generation", 5);
		CallerUsage usage = this.service.override(ALICE, null, 2.0, Duration.ofMinutes(10), true);
		assertThat(usage.override()).isNotNull();
		assertThat(usage.override().expiresAt()).isEqualTo(this.clock.instant().plus(Duration.ofMinutes(10)));
		assertThat(remaining(usage, "ai_generation")).containsExactly(10L);
		assertThat(this.overrides.find(ALICE.scope())).isEqualTo(usage.override());
	}

	@Test
	void overrideToATierWithoutResetKeepsTheUsedUpWindow() {
		consume(ALICE, "ai_generation", 5);
		CallerUsage usage = this.service.override(ALICE, "pro", null, Duration.ofMinutes(10), false);
		assertThat(usage.tier().name()).isEqualTo("pro");
		assertThat(usage.tierSource()).isEqualTo("override");
		// A token bucket remembers usage as time: the free tier's used-up hour is the pro
		// tier's too.
		assertThat(remaining(usage, "ai_generation")).containsExactly(0L);
	}

	@Test
	void resetGivesACleanSlateAndLiftsTheOverride() {
		consume(ALICE, "ai_generation", 5);
		this.service.override(ALICE, "pro", null, Duration.ofMinutes(10), false);
		RateLimitAdminService.Reset reset = this.service.reset(ALICE);
		assertThat(reset.overrideRemoved()).isTrue();
		assertThat(reset.reset()).contains("ai_generation");
		assertThat(reset.notes()).anyMatch((note) -> note.startsWith("auth_operations is counted per client address"));
		assertThat(this.overrides.find(ALICE.scope())).isNull();
		assertThat(remaining(this.service.usage(ALICE, null), "ai_generation")).containsExactly(5L);
	}

	@Test
	void resetRefillsTheBurstAllowancesOfEveryTier() {
		consume(ALICE, "ai_generation", 7);
		assertThat(check(ALICE, "ai_generation").isAllowed()).isFalse();
		this.service.reset(ALICE);
		// five of the hour, two of the allowance, and no more
		for (int i = 0; i < 7; i++) {
			assertThat(check(ALICE, "ai_generation").isAllowed()).as("request %d", i + 1).isTrue();
		}
		assertThat(check(ALICE, "ai_generation").isAllowed()).isFalse();
	}

	@Test
	void requestsAnOperatorGetsWrongAreRefusedSayingWhy() {
		assertThatIllegalArgumentException().isThrownBy(() -> this.service.usage(ALICE, "gold"))
			.withMessage("Unknown tier 'gold'; the tiers are free, pro");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.service.override(ALICE, null, 1001.0, Duration.ofMinutes(1), true))
			.withMessage("The multiplier must be greater than 0 and at most 1000");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.service.override(ALICE, "pro", 2.0, Duration.ofMinutes(1), true))
			.withMessage("Give either a tier or a multiplier");
		assertThat(this.overrides.findAll()).isEmpty();
	}

	private void consume(Identity caller, String operationName, int times) {
		for (int i = 0; i < times; i++) {
			check(caller, operationName);
		}
	}

	private Decision check(Identity caller, String operationName) {
		OperationPolicy operation = this.policy.operation(operationName);
		return this.limiter.check(new RateLimitRequest(caller.scope(), operation.id(),
				this.policy.defaultTier().limitsFor(operation), 1));
	}

	private static List<Long> remaining(CallerUsage usage, String operation) {
		OperationUsage found = usage.operations()
			.stream()
			.filter((candidate) -> candidate.operation().name().equals(operation))
			.findFirst()
			.orElseThrow();
		return found.limits().stream().map(LimitState::remaining).toList();
	}

	private static LettuceConnectionFactory connectionFactory() {
		return LettuceConnectionFactories.started(RedisServers.shared());
	}

	private static RateLimitPolicy policy() {
		return RateLimitPolicy.builder()
			.tier("free", false, null, Map.of("ai_generation", List.of(LimitSpec.of(5, Duration.ofHours(1)))), Map.of(),
					Map.of(), LimitSpec.burstAllowance(2, Duration.ofMinutes(5)))
			.tier("pro", false, null, Map.of("ai_generation", List.of(LimitSpec.of(50, Duration.ofHours(1)))), Map.of(),
					Map.of(), LimitSpec.burstAllowance(3, Duration.ofMinutes(10)))
			.operation("auth_operations", KeyType.IP, 1, List.of(LimitSpec.of(5, Duration.ofMinutes(1))))
			.operation("ai_generation", KeyType.IDENTITY, 1, List.of())
			.defaultOperation("ai_generation")
			.build();
	}

}
