package dev.ratelimit.testfixtures;

import java.io.IOException;
import java.security.Principal;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Stands in for authentication in tests: the {@value #HEADER} request header names the
 * principal of the request, as Spring Security would after authenticating it. Test only:
 * a real application never takes a principal from a header the client chooses.
 *
 * @author rate-limit-spring-boot
 */
public final class HeaderPrincipalFilter extends OncePerRequestFilter {

	/**
	 * The request header that names the principal.
	 */
	public static final String HEADER = "X-Test-User";

	/**
	 * The filter, registered ahead of the rate limit filter as Spring Security is.
	 * @return the registration
	 */
	public static FilterRegistrationBean<HeaderPrincipalFilter> registration() {
		FilterRegistrationBean<HeaderPrincipalFilter> registration = new FilterRegistrationBean<>(
				new HeaderPrincipalFilter());
		registration.setOrder(-100);
		return registration;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		String name = request.getHeader(HEADER);
		if (name == null) {
			chain.doFilter(request, response);
			return;
		}
		Principal principal = () -> name;
		chain.doFilter(new HttpServletRequestWrapper(request) {

			@Override
			public Principal getUserPrincipal() {
				return principal;
			}

		}, response);
	}

}
