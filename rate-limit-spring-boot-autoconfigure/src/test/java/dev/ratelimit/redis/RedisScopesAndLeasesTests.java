package dev.ratelimit.redis;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import dev.ratelimit.core.Decision;
import dev.ratelimit.core.LimitSpec;
import dev.ratelimit.core.RateLimitRequest;
import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.core.ScopesAndLeasesContractTests;
import dev.ratelimit.test.MutableClock;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@link ScopesAndLeasesContractTests} against a {@link RedisRateLimiter} on a real
 * Redis with the test's clock, and what only leases in Redis do: expire when their
 * instance dies, and live on while it renews them.
 *
 * @author rate-limit-spring-boot
 */
class RedisScopesAndLeasesTests extends ScopesAndLeasesContractTests {

	private static final Duration SHORT_LEASE = Duration.ofSeconds(3);

	private String prefix;

	@Override
	protected RateLimiter createLimiter(MutableClock clock) {
		this.prefix = "scopes-" + UUID.randomUUID();
		return new RedisRateLimiter(TestRedisTemplate.get(), this.prefix, clock);
	}

	private RedisRateLimiter otherInstance() {
		return new RedisRateLimiter(TestRedisTemplate.get(), this.prefix, this.clock);
	}

	@Test
	void theLeaseOfAnInstanceThatDiedIsFreedOnceItsLeaseTimeoutHasPassed() {
		List<LimitSpec> limits = List.of(LimitSpec.concurrency(1, SHORT_LEASE));
		String caller = caller();
		// The first instance takes the lease and dies: it neither releases nor renews it.
		assertThat(this.limiter.check(new RateLimitRequest(caller, this.operation, limits, 1)).isAllowed()).isTrue();
		RedisRateLimiter survivor = otherInstance();
		this.clock.advance(SHORT_LEASE.minusMillis(1));
		assertThat(survivor.check(new RateLimitRequest(caller, this.operation, limits, 1)).isAllowed()).isFalse();
		this.clock.advance(Duration.ofMillis(1));
		Decision admitted = survivor.check(new RateLimitRequest(caller, this.operation, limits, 1));
		assertThat(admitted.isAllowed()).isTrue();
		assertThat(survivor.leasesFreedByExpiry()).isEqualTo(1);
	}

	@Test
	void aRenewedLeaseOutlivesItsFirstExpiryAndIsFreedOnceRenewalsStop() {
		RedisRateLimiter instance = (RedisRateLimiter) this.limiter;
		List<LimitSpec> limits = List.of(LimitSpec.concurrency(1, SHORT_LEASE));
		String caller = caller();
		Decision held = instance.check(new RateLimitRequest(caller, this.operation, limits, 1));
		assertThat(instance.heldLeases()).isEqualTo(1);
		RedisRateLimiter other = otherInstance();
		this.clock.advance(Duration.ofSeconds(2));
		assertThat(instance.renewLeases()).isEqualTo(1);
		this.clock.advance(Duration.ofSeconds(2));
		// Past the first expiry: the renewal kept it.
		assertThat(other.check(new RateLimitRequest(caller, this.operation, limits, 1)).isAllowed()).isFalse();
		this.clock.advance(SHORT_LEASE);
		assertThat(other.check(new RateLimitRequest(caller, this.operation, limits, 1)).isAllowed()).isTrue();
		// The lease is gone: releasing it now is harmless, and renewing it does not bring
		// it back.
		assertThat(instance.renewLeases()).isZero();
		instance.release(held);
		assertThat(instance.heldLeases()).isZero();
		assertThat(other.check(new RateLimitRequest(caller, this.operation, limits, 1)).isAllowed()).isFalse();
	}

	@Test
	void aRequestOfOneScopeWithoutLeasesIsSentExactlyAsBefore() {
		RateLimitRequest simple = new RateLimitRequest(caller(), this.operation,
				List.of(LimitSpec.of(10, Duration.ofMinutes(1)), LimitSpec.of(100, Duration.ofHours(1))), 1);
		ScriptCall call = new ScriptCall(simple, this.prefix, "0", () -> {
			throw new AssertionError("no lease id for a request without leases");
		}, false);
		assertThat(call.keys()).containsExactly(simple.key(this.prefix, simple.limits().get(0)),
				simple.key(this.prefix, simple.limits().get(1)));
		assertThat(call.args()).containsExactly("0", "1", "tb", "10", "60000000", "10", "tb", "100", "3600000000",
				"100");
	}

	@Test
	void theSetOfLeasesHasATtlAndItsLeasesShareTheRequestsId() {
		List<LimitSpec> limits = List.of(LimitSpec.concurrency(2, SHORT_LEASE));
		String caller = caller();
		Decision decision = this.limiter
			.check(new RateLimitRequest(caller, this.operation, limits, 1).and("global", limits));
		assertThat(decision.leases()).hasSize(2);
		assertThat(decision.leases().get(0).id()).isEqualTo(decision.leases().get(1).id());
		Long ttl = TestRedisTemplate.get()
			.getExpire(RateLimitRequest.concurrencyKey(this.prefix, caller, this.operation), TimeUnit.MILLISECONDS);
		assertThat(ttl).isGreaterThan(SHORT_LEASE.toMillis()).isLessThanOrEqualTo(2 * SHORT_LEASE.toMillis() + 60_000);
	}

	@Test
	void oneRenewalCallServesEveryHeldLease() {
		RedisRateLimiter instance = (RedisRateLimiter) this.limiter;
		List<LimitSpec> limits = List.of(LimitSpec.concurrency(5, SHORT_LEASE));
		for (int i = 0; i < 5; i++) {
			instance.check(new RateLimitRequest(caller(), this.operation, limits, 1).and("global", limits));
		}
		assertThat(instance.heldLeases()).isEqualTo(10);
		assertThat(instance.renewLeases()).isEqualTo(10);
	}

}
