package dev.ratelimit.sample;

import java.io.IOException;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * DEMO ONLY: authenticates {@code X-API-Key: demo-<tier>-<anything>} as the user named by
 * the key, with the authority {@code TIER_<tier>}. A real application validates keys
 * against a store.
 *
 * @author rate-limit-spring-boot
 */
final class DemoApiKeyAuthenticationFilter extends OncePerRequestFilter {

	private static final Pattern DEMO_KEY = Pattern.compile("demo-(free|pro|business|enterprise)-[A-Za-z0-9._-]{1,64}");

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		String key = request.getHeader("X-API-Key");
		Matcher matcher = (key != null) ? DEMO_KEY.matcher(key) : null;
		if (matcher != null && matcher.matches()) {
			SecurityContextHolder.getContext()
				.setAuthentication(UsernamePasswordAuthenticationToken.authenticated(key, null,
						List.of(new SimpleGrantedAuthority("TIER_" + matcher.group(1)))));
		}
		chain.doFilter(request, response);
	}

}
