package dev.ratelimit.web;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.ratelimit.core.Decision;
import dev.ratelimit.core.LimitState;
import dev.ratelimit.core.ScopeKind;
import dev.ratelimit.core.Windows;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;

/**
 * Answers a denied request with {@code 429 Too Many Requests} (or
 * {@code 503 Service Unavailable} when the limiter fails closed, see
 * {@link Decision#isUnavailable()}) and an {@code application/problem+json} body (RFC
 * 9457): type, title, status, detail, instance, and the extension members operation,
 * tier, limit, window, remaining, retryAfter, when dynamic multipliers adjusted the
 * caller's limit its adjustments and, when the tier has one, upgradeUrl. A request
 * rejected as malformed gets a {@code 400} problem, and one whose caller is on the deny
 * list a {@code 403} problem.
 *
 * @author rate-limit-spring-boot
 */
public final class ProblemDetailRateLimitProblemWriter implements RateLimitProblemWriter {

	private static final URI ABOUT_BLANK = URI.create("about:blank");

	private final URI type;

	private final JsonMapper jsonMapper;

	public ProblemDetailRateLimitProblemWriter(URI type, JsonMapper jsonMapper) {
		this.type = type;
		this.jsonMapper = jsonMapper;
	}

	@Override
	public void write(HttpServletRequest request, HttpServletResponse response, ResolvedRequest resolved,
			Decision decision) throws IOException {
		write(response, problem(request, resolved, decision));
	}

	/**
	 * Answers {@code 400 Bad Request} with an {@code about:blank} problem whose detail is
	 * the rejection's message (which never repeats the offending value).
	 */
	@Override
	public void writeRejected(HttpServletRequest request, HttpServletResponse response,
			MalformedRequestException rejection) throws IOException {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, rejection.getMessage());
		problem.setType(ABOUT_BLANK);
		problem.setTitle(HttpStatus.BAD_REQUEST.getReasonPhrase());
		problem.setInstance(instance(request));
		write(response, problem);
	}

	/**
	 * Answers {@code 403 Forbidden} with an {@code about:blank} problem that says the
	 * caller is not accepted, without naming the caller's address or name.
	 */
	@Override
	public void writeDenylisted(HttpServletRequest request, HttpServletResponse response) throws IOException {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.FORBIDDEN,
				"Requests from this caller are not accepted.");
		problem.setType(ABOUT_BLANK);
		problem.setTitle(HttpStatus.FORBIDDEN.getReasonPhrase());
		problem.setInstance(instance(request));
		write(response, problem);
	}

	private void write(HttpServletResponse response, ProblemDetail problem) throws IOException {
		response.setStatus(problem.getStatus());
		response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
		response.setCharacterEncoding("UTF-8");
		this.jsonMapper.writeValue(response.getOutputStream(), toMap(problem));
	}

	/**
	 * The problem of a denied request.
	 * @param request the request
	 * @param resolved what the rules said about it
	 * @param decision the decision
	 * @return the problem
	 */
	ProblemDetail problem(HttpServletRequest request, ResolvedRequest resolved, Decision decision) {
		LimitState binding = decision.binding();
		long retryAfter = RateLimitHeaderWriter.retryAfterSeconds(decision);
		String operation = resolved.operation().name();
		String tier = resolved.tier().name();
		HttpStatus status = decision.isUnavailable() ? HttpStatus.SERVICE_UNAVAILABLE : HttpStatus.TOO_MANY_REQUESTS;
		ProblemDetail problem = ProblemDetail.forStatus(status);
		problem.setType(this.type);
		problem.setTitle(status.getReasonPhrase());
		problem.setInstance(instance(request));
		problem.setProperty("operation", operation);
		problem.setProperty("tier", tier);
		if (binding != null) {
			ScopeKind scope = decision.scopes().isEmpty() ? resolved.scopeKind() : decision.scopeOf(binding);
			String whose = (scope == ScopeKind.GLOBAL) ? "(all callers together)" : "on tier '" + tier + "'";
			if (binding.limit().isBudget()) {
				BigDecimal spent = Budgets.amount(binding.spentMicros());
				BigDecimal limit = Budgets.amount(binding.limit().limit());
				String window = Windows.format(binding.limit().window());
				problem.setDetail("Budget '" + binding.limit().name() + "' spent for operation '" + operation + "' "
						+ whose + ": " + spent.toPlainString() + " of " + limit.toPlainString() + " per " + window
						+ " (scope " + scope.value() + "). Retry in " + count(retryAfter, "second")
						+ ", when the window resets.");
				problem.setProperty("budget", binding.limit().name());
				problem.setProperty("spent", spent);
				problem.setProperty("limit", limit);
				problem.setProperty("window", window);
				problem.setProperty("remaining", Budgets.amount(Math.max(0, binding.remaining())));
				problem.setProperty("scope", scope.value());
				problem.setProperty("retryAfter", retryAfter);
				if (resolved.tier().upgradeUrl() != null) {
					problem.setProperty("upgradeUrl", resolved.tier().upgradeUrl());
				}
				return problem;
			}
			if (binding.limit().isConcurrency()) {
				problem.setDetail("Concurrency limit exceeded for operation '" + operation + "' " + whose + ": at most "
						+ count(binding.limit().limit(), "request") + " in flight at once. Retry in "
						+ count(retryAfter, "second") + ", or when one of them completes.");
				problem.setProperty("limit", binding.limit().limit());
				problem.setProperty("concurrent", true);
			}
			else {
				String window = Windows.format(binding.limit().window());
				problem.setDetail("Rate limit exceeded for operation '" + operation + "' " + whose + ": at most "
						+ binding.limit().limit() + " per " + window + ". Retry in " + count(retryAfter, "second")
						+ ".");
				problem.setProperty("limit", binding.limit().limit());
				problem.setProperty("window", window);
			}
			problem.setProperty("remaining", binding.remaining());
			problem.setProperty("scope", scope.value());
			if (scope != ScopeKind.GLOBAL && !resolved.adjustments().isEmpty()) {
				// The limit shown is the effective one; say what made it so.
				problem.setProperty("adjustments", resolved.adjustments().multipliers());
			}
		}
		else if (decision.isUnavailable()) {
			problem.setDetail("Rate limits cannot be checked right now. Retry in " + count(retryAfter, "second") + ".");
		}
		problem.setProperty("retryAfter", retryAfter);
		if (resolved.tier().upgradeUrl() != null) {
			problem.setProperty("upgradeUrl", resolved.tier().upgradeUrl());
		}
		return problem;
	}

	private static URI instance(HttpServletRequest request) {
		try {
			return URI.create(request.getRequestURI());
		}
		catch (IllegalArgumentException ex) {
			return ABOUT_BLANK;
		}
	}

	private static Map<String, Object> toMap(ProblemDetail problem) {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("type", problem.getType().toString());
		body.put("title", problem.getTitle());
		body.put("status", problem.getStatus());
		body.put("detail", problem.getDetail());
		body.put("instance", String.valueOf(problem.getInstance()));
		if (problem.getProperties() != null) {
			body.putAll(problem.getProperties());
		}
		return body;
	}

	private static String count(long number, String unit) {
		return number + " " + unit + ((number == 1) ? "" : "s");
	}

}
