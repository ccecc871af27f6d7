package dev.ratelimit.local;

import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.core.RateLimiterContractTests;
import dev.ratelimit.test.MutableClock;

/**
 * The {@link RateLimiterContractTests} against an {@link InMemoryRateLimiter}.
 *
 * @author rate-limit-spring-boot
 */
class InMemoryRateLimiterContractTests extends RateLimiterContractTests {

	@Override
	protected RateLimiter createLimiter(MutableClock clock) {
		return new InMemoryRateLimiter(clock);
	}

}
