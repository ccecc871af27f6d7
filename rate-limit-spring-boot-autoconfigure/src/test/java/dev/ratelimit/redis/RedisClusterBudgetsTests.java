package dev.ratelimit.redis;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.Decision;
import dev.ratelimit.core.LimitSpec;
import dev.ratelimit.core.Money;
import dev.ratelimit.core.RateLimitRequest;
import dev.ratelimit.core.ScopeKind;
import dev.ratelimit.local.InMemoryRateLimiter;
import dev.ratelimit.resilience.FailureMode;
import dev.ratelimit.resilience.ResilientRateLimiter;
import dev.ratelimit.test.MutableClock;
import dev.ratelimit.test.RedisServers;
import dev.ratelimit.test.context.LettuceConnectionFactories;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.lettuce.core.cluster.SlotHash;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Budgets on a real three-master Redis Cluster, where the caller's and the global budgets
 * are in different slots: read by each scope's check, charged with one call per slot,
 * exactly; and what happens to charges while Redis cannot take them.
 *
 * @author rate-limit-spring-boot
 */
class RedisClusterBudgetsTests {

	private static final LimitSpec RATE = LimitSpec.of(1000, Duration.ofHours(1), Algorithm.FIXED_WINDOW);

	private static final LimitSpec USD = LimitSpec.budget("usd", 5_000_000, Duration.ofDays(1));

	private static final LimitSpec GLOBAL_USD = LimitSpec.budget("usd", 8_000_000, Duration.ofDays(1));

	private static LettuceConnectionFactory connectionFactory;

	private final MutableClock clock = MutableClock.startingAtMidnight();

	private final String prefix = "budgets-cluster-" + UUID.randomUUID();

	private final RedisRateLimiter limiter = new RedisRateLimiter(connectionFactory, this.prefix, this.clock);

	private final RedisRateLimiter otherInstance = new RedisRateLimiter(connectionFactory, this.prefix, this.clock);

	@BeforeAll
	static void connect() {
		connectionFactory = LettuceConnectionFactories.startedCluster(RedisServers.sharedCluster());
	}

	@AfterAll
	static void destroy() {
		connectionFactory.destroy();
	}

	@Test
	void chargesFromTwoInstancesLandExactlyInBothSlotsAndTheSpentBudgetsDeny() {
		RateLimitRequest alice = request("u:alice");
		assertThat(SlotHash.getSlot(alice.key(this.prefix, USD)))
			.isNotEqualTo(SlotHash.getSlot(alice.scopes().get(1).key(this.prefix, GLOBAL_USD)));
		for (int i = 0; i < 100; i++) {
			RedisRateLimiter instance = (i % 2 == 0) ? this.limiter : this.otherInstance;
			assertThat(instance.check(alice).isAllowed()).isTrue();
			instance.charge(alice, Map.of("usd", Money.toMicros(new BigDecimal("0.049999"))));
		}
		// 100 x 0.049999 = 4.9999: one micro-unit short of five dollars.
		Decision nearlySpent = this.limiter.check(request("u:alice"));
		assertThat(nearlySpent.isAllowed()).isTrue();
		assertThat(Money.ofMicros(nearlySpent.limits().get(1).spentMicros())).isEqualTo(new BigDecimal("4.999900"));
		this.limiter.charge(alice, Map.of("usd", 100L));
		Decision denied = this.limiter.check(alice);
		assertThat(denied.isBudgetDenied()).isTrue();
		assertThat(denied.scope()).isEqualTo(ScopeKind.CALLER);
		// The global budget holds the same 5.00; three more from bob spend it.
		this.otherInstance.charge(request("u:bob"), Map.of("usd", 3_000_000L));
		Decision global = this.limiter.check(request("u:carol"));
		assertThat(global.isBudgetDenied()).isTrue();
		assertThat(global.scope()).isEqualTo(ScopeKind.GLOBAL);
		assertThat(global.binding().spentMicros()).isEqualTo(8_000_000);
	}

	@Test
	void whileTheCircuitBreakerIsOpenChargesAreDroppedAndCounted() {
		CircuitBreaker breaker = CircuitBreaker.ofDefaults("budgets-" + UUID.randomUUID());
		ExecutorService executor = Executors.newSingleThreadExecutor();
		try (ResilientRateLimiter resilient = new ResilientRateLimiter(this.limiter, FailureMode.LOCAL,
				new InMemoryRateLimiter(this.clock), 1, breaker, executor, Duration.ofSeconds(5))) {
			RateLimitRequest dave = request("u:dave");
			resilient.charge(dave, Map.of("usd", 1_000_000L));
			assertThat(this.limiter.check(dave).limits().get(1).spentMicros()).isEqualTo(1_000_000);
			breaker.transitionToOpenState();
			resilient.charge(dave, Map.of("usd", 1_000_000L));
			assertThat(resilient.chargesDropped()).isEqualTo(1);
			// The local fallback keeps no budgets: it admits, and the charge is lost.
			Decision fallback = resilient.check(dave);
			assertThat(fallback.isFallback()).isTrue();
			assertThat(fallback.isAllowed()).isTrue();
			breaker.transitionToClosedState();
			assertThat(this.limiter.check(dave).limits().get(1).spentMicros()).isEqualTo(1_000_000);
		}
		finally {
			executor.shutdownNow();
		}
	}

	private static RateLimitRequest request(String caller) {
		return new RateLimitRequest(caller, "assistant_query", List.of(RATE, USD), 1).and(ScopeKind.GLOBAL_SCOPE,
				List.of(GLOBAL_USD));
	}

}
