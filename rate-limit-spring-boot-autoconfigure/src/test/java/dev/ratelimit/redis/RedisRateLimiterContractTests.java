package dev.ratelimit.redis;

import java.util.UUID;

import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.core.RateLimiterContractTests;
import dev.ratelimit.test.MutableClock;
import dev.ratelimit.test.RedisServer;

/**
 * The {@link RateLimiterContractTests} against a {@link RedisRateLimiter} on a real
 * Redis, with the test's clock passed into the script as "now".
 *
 * @author rate-limit-spring-boot
 */
class RedisRateLimiterContractTests extends RateLimiterContractTests {

	@Override
	protected RateLimiter createLimiter(MutableClock clock) {
		return new RedisRateLimiter(TestRedisTemplate.get(), "contract-" + UUID.randomUUID(), clock);
	}

}
