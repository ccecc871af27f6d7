package dev.ratelimit.redis;

import java.time.Duration;

import dev.ratelimit.core.PeriodicTask;

import org.springframework.context.SmartLifecycle;
import org.springframework.util.Assert;

/**
 * Renews the concurrency leases of a {@link RedisRateLimiter} in the background: one
 * batched call every interval (a third of the lease timeout, so that a lease survives two
 * missed renewals), on a daemon thread of its own, never on a request's thread. When this
 * instance dies its leases are no longer renewed and free themselves within the lease
 * timeout.
 *
 * @author rate-limit-spring-boot
 */
public final class RedisLeaseRenewal implements SmartLifecycle {

	private final PeriodicTask task;

	private volatile boolean running;

	/**
	 * Create the renewal of a limiter's leases.
	 * @param limiter the limiter whose leases to renew
	 * @param leaseTimeout the lease timeout; renewed every third of it
	 */
	public RedisLeaseRenewal(RedisRateLimiter limiter, Duration leaseTimeout) {
		Assert.isTrue(leaseTimeout.toMillis() >= 3, "'leaseTimeout' must be at least 3ms");
		this.task = new PeriodicTask("rate-limit-lease-renewal", limiter::renewLeases, leaseTimeout.dividedBy(3));
	}

	@Override
	public void start() {
		this.task.start();
		this.running = true;
	}

	@Override
	public void stop() {
		this.task.stop();
		this.running = false;
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

}
