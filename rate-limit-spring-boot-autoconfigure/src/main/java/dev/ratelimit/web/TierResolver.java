package dev.ratelimit.web;

import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;

/**
 * Decides a caller's tier (plan). Declare a bean of this type to replace the default. The
 * tier must come from authenticated information, never from a value the client controls.
 *
 * @author rate-limit-spring-boot
 */
@FunctionalInterface
public interface TierResolver {

	/**
	 * Resolve the tier of a request's caller.
	 * @param request the request
	 * @param identity the caller
	 * @return the tier name, or {@code null} for the default tier
	 */
	@Nullable String resolveTier(HttpServletRequest request, Identity identity);

}
