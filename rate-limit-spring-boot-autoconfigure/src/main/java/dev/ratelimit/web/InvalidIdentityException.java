package dev.ratelimit.web;

/**
 * Thrown by an {@link IdentityResolver} when a request names its caller in a way that cannot be
 * used, e.g. an API key that is too long or holds control characters. The {@link RateLimitFilter}
 * answers such a request with {@code 400 Bad Request} and makes no limiter call: a malformed value
 * is neither charged to a budget of its own (a bypass) nor allowed to fail the request with a
 * {@code 500}.
 * <p>
 * The message is sent to the client as the problem detail and may be logged, so it must describe
 * what is wrong without repeating the offending value.
 *
 * @author rate-limit-spring-boot
 */
public class InvalidIdentityException extends RuntimeException {

	/**
	 * Create an exception.
	 * @param detail what is wrong, without the offending value
	 */
	public InvalidIdentityException(String detail) {
		// No stack trace: a client can send these as fast as it likes, and the detail says it all.
		super(detail, null, false, false);
	}

}
