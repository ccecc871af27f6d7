package dev.ratelimit.local;

import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.core.ScopesAndLeasesContractTests;
import dev.ratelimit.test.MutableClock;

/**
 * The {@link ScopesAndLeasesContractTests} against an {@link InMemoryRateLimiter}.
 *
 * @author rate-limit-spring-boot
 */
class InMemoryScopesAndLeasesTests extends ScopesAndLeasesContractTests {

	@Override
	protected RateLimiter createLimiter(MutableClock clock) {
		return new InMemoryRateLimiter(clock);
	}

}
