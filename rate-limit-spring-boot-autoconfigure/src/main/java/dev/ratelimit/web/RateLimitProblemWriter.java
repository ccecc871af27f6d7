package dev.ratelimit.web;

import java.io.IOException;

import dev.ratelimit.core.Decision;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Writes the response of a denied request, after the rate limit headers are set, of a
 * request rejected as malformed, and of a request whose caller is on the deny list.
 * Declare a bean of this type to replace the default RFC 9457 problem body.
 *
 * @author rate-limit-spring-boot
 */
@FunctionalInterface
public interface RateLimitProblemWriter {

	/**
	 * Write the response of a denied request.
	 * @param request the request
	 * @param response the response
	 * @param resolved what the rules said about the request
	 * @param decision the decision that denied it
	 * @throws IOException on a write failure
	 */
	void write(HttpServletRequest request, HttpServletResponse response, ResolvedRequest resolved, Decision decision)
			throws IOException;

	/**
	 * Write the {@code 400 Bad Request} response of a request rejected before any limit
	 * was checked, e.g. because its API key is malformed. The default sends a plain
	 * error.
	 * @param request the request
	 * @param response the response
	 * @param rejection why the request was rejected; its message is safe to show the
	 * client
	 * @throws IOException on a write failure
	 */
	default void writeRejected(HttpServletRequest request, HttpServletResponse response,
			MalformedRequestException rejection) throws IOException {
		response.sendError(HttpServletResponse.SC_BAD_REQUEST, rejection.getMessage());
	}

	/**
	 * Write the {@code 403 Forbidden} response of a request whose caller is on the deny
	 * list, refused before any limit was checked. What is written must not repeat the
	 * caller's address or name. The default sends a plain error.
	 * @param request the request
	 * @param response the response
	 * @throws IOException on a write failure
	 */
	default void writeDenylisted(HttpServletRequest request, HttpServletResponse response) throws IOException {
		response.sendError(HttpServletResponse.SC_FORBIDDEN);
	}

}
