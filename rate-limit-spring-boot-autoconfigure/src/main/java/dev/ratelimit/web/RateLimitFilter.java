package dev.ratelimit.web;

import java.io.IOException;

import dev.ratelimit.core.Decision;
import dev.ratelimit.core.RateLimiter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Enforces the rate limits of every request: resolves what applies, makes one limiter call, writes
 * the headers, and either continues the chain or writes the denial. Excluded paths and unlimited
 * callers cost no limiter call.
 *
 * @author rate-limit-spring-boot
 */
public final class RateLimitFilter extends OncePerRequestFilter {

	private final RequestPolicyResolver resolver;

	private final RateLimiter rateLimiter;

	private final RateLimitHeaderWriter headerWriter;

	private final RateLimitProblemWriter problemWriter;

	public RateLimitFilter(RequestPolicyResolver resolver, RateLimiter rateLimiter, RateLimitHeaderWriter headerWriter,
			RateLimitProblemWriter problemWriter) {
		this.resolver = resolver;
		this.rateLimiter = rateLimiter;
		this.headerWriter = headerWriter;
		this.problemWriter = problemWriter;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		ResolvedRequest resolved = this.resolver.resolve(request);
		if (resolved == null || resolved.isUnlimited()) {
			chain.doFilter(request, response);
			return;
		}
		Decision decision = this.rateLimiter.check(resolved.toRateLimitRequest());
		this.headerWriter.write(response, resolved, decision);
		if (decision.isAllowed()) {
			chain.doFilter(request, response);
		}
		else {
			this.problemWriter.write(request, response, resolved, decision);
		}
	}

}
