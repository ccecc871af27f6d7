package dev.ratelimit.web;

import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;

import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;

/**
 * Reads the tier from the authenticated caller's granted authorities: an authority
 * {@code TIER_pro} (with the default prefix) puts the caller on tier {@code pro}.
 *
 * @author rate-limit-spring-boot
 */
public final class AuthorityTierResolver implements TierResolver {

	private final String prefix;

	public AuthorityTierResolver(String prefix) {
		this.prefix = prefix;
	}

	@Override
	public @Nullable String resolveTier(HttpServletRequest request, Identity identity) {
		Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
		if (authentication == null || !authentication.isAuthenticated()) {
			return null;
		}
		for (GrantedAuthority authority : authentication.getAuthorities()) {
			String name = authority.getAuthority();
			if (name != null && name.length() > this.prefix.length()
					&& name.regionMatches(true, 0, this.prefix, 0, this.prefix.length())) {
				return name.substring(this.prefix.length());
			}
		}
		return null;
	}

}
