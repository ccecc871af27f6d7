package dev.ratelimit.web;

import java.util.concurrent.atomic.AtomicBoolean;

import dev.ratelimit.core.Decision;
import dev.ratelimit.core.RateLimiter;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import org.jspecify.annotations.Nullable;

/**
 * Releases the leases of one admitted request and charges its budgets exactly once: run
 * at the end of a synchronous request, or as the listener of an asynchronous one
 * (complete, error, timeout; a client that goes away surfaces as an error or a
 * completion).
 *
 * @author rate-limit-spring-boot
 */
final class LeaseRelease implements Runnable, AsyncListener {

	private final AtomicBoolean released = new AtomicBoolean();

	private final RateLimiter rateLimiter;

	private final Decision decision;

	private final @Nullable RequestCharge charge;

	LeaseRelease(RateLimiter rateLimiter, Decision decision, @Nullable RequestCharge charge) {
		this.rateLimiter = rateLimiter;
		this.decision = decision;
		this.charge = charge;
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
			if (this.charge != null) {
				// The response is complete: what the handler reported is charged now,
				// once.
				this.charge.complete();
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
