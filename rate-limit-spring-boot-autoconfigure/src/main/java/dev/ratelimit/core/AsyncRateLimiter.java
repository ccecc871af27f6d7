package dev.ratelimit.core;

import java.util.concurrent.CompletableFuture;

/**
 * A {@link RateLimiter} that can also check without blocking the calling thread, so that
 * a caller can bound how long it waits for the answer and abandon a call that takes too
 * long without handing the call to another thread first.
 *
 * @author rate-limit-spring-boot
 */
public interface AsyncRateLimiter extends RateLimiter {

	/**
	 * Whether {@link #checkAsync(RateLimitRequest)} is available. A limiter whose client
	 * cannot check without blocking answers {@code false}; callers then use
	 * {@link #check(RateLimitRequest)}.
	 * @return {@code true} when checks can be asynchronous
	 */
	boolean canCheckAsync();

	/**
	 * Start a check and return at once. The same decision as
	 * {@link #check(RateLimitRequest)}; cancelling the future abandons the call to the
	 * backend.
	 * @param request the caller, the operation and the limits to check
	 * @return the decision, completed when the backend answers, or exceptionally when it
	 * fails
	 * @throws IllegalStateException when {@link #canCheckAsync()} is {@code false}
	 */
	CompletableFuture<Decision> checkAsync(RateLimitRequest request);

}
