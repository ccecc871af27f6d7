package dev.ratelimit.redis;

import java.util.UUID;

import dev.ratelimit.core.BurstAllowanceContractTests;
import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.test.MutableClock;

/**
 * The {@link BurstAllowanceContractTests} against the check script on a real Redis, with
 * the test's clock passed into the script as "now".
 *
 * @author rate-limit-spring-boot
 */
class RedisBurstAllowanceTests extends BurstAllowanceContractTests {

	@Override
	protected RateLimiter createLimiter(MutableClock clock) {
		return new RedisRateLimiter(TestRedisTemplate.get(), "burst-" + UUID.randomUUID(), clock);
	}

}
