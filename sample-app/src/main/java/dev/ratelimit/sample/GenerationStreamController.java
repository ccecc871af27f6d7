package dev.ratelimit.sample;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicInteger;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * A generation's progress as server-sent events: one event every 250 ms for the requested
 * number of seconds. Limited by a path rule ({@code generation_stream}); the events are
 * sent from the {@link SampleScheduler}, so an open stream holds no servlet thread.
 *
 * @author rate-limit-spring-boot
 */
@RestController
class GenerationStreamController {

	static final long EVENT_INTERVAL_MILLIS = 250;

	static final int MAX_SECONDS = 30;

	private final SampleScheduler scheduler;

	GenerationStreamController(SampleScheduler scheduler) {
		this.scheduler = scheduler;
	}

	@GetMapping("/api/v2/generation/generate/{id}/stream")
	SseEmitter stream(@PathVariable String id, @RequestParam(defaultValue = "2") int seconds) {
		if (seconds < 1 || seconds > MAX_SECONDS) {
			throw new ResponseStatusException(HttpStatus.BAD_REQUEST,
					"seconds must be between 1 and " + MAX_SECONDS + ", was " + seconds);
		}
		int events = (int) (seconds * 1000 / EVENT_INTERVAL_MILLIS);
		// Longer than the stream: Spring MVC's default async timeout must not cut it.
		SseEmitter emitter = new SseEmitter(seconds * 1000L + 10_000);
		new Stream(id, events, emitter).start();
		return emitter;
	}

	/**
	 * One open stream: sends its events and stops early when the client goes away.
	 */
	private final class Stream implements Runnable {

		private final String id;

		private final int events;

		private final SseEmitter emitter;

		private final AtomicInteger sent = new AtomicInteger();

		private volatile ScheduledFuture<?> task;

		Stream(String id, int events, SseEmitter emitter) {
			this.id = id;
			this.events = events;
			this.emitter = emitter;
		}

		void start() {
			this.emitter.onCompletion(this::stop);
			this.emitter.onTimeout(this::stop);
			this.emitter.onError((ex) -> stop());
			this.task = GenerationStreamController.this.scheduler.every(this, EVENT_INTERVAL_MILLIS);
		}

		@Override
		public void run() {
			int index = this.sent.incrementAndGet();
			if (index > this.events) {
				stop();
				return;
			}
			try {
				this.emitter.send(SseEmitter.event()
					.id(Integer.toString(index))
					.name("progress")
					.data(Map.of("id", this.id, "event", index, "of", this.events), MediaType.APPLICATION_JSON));
				if (index == this.events) {
					stop();
					this.emitter.complete();
				}
			}
			catch (IOException | IllegalStateException ex) {
				// The client went away (the container then completes the emitter with the
				// error) or the emitter is already complete.
				stop();
			}
		}

		private void stop() {
			ScheduledFuture<?> task = this.task;
			if (task != null) {
				task.cancel(false);
			}
		}

	}

}
