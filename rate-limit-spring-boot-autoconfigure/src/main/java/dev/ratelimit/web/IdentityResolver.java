package dev.ratelimit.web;

import jakarta.servlet.http.HttpServletRequest;

/**
 * Decides whose budget a request is charged to. Declare a bean of this type to replace the
 * default (principal, else API key, else client address).
 *
 * @author rate-limit-spring-boot
 */
@FunctionalInterface
public interface IdentityResolver {

	/**
	 * Resolve the caller of a request.
	 * @param request the request
	 * @return the identity, never {@code null}
	 */
	Identity resolve(HttpServletRequest request);

}
