package dev.ratelimit.sample;

import java.math.BigDecimal;
import java.security.Principal;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.ratelimit.admin.RateLimitUsage;
import dev.ratelimit.web.RateLimitCharges;
import dev.ratelimit.web.RequestCharge;
import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * A fake AI assistant: it waits as long as a model would ({@code latency_ms}) and answers
 * with the usage a model reports. Limited by a path rule ({@code assistant_query}). The
 * wait is a scheduled completion of an asynchronous result, not a sleeping servlet
 * thread.
 *
 * @author rate-limit-spring-boot
 */
@RestController
class AssistantController {

	static final long DEFAULT_MAX_TOKENS = 100;

	static final long MAX_MAX_TOKENS = 10_000_000;

	static final long DEFAULT_LATENCY_MILLIS = 200;

	static final long MAX_LATENCY_MILLIS = 10_000;

	/**
	 * The example price of an input token of a small hosted model, in dollars.
	 */
	static final BigDecimal INPUT_TOKEN_PRICE = new BigDecimal("0.0000002");

	/**
	 * The example price of an output token, in dollars.
	 */
	static final BigDecimal OUTPUT_TOKEN_PRICE = new BigDecimal("0.0000006");

	private final SampleScheduler scheduler;

	private final RateLimitCharges charges;

	private final ObjectProvider<RateLimitUsage> usage;

	/**
	 * Create the controller.
	 * @param scheduler answers later, off the servlet thread
	 * @param charges reports each answer's cost
	 * @param usage the callers' usage; absent with {@code rate-limit.enabled=false}
	 */
	AssistantController(SampleScheduler scheduler, RateLimitCharges charges, ObjectProvider<RateLimitUsage> usage) {
		this.scheduler = scheduler;
		this.charges = charges;
		this.usage = usage;
	}

	@PostMapping("/api/v1/assistant/query")
	CompletableFuture<Answer> query(@RequestBody Query query) {
		if (query.prompt() == null || query.prompt().isBlank()) {
			throw badRequest("prompt is required");
		}
		long maxTokens = orDefault(query.maxTokens(), DEFAULT_MAX_TOKENS);
		if (maxTokens < 1 || maxTokens > MAX_MAX_TOKENS) {
			throw badRequest("max_tokens must be between 1 and " + MAX_MAX_TOKENS + ", was " + maxTokens);
		}
		long latency = orDefault(query.latencyMillis(), DEFAULT_LATENCY_MILLIS);
		if (latency < 0 || latency > MAX_LATENCY_MILLIS) {
			throw badRequest("latency_ms must be between 0 and " + MAX_LATENCY_MILLIS + ", was " + latency);
		}
		long inputTokens = words(query.prompt());
		// Taken on the request's thread: the answer comes on the scheduler's.
		RequestCharge charge = this.charges.current();
		return this.scheduler.later(latency, () -> {
			Answer answer = new Answer("A fake answer to a prompt of " + inputTokens + " words.",
					new Usage(inputTokens, maxTokens));
			// The real cost, known only now; charged to usd when the response completes.
			charge.charge("usd", cost(answer.usage()));
			return answer;
		});
	}

	/**
	 * The caller's own usage of the assistant: its limits and what it spent today. Not an
	 * assistant query itself (a GET, so the default operation limits it).
	 * @param request the request, which names the caller
	 * @param caller the authenticated caller
	 * @return the usage
	 */
	@GetMapping("/api/v1/assistant/stats")
	Map<String, Object> stats(HttpServletRequest request, @Nullable Principal caller) {
		if (caller == null) {
			throw new ResponseStatusException(HttpStatus.UNAUTHORIZED, "stats are a caller's own: send an API key");
		}
		RateLimitUsage rateLimitUsage = this.usage.getIfAvailable();
		if (rateLimitUsage == null) {
			throw new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE, "rate limiting is disabled");
		}
		RateLimitUsage.Usage usage = rateLimitUsage.current(request, "assistant_query");
		Map<String, Object> limits = new LinkedHashMap<>();
		limits.put("minute", limit(usage.limit("caller", "1m")));
		limits.put("hour", limit(usage.limit("caller", "1h")));
		limits.put("day", limit(usage.limit("caller", "1d")));
		RateLimitUsage.BudgetUsage usd = usage.budget("caller", "usd");
		Map<String, Object> cost = new LinkedHashMap<>();
		if (usd != null) {
			cost.put("today", usd.spent());
			cost.put("limit", usd.limit());
			cost.put("remaining", usd.remaining());
		}
		Map<String, Object> stats = new LinkedHashMap<>();
		stats.put("user_id", caller.getName());
		stats.put("limits", limits);
		stats.put("cost", cost);
		return stats;
	}

	/**
	 * What a query costs: input_tokens x $0.0000002 + output_tokens x $0.0000006, exact.
	 * @param usage the tokens
	 * @return the dollars
	 */
	static BigDecimal cost(Usage usage) {
		return INPUT_TOKEN_PRICE.multiply(BigDecimal.valueOf(usage.inputTokens()))
			.add(OUTPUT_TOKEN_PRICE.multiply(BigDecimal.valueOf(usage.outputTokens())));
	}

	private static Map<String, Long> limit(RateLimitUsage.LimitUsage limit) {
		if (limit == null) {
			return null;
		}
		Map<String, Long> usage = new LinkedHashMap<>();
		usage.put("current", limit.current());
		usage.put("limit", limit.limit());
		usage.put("remaining", limit.remaining());
		return usage;
	}

	private static long orDefault(Long value, long defaultValue) {
		return (value != null) ? value : defaultValue;
	}

	private static long words(String prompt) {
		return prompt.trim().split("\\s+").length;
	}

	private static ResponseStatusException badRequest(String reason) {
		return new ResponseStatusException(HttpStatus.BAD_REQUEST, reason);
	}

	/**
	 * The request body.
	 *
	 * @param prompt the prompt, required
	 * @param maxTokens the tokens to answer with, 100 when absent
	 * @param latencyMillis how long the model takes, 200 ms when absent
	 */
	record Query(String prompt, @JsonProperty("max_tokens") Long maxTokens,
			@JsonProperty("latency_ms") Long latencyMillis) {

	}

	/**
	 * The answer.
	 *
	 * @param answer the text
	 * @param usage the tokens the query took
	 */
	record Answer(String answer, Usage usage) {

	}

	/**
	 * The tokens of one query, as a model reports them.
	 *
	 * @param inputTokens the words of the prompt
	 * @param outputTokens the requested {@code max_tokens}
	 */
	record Usage(@JsonProperty("input_tokens") long inputTokens, @JsonProperty("output_tokens") long outputTokens) {

	}

}
