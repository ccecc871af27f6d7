package dev.ratelimit.core;

import java.time.Duration;
import java.util.UUID;

import dev.ratelimit.test.MutableClock;
import org.junit.jupiter.api.BeforeEach;

/**
 * The base of contract tests whose every test starts with a limiter of its own, a clock
 * at midnight that moves only when the test moves it, and a random operation, so that
 * tests share no state and can run against one shared Redis.
 *
 * @author rate-limit-spring-boot
 */
public abstract class FreshLimiterTests {

	protected static final Duration HOUR = Duration.ofHours(1);

	protected MutableClock clock;

	protected RateLimiter limiter;

	protected String operation;

	@BeforeEach
	void createLimiter() {
		this.clock = MutableClock.startingAtMidnight();
		this.limiter = createLimiter(this.clock);
		this.operation = "op-" + UUID.randomUUID();
	}

	/**
	 * Create the limiter under test.
	 * @param clock the test's clock; a limiter that cannot read it must pass its time as
	 * "now" some other way
	 * @return the limiter
	 */
	protected abstract RateLimiter createLimiter(MutableClock clock);

	/**
	 * A caller no other test has.
	 * @return a caller's scope
	 */
	protected static String caller() {
		return "u:" + UUID.randomUUID();
	}

}
