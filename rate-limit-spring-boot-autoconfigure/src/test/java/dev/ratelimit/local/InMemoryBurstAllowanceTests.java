package dev.ratelimit.local;

import dev.ratelimit.core.BurstAllowanceContractTests;
import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.test.MutableClock;

/**
 * The {@link BurstAllowanceContractTests} against an {@link InMemoryRateLimiter}.
 *
 * @author rate-limit-spring-boot
 */
class InMemoryBurstAllowanceTests extends BurstAllowanceContractTests {

	@Override
	protected RateLimiter createLimiter(MutableClock clock) {
		return new InMemoryRateLimiter(clock);
	}

}
