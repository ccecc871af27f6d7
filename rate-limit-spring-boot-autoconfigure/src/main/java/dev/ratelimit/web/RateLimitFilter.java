package dev.ratelimit.web;

import java.io.IOException;
import java.util.List;

import dev.ratelimit.core.Decision;
import dev.ratelimit.core.RateLimiter;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;

import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Enforces the rate limits of every request: resolves what applies, makes one limiter
 * call, writes the headers, and either continues the chain or writes the denial. Callers
 * on the {@link AccessLists} are let through or refused with {@code 403} first; they,
 * excluded paths and unlimited callers cost no limiter call; a malformed request (a
 * {@link MalformedRequestException}) gets a {@code 400} without one. Every outcome is
 * reported to the {@link RateLimitListener}s. An operation in shadow mode lets a denied
 * request through (it consumed nothing) and reports it as shadowed.
 * <p>
 * Each limiter call is an {@link Observation}
 * ({@value DefaultRateLimitCheckObservationConvention#NAME}, see
 * {@link RateLimitCheckObservationConvention}), so that tracing shows a span per check
 * and Boot's meter observation handler times it. Without an {@link ObservationRegistry}
 * the call is made as it is, at no cost.
 *
 * @author rate-limit-spring-boot
 */
public final class RateLimitFilter extends OncePerRequestFilter {

	private static final RateLimitCheckObservationConvention DEFAULT_CONVENTION = new DefaultRateLimitCheckObservationConvention();

	private final RequestPolicyResolver resolver;

	private final RateLimiter rateLimiter;

	private final RateLimitHeaderWriter headerWriter;

	private final RateLimitProblemWriter problemWriter;

	private final RateLimitListener[] listeners;

	private final ObservationRegistry observationRegistry;

	private final @Nullable RateLimitCheckObservationConvention observationConvention;

	private final AccessLists accessLists;

	public RateLimitFilter(RequestPolicyResolver resolver, RateLimiter rateLimiter, RateLimitHeaderWriter headerWriter,
			RateLimitProblemWriter problemWriter) {
		this(resolver, rateLimiter, headerWriter, problemWriter, List.of());
	}

	public RateLimitFilter(RequestPolicyResolver resolver, RateLimiter rateLimiter, RateLimitHeaderWriter headerWriter,
			RateLimitProblemWriter problemWriter, List<RateLimitListener> listeners) {
		this(resolver, rateLimiter, headerWriter, problemWriter, listeners, ObservationRegistry.NOOP, null);
	}

	/**
	 * Create a filter that observes every limiter call.
	 * @param resolver resolves what applies to a request
	 * @param rateLimiter the limiter
	 * @param headerWriter writes the rate limit headers
	 * @param problemWriter writes denials and rejections
	 * @param listeners told of every outcome
	 * @param observationRegistry the registry to observe limiter calls with;
	 * {@link ObservationRegistry#NOOP} for none
	 * @param observationConvention the convention to observe them by, or {@code null} for
	 * the {@link DefaultRateLimitCheckObservationConvention}
	 */
	public RateLimitFilter(RequestPolicyResolver resolver, RateLimiter rateLimiter, RateLimitHeaderWriter headerWriter,
			RateLimitProblemWriter problemWriter, List<RateLimitListener> listeners,
			ObservationRegistry observationRegistry,
			@Nullable RateLimitCheckObservationConvention observationConvention) {
		this(resolver, rateLimiter, headerWriter, problemWriter, listeners, observationRegistry, observationConvention,
				AccessLists.none());
	}

	/**
	 * Create a filter that observes every limiter call and lets the callers on the allow
	 * list through, and refuses those on the deny list, before anything else.
	 * @param resolver resolves what applies to a request
	 * @param rateLimiter the limiter
	 * @param headerWriter writes the rate limit headers
	 * @param problemWriter writes denials and rejections
	 * @param listeners told of every outcome
	 * @param observationRegistry the registry to observe limiter calls with;
	 * {@link ObservationRegistry#NOOP} for none
	 * @param observationConvention the convention to observe them by, or {@code null} for
	 * the {@link DefaultRateLimitCheckObservationConvention}
	 * @param accessLists the callers never limited and those always refused
	 */
	public RateLimitFilter(RequestPolicyResolver resolver, RateLimiter rateLimiter, RateLimitHeaderWriter headerWriter,
			RateLimitProblemWriter problemWriter, List<RateLimitListener> listeners,
			ObservationRegistry observationRegistry,
			@Nullable RateLimitCheckObservationConvention observationConvention, AccessLists accessLists) {
		this.accessLists = accessLists;
		this.resolver = resolver;
		this.rateLimiter = rateLimiter;
		this.headerWriter = headerWriter;
		this.problemWriter = problemWriter;
		this.listeners = listeners.toArray(new RateLimitListener[0]);
		this.observationRegistry = observationRegistry;
		this.observationConvention = observationConvention;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		AccessLists.Listing listing = this.accessLists.match(request);
		if (listing != AccessLists.Listing.NOT_LISTED) {
			filterListed(request, response, chain, listing);
			return;
		}
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
			// For the listeners, whose contract includes the call's duration; the timer
			// of the ratelimit.check meter comes from the observation.
			long start = System.nanoTime();
			decision = check(request, resolved);
			checkNanos = Math.max(1, System.nanoTime() - start);
		}
		for (RateLimitListener listener : this.listeners) {
			listener.onDecision(request, resolved, decision, checkNanos);
		}
		this.headerWriter.write(response, resolved, decision);
		RequestCharge charge = null;
		if (decision.isAllowed() && resolved.hasBudgets()) {
			charge = new RequestCharge(this.rateLimiter, resolved, this.listeners);
			request.setAttribute(RequestCharge.ATTRIBUTE, charge);
		}
		if (decision.isAllowed() && (!decision.leases().isEmpty() || charge != null)) {
			filterHoldingLeases(request, response, chain, decision, charge);
		}
		else if (decision.isAllowed()) {
			chain.doFilter(request, response);
		}
		else if (resolved.isShadowed(decision)) {
			if (logger.isDebugEnabled()) {
				// Configuration names only: never the caller's identity or a key.
				logger.debug("Shadow mode let through a request that operation '" + resolved.operation().name()
						+ "' on tier '" + resolved.tier().name() + "' would have denied");
			}
			// Denied means nothing was consumed: no lease to hold, no budget to charge.
			chain.doFilter(request, response);
		}
		else {
			this.problemWriter.write(request, response, resolved, decision);
		}
	}

	/**
	 * Continue the chain while the request holds its leases, and release them when the
	 * response is really complete: at once for a synchronous request (also when the
	 * handler throws), else when its asynchronous processing completes, fails or times
	 * out (also when the client went away), exactly once. The request's budgets are
	 * charged at the same moment, with what the handler reported.
	 */
	private void filterHoldingLeases(HttpServletRequest request, HttpServletResponse response, FilterChain chain,
			Decision decision, @Nullable RequestCharge charge) throws ServletException, IOException {
		LeaseRelease release = new LeaseRelease(this.rateLimiter, decision, charge);
		try {
			chain.doFilter(request, response);
		}
		finally {
			if (request.isAsyncStarted()) {
				try {
					request.getAsyncContext().addListener(release);
				}
				catch (IllegalStateException ex) {
					// Completed meanwhile (a fast DeferredResult): the response is done.
					release.run();
				}
			}
			else {
				release.run();
			}
		}
	}

	/**
	 * A listed caller costs no limiter call: the allowed one continues without headers or
	 * charges, the denied one gets its {@code 403}.
	 */
	private void filterListed(HttpServletRequest request, HttpServletResponse response, FilterChain chain,
			AccessLists.Listing listing) throws ServletException, IOException {
		for (RateLimitListener listener : this.listeners) {
			listener.onListed(request, listing);
		}
		if (listing == AccessLists.Listing.DENYLISTED) {
			this.problemWriter.writeDenylisted(request, response);
		}
		else {
			chain.doFilter(request, response);
		}
	}

	private Decision check(HttpServletRequest request, ResolvedRequest resolved) {
		if (this.observationRegistry.isNoop()) {
			return this.rateLimiter.check(resolved.toRateLimitRequest());
		}
		RateLimitCheckObservationContext context = new RateLimitCheckObservationContext(request, resolved);
		Observation observation = Observation
			.createNotStarted(this.observationConvention, DEFAULT_CONVENTION, () -> context, this.observationRegistry)
			.start();
		// In scope, so that what the limiter observes on this thread becomes a child of
		// the check.
		try (Observation.Scope scope = observation.openScope()) {
			Decision decision = this.rateLimiter.check(resolved.toRateLimitRequest());
			context.setDecision(decision);
			return decision;
		}
		catch (RuntimeException ex) {
			observation.error(ex);
			throw ex;
		}
		finally {
			observation.stop();
		}
	}

	private void reject(HttpServletRequest request, HttpServletResponse response, MalformedRequestException rejection)
			throws IOException {
		if (logger.isDebugEnabled()) {
			// The message names what is wrong, never the value: that may be someone's
			// key.
			logger.debug("Rejected a request with 400: " + rejection.getMessage());
		}
		for (RateLimitListener listener : this.listeners) {
			listener.onRejected(request, rejection);
		}
		this.problemWriter.writeRejected(request, response, rejection);
	}

}
