package dev.ratelimit.web;

import java.security.Principal;

import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;

import org.springframework.util.StringUtils;

/**
 * Identifies the caller by the authenticated principal, else by the API key header, else by the
 * client address. Every value is hashed.
 *
 * @author rate-limit-spring-boot
 */
public final class DefaultIdentityResolver implements IdentityResolver {

	private final @Nullable String apiKeyHeader;

	private final ClientAddressResolver clientAddressResolver;

	/**
	 * Create a resolver.
	 * @param apiKeyHeader the API key header, or {@code null} or empty to not identify by API key
	 * @param clientAddressResolver resolves the client address
	 */
	public DefaultIdentityResolver(@Nullable String apiKeyHeader, ClientAddressResolver clientAddressResolver) {
		this.apiKeyHeader = StringUtils.hasText(apiKeyHeader) ? apiKeyHeader : null;
		this.clientAddressResolver = clientAddressResolver;
	}

	@Override
	public Identity resolve(HttpServletRequest request) {
		Principal principal = request.getUserPrincipal();
		if (principal != null && StringUtils.hasText(principal.getName())) {
			return Identity.user(principal.getName());
		}
		if (this.apiKeyHeader != null) {
			String apiKey = request.getHeader(this.apiKeyHeader);
			if (StringUtils.hasText(apiKey)) {
				return Identity.apiKey(apiKey.trim());
			}
		}
		return Identity.address(this.clientAddressResolver.resolve(request));
	}

}
