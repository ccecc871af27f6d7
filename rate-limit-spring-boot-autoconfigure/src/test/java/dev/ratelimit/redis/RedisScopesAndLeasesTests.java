package dev.ratelimit.redis;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

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
