package dev.ratelimit.web;

import java.time.Duration;
import java.util.StringJoiner;

import dev.ratelimit.core.Decision;
import dev.ratelimit.core.LimitState;
import dev.ratelimit.core.Windows;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpHeaders;

/**
 * Writes the rate limit headers of a checked request, for the binding limit (the one that
 * decided). All times are in whole seconds, rounded up, as relative delays.
 * <ul>
 * <li>{@code X-RateLimit-Limit}, {@code X-RateLimit-Remaining}, {@code X-RateLimit-Reset}
 * (seconds until the limit is fully replenished);</li>
 * <li>with IETF headers on, {@code RateLimit-Policy} (every limit) and {@code RateLimit}
 * (the binding limit) as in draft-ietf-httpapi-ratelimit-headers-10;</li>
 * <li>{@code Retry-After} on a denied request (not on one shadow mode lets through, which
 * gets the other headers with the real remaining, 0);</li>
 * <li>{@code X-RateLimit-Burst-Used: true} and {@code X-RateLimit-Burst-Limit} (the
 * allowance per window) on a request admitted from its burst allowance, whose other
 * headers show the exhausted limit (remaining 0, and when it resets).</li>
 * </ul>
 *
 * @author rate-limit-spring-boot
 */
public final class RateLimitHeaderWriter {

	private final boolean legacy;

	private final boolean ietf;

	public RateLimitHeaderWriter(boolean legacy, boolean ietf) {
		this.legacy = legacy;
		this.ietf = ietf;
	}

	/**
	 * Write the headers.
	 * @param response the response
	 * @param request the resolved request
	 * @param decision the decision
	 */
	public void write(HttpServletResponse response, ResolvedRequest request, Decision decision) {
		// A request let through by shadow mode is not told to retry: it was not refused.
		if (!decision.isAllowed() && !request.isShadowed(decision)) {
			response.setHeader(HttpHeaders.RETRY_AFTER, Long.toString(retryAfterSeconds(decision)));
		}
		LimitState burst = decision.burstAllowance();
		if (burst != null && decision.isBurstUsed()) {
			response.setHeader("X-RateLimit-Burst-Used", "true");
			response.setHeader("X-RateLimit-Burst-Limit", Long.toString(burst.limit().limit()));
		}
		LimitState binding = decision.binding();
		if (binding == null || binding.limit().isBudget()) {
			// A budget is an amount, not a number of requests: the problem body says it.
			return;
		}
		if (this.legacy) {
			response.setHeader("X-RateLimit-Limit", Long.toString(binding.limit().limit()));
			response.setHeader("X-RateLimit-Remaining", Long.toString(binding.remaining()));
			response.setHeader("X-RateLimit-Reset", Long.toString(seconds(binding.resetAfter())));
		}
		if (this.ietf) {
			StringJoiner policies = new StringJoiner(", ");
			for (LimitState state : decision.limits()) {
				if (state.limit().isBudget()) {
					continue;
				}
				policies.add(policyName(request, state) + ";q=" + state.limit().limit() + ";w="
						+ seconds(state.limit().window()));
			}
			response.setHeader("RateLimit-Policy", policies.toString());
			response.setHeader("RateLimit",
					policyName(request, binding) + ";r=" + binding.remaining() + ";t=" + seconds(binding.resetAfter()));
		}
	}

	/**
	 * The Retry-After of a denied decision: whole seconds, rounded up, at least one.
	 * @param decision the decision
	 * @return the seconds to wait
	 */
	static long retryAfterSeconds(Decision decision) {
		return Math.max(1, seconds(decision.retryAfter()));
	}

	static long seconds(Duration duration) {
		long seconds = duration.getSeconds();
		return (duration.getNano() > 0) ? seconds + 1 : seconds;
	}

	private static String policyName(ResolvedRequest request, LimitState state) {
		return "\"" + request.operation().name() + "-" + Windows.format(state.limit().window()) + "\"";
	}

}
