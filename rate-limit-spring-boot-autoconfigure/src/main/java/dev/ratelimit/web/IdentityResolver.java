package dev.ratelimit.web;

import jakarta.servlet.http.HttpServletRequest;

/**
 * Decides whose budget a request is charged to. Declare a bean of this type to replace
 * the default (principal, else API key when a header is configured, else client address).
 * Base the identity on what the application has authenticated or validated: a value the
 * client chooses freely is a budget it can renew at will.
 *
 * @author rate-limit-spring-boot
 */
@FunctionalInterface
public interface IdentityResolver {

	/**
	 * Resolve the caller of a request.
	 * @param request the request
	 * @return the identity, never {@code null}
	 * @throws MalformedRequestException when the request names its caller in a way that
	 * cannot be used; the request is answered with {@code 400}
	 */
	Identity resolve(HttpServletRequest request);

}
