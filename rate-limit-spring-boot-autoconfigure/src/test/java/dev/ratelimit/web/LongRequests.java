package dev.ratelimit.web;

import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.async.DeferredResult;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

/**
 * Requests that stay in flight until the test ends them, in every asynchronous style
 * Spring MVC has: a server-sent event stream, a streaming body, a deferred result, a
 * callable; and one that fails. Each is open once its first bytes (or, for the deferred
 * result and the callable, its request) reached the handler, and ends when the test calls
 * {@link #end(String)}.
 */
@RestController
class LongRequests {

	private final Map<String, CompletableFuture<Void>> ends = new ConcurrentHashMap<>();

	private final Map<String, SseEmitter> emitters = new ConcurrentHashMap<>();

	private final Set<String> started = ConcurrentHashMap.newKeySet();

	/**
	 * Whether the handler of the request with the given id has been called: the filter
	 * admitted it, so it holds its leases.
	 * @param id the id the client put in the path
	 * @return whether it started
	 */
	boolean started(String id) {
		return this.started.contains(id);
	}

	/**
	 * End the request with the given id.
	 * @param id the id the client put in the path
	 */
	void end(String id) {
		SseEmitter emitter = this.emitters.remove(id);
		if (emitter != null) {
			emitter.complete();
		}
		this.ends.computeIfAbsent(id, (key) -> new CompletableFuture<>()).complete(null);
	}

	/**
	 * Send an event on an open stream, e.g. to notice that its client went away.
	 * @param id the stream's id
	 * @return whether the event could be sent
	 */
	boolean send(String id) {
		SseEmitter emitter = this.emitters.get(id);
		if (emitter == null) {
			return false;
		}
		try {
			emitter.send(SseEmitter.event().data("x".repeat(8192)));
			return true;
		}
		catch (IOException | IllegalStateException ex) {
			this.emitters.remove(id);
			return false;
		}
	}

	private void awaitEnd(String id) throws Exception {
		this.ends.computeIfAbsent(id, (key) -> new CompletableFuture<>()).get(30, TimeUnit.SECONDS);
	}

	@GetMapping(path = "/streams/{id}", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
	SseEmitter stream(@PathVariable String id) throws IOException {
		this.started.add(id);
		SseEmitter emitter = new SseEmitter(60_000L);
		this.emitters.put(id, emitter);
		// Commits the response, so the client sees the status at once.
		emitter.send(SseEmitter.event().name("open").data(id));
		return emitter;
	}

	@GetMapping("/slow/body/{id}")
	StreamingResponseBody body(@PathVariable String id) {
		this.started.add(id);
		return (out) -> {
			out.write("open\n".getBytes());
			out.flush();
			try {
				awaitEnd(id);
			}
			catch (Exception ex) {
				throw new IOException(ex);
			}
			out.write("done\n".getBytes());
		};
	}

	@GetMapping("/slow/deferred/{id}")
	DeferredResult<String> deferred(@PathVariable String id) {
		this.started.add(id);
		DeferredResult<String> result = new DeferredResult<>(60_000L);
		this.ends.computeIfAbsent(id, (key) -> new CompletableFuture<>()).thenRun(() -> result.setResult("done"));
		return result;
	}

	@GetMapping("/slow/callable/{id}")
	Callable<String> callable(@PathVariable String id) {
		this.started.add(id);
		return () -> {
			awaitEnd(id);
			return "done";
		};
	}

	@PostMapping("/slow/fails")
	String fails() {
		throw new IllegalStateException("the handler failed");
	}

}
