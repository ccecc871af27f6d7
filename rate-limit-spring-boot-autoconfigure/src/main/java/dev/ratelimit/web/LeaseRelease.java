package dev.ratelimit.web;

import java.util.concurrent.atomic.AtomicBoolean;

import dev.ratelimit.core.Decision;
import dev.ratelimit.core.RateLimiter;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;

/**
 * Releases the leases of one admitted request exactly once: run at the end of a
 * synchronous request, or as the listener of an asynchronous one (complete, error,
 * timeout; a client that goes away surfaces as an error or a completion).
 *
 * @author rate-limit-spring-boot
 */
final class LeaseRelease implements Runnable, AsyncListener {

	private final AtomicBoolean released = new AtomicBoolean();

	private final RateLimiter rateLimiter;

	private final Decision decision;

	LeaseRelease(RateLimiter rateLimiter, Decision decision) {
		this.rateLimiter = rateLimiter;
		this.decision = decision;
	}

	@Override
	public void run() {
		if (this.released.compareAndSet(false, true)) {
			try {
				this.rateLimiter.release(this.decision);
			}
			catch (RuntimeException ex) {
				// Never into the request: a lease that is not released expires by itself.
			}
		}
	}

	@Override
	public void onComplete(AsyncEvent event) {
		run();
	}

	@Override
	public void onTimeout(AsyncEvent event) {
		run();
	}

	@Override
	public void onError(AsyncEvent event) {
		run();
	}

	@Override
	public void onStartAsync(AsyncEvent event) {
		// A new asynchronous cycle drops the listeners of the last one: stay registered.
		event.getAsyncContext().addListener(this);
	}

}
