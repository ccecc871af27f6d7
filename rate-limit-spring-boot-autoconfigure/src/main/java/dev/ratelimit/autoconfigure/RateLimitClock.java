package dev.ratelimit.autoconfigure;

import java.time.Clock;

import org.springframework.beans.factory.ObjectProvider;

/**
 * The one way the auto-configuration resolves the clock that overrides expire by, traffic
 * is recorded by and the in-memory limiter counts by: the application's unique
 * {@link Clock} bean, else the system clock in UTC. Redis reads its own clock.
 *
 * @author rate-limit-spring-boot
 */
final class RateLimitClock {

	private RateLimitClock() {
	}

	static Clock of(ObjectProvider<Clock> clock) {
		return clock.getIfUnique(Clock::systemUTC);
	}

}
