package dev.ratelimit.sample;

import java.util.concurrent.CompletableFuture;

import com.fasterxml.jackson.annotation.JsonProperty;

import org.springframework.http.HttpStatus;
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

	private final SampleScheduler scheduler;

	AssistantController(SampleScheduler scheduler) {
		this.scheduler = scheduler;
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
		return this.scheduler.later(latency, () -> new Answer("A fake answer to a prompt of " + inputTokens + " words.",
				new Usage(inputTokens, maxTokens)));
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
