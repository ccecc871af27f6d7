package dev.ratelimit.web;

/**
 * Thrown while resolving a request when it is malformed in a way that stops the limiter
 * from deciding whose budget and which limits apply: an API key that is too long or holds
 * control characters, a path that is not valid percent-encoding. An
 * {@link IdentityResolver} may throw it too. The {@link RateLimitFilter} answers such a
 * request with {@code 400 Bad Request} and makes no limiter call: a malformed value is
 * neither charged to a budget of its own (a bypass) nor allowed to fail the request with
 * a {@code 500}.
 * <p>
 * The message is sent to the client as the problem detail and may be logged, so it must
 * describe what is wrong without repeating the offending value.
 *
 * @author rate-limit-spring-boot
 */
public class MalformedRequestException extends RuntimeException {

	/**
	 * Create an exception.
	 * @param detail what is wrong, without the offending value
	 */
	public MalformedRequestException(String detail) {
		// No stack trace: a client can send these as fast as it likes, and the detail
		// says it all.
		super(detail, null, false, false);
	}

}
