package dev.ratelimit.test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A {@link Clock} that only moves when a test moves it, so tests that depend on time stay
 * deterministic.
 *
 * @author rate-limit-spring-boot
 */
public final class MutableClock extends Clock {

	private final AtomicReference<Instant> instant;

	public MutableClock(Instant instant) {
		this.instant = new AtomicReference<>(instant);
	}

	/**
	 * A clock at a fixed, window-aligned instant well after the epoch.
	 * @return a new clock
	 */
	public static MutableClock startingAtMidnight() {
		return new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
	}

	public void advance(Duration duration) {
		this.instant.updateAndGet((current) -> current.plus(duration));
	}

	public void set(Instant instant) {
		this.instant.set(instant);
	}

	@Override
	public Instant instant() {
		return this.instant.get();
	}

	@Override
	public ZoneId getZone() {
		return ZoneOffset.UTC;
	}

	@Override
	public Clock withZone(ZoneId zone) {
		throw new UnsupportedOperationException("MutableClock is always UTC");
	}

}
