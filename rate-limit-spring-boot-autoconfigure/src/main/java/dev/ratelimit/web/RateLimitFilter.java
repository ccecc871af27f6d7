package dev.ratelimit.web;

import java.io.IOException;
import java.util.List;

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
 * callers cost no limiter call; a malformed request (a {@link MalformedRequestException}) gets a
 * {@code 400} without one. Every outcome is reported to the {@link RateLimitListener}s.
 *
 * @author rate-limit-spring-boot
 */
public final class RateLimitFilter extends OncePerRequestFilter {

	private final RequestPolicyResolver resolver;

	private final RateLimiter rateLimiter;

	private final RateLimitHeaderWriter headerWriter;

	private final RateLimitProblemWriter problemWriter;

	private final RateLimitListener[] listeners;

	public RateLimitFilter(RequestPolicyResolver resolver, RateLimiter rateLimiter, RateLimitHeaderWriter headerWriter,
			RateLimitProblemWriter problemWriter) {
		this(resolver, rateLimiter, headerWriter, problemWriter, List.of());
	}

	public RateLimitFilter(RequestPolicyResolver resolver, RateLimiter rateLimiter, RateLimitHeaderWriter headerWriter,
			RateLimitProblemWriter problemWriter, List<RateLimitListener> listeners) {
		this.resolver = resolver;
		this.rateLimiter = rateLimiter;
		this.headerWriter = headerWriter;
		this.problemWriter = problemWriter;
		this.listeners = listeners.toArray(new RateLimitListener[0]);
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		ResolvedRequest resolved;
		try {
			resolved = this.resolver.resolve(request);
		}
		catch (MalformedRequestException ex) {
			reject(request, response, ex);
			return;
		}
		if (resolved == null) {
			for (RateLimitListener listener : this.listeners) {
				listener.onExcluded(request);
			}
			chain.doFilter(request, response);
			return;
		}
		Decision decision = Decision.unlimited();
		long checkNanos = 0;
		if (!resolved.isUnlimited()) {
			long start = System.nanoTime();
			decision = this.rateLimiter.check(resolved.toRateLimitRequest());
			checkNanos = Math.max(1, System.nanoTime() - start);
		}
		for (RateLimitListener listener : this.listeners) {
			listener.onDecision(request, resolved, decision, checkNanos);
		}
		this.headerWriter.write(response, resolved, decision);
		if (decision.isAllowed()) {
			chain.doFilter(request, response);
		}
		else {
			this.problemWriter.write(request, response, resolved, decision);
		}
	}

	private void reject(HttpServletRequest request, HttpServletResponse response, MalformedRequestException rejection)
			throws IOException {
		if (logger.isDebugEnabled()) {
			// The message names what is wrong, never the value: that may be someone's key.
			logger.debug("Rejected a request with 400: " + rejection.getMessage());
		}
		for (RateLimitListener listener : this.listeners) {
			listener.onRejected(request, rejection);
		}
		this.problemWriter.writeRejected(request, response, rejection);
	}

}
