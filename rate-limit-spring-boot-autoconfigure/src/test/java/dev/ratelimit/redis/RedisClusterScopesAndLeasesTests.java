package dev.ratelimit.redis;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.Decision;
import dev.ratelimit.core.LimitSpec;
import dev.ratelimit.core.RateLimitRequest;
import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.core.ScopeKind;
import dev.ratelimit.core.ScopesAndLeasesContractTests;
import dev.ratelimit.test.MutableClock;
import dev.ratelimit.test.RedisServers;
import dev.ratelimit.test.context.LettuceConnectionFactories;
import io.lettuce.core.cluster.SlotHash;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@link ScopesAndLeasesContractTests} on a real three-master Redis Cluster, where
 * the caller's scope and the global one are different slots: each scope is taken with a
 * script call of its own, and what a scope took for a request that another denied is
 * refunded exactly, for every algorithm and for leases.
 *
 * @author rate-limit-spring-boot
 */
class RedisClusterScopesAndLeasesTests extends ScopesAndLeasesContractTests {

	private static LettuceConnectionFactory connectionFactory;

	private String prefix;

	@BeforeAll
	static void connect() {
		connectionFactory = LettuceConnectionFactories.startedCluster(RedisServers.sharedCluster());
	}

	@AfterAll
	static void destroy() {
		connectionFactory.destroy();
	}

	@Override
	protected RateLimiter createLimiter(MutableClock clock) {
		this.prefix = "rl-cluster-scopes-" + UUID.randomUUID();
		return new RedisRateLimiter(connectionFactory, this.prefix, clock);
	}

	@Test
	void theScopesOfOneRequestAreDifferentSlots() {
		RateLimitRequest request = request(caller(), List.of(LimitSpec.of(1, HOUR)), List.of(LimitSpec.of(1, HOUR)));
		List<Integer> slots = request.scopes()
			.stream()
			.map((scope) -> SlotHash.getSlot(scope.key(this.prefix, scope.limits().get(0))))
			.distinct()
			.toList();
		assertThat(slots).hasSize(2);
	}

	@ParameterizedTest
	@EnumSource(value = Algorithm.class, names = { "CONCURRENCY", "BUDGET", "BURST_ALLOWANCE" },
			mode = EnumSource.Mode.EXCLUDE)
	void theRefundOfAPartialDenialLeavesTheAdmittingScopeAsIfTheRequestHadNeverCome(Algorithm algorithm) {
		List<LimitSpec> callerLimits = List.of(LimitSpec.of(4, HOUR, algorithm),
				LimitSpec.concurrency(2, LEASE_TIMEOUT));
		List<LimitSpec> global = List.of(LimitSpec.of(1, HOUR, algorithm));
		String caller = caller();
		RateLimitRequest other = new RateLimitRequest(caller(), this.operation, callerLimits, 1)
			.and(ScopeKind.GLOBAL_SCOPE, global);
		assertThat(this.limiter.check(other).isAllowed()).isTrue();
		StringRedisTemplate template = new StringRedisTemplate(connectionFactory);
		String rateKey = new RateLimitRequest(caller, this.operation, callerLimits, 1).key(this.prefix,
				callerLimits.get(0));
		for (int i = 0; i < 3; i++) {
			Decision denied = this.limiter.check(request(caller, callerLimits, global));
			assertThat(denied.scope()).isEqualTo(ScopeKind.GLOBAL);
			assertThat(denied.leases()).isEmpty();
		}
		// Nothing of the caller's is left: every take was refunded, its lease too.
		Decision peek = this.limiter.check(new RateLimitRequest(caller, this.operation, callerLimits, 0));
		assertThat(peek.limits().get(0).remaining()).isEqualTo(4);
		assertThat(peek.limits().get(1).remaining()).isEqualTo(2);
		assertThat(template.opsForZSet().zCard(RateLimitRequest.concurrencyKey(this.prefix, caller, this.operation)))
			.isZero();
		if (algorithm == Algorithm.TOKEN_BUCKET) {
			assertThat(template.hasKey(rateKey)).isFalse();
		}
	}

	@Test
	void leasesOfEverySlotAreRenewedAndReleased() {
		RedisRateLimiter instance = (RedisRateLimiter) this.limiter;
		List<LimitSpec> limits = List.of(LimitSpec.concurrency(1, Duration.ofSeconds(3)));
		Decision first = instance.check(request(caller(), limits, List.of(LimitSpec.concurrency(5, LEASE_TIMEOUT))));
		Decision second = instance.check(request(caller(), limits, List.of(LimitSpec.concurrency(5, LEASE_TIMEOUT))));
		assertThat(instance.heldLeases()).isEqualTo(4);
		assertThat(instance.renewLeases()).isEqualTo(4);
		instance.release(first);
		instance.release(second);
		assertThat(instance.heldLeases()).isZero();
		Decision peek = instance.check(new RateLimitRequest(ScopeKind.GLOBAL_SCOPE, this.operation,
				List.of(LimitSpec.concurrency(5, LEASE_TIMEOUT)), 0));
		assertThat(peek.binding().remaining()).isEqualTo(5);
	}

}
