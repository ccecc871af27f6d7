package dev.ratelimit.sample;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * The timer of the fake model's latency and of the generation streams' events: waiting is
 * a scheduled task, not a sleeping servlet thread, so a thousand slow requests hold no
 * thousand threads.
 *
 * @author rate-limit-spring-boot
 */
@Component
final class SampleScheduler implements DisposableBean {

	private final ScheduledThreadPoolExecutor executor;

	SampleScheduler() {
		AtomicInteger threads = new AtomicInteger();
		this.executor = new ScheduledThreadPoolExecutor(2, (task) -> {
			Thread thread = new Thread(task, "sample-scheduler-" + threads.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		});
		// A cancelled stream (its client went away) leaves no task behind in the queue.
		this.executor.setRemoveOnCancelPolicy(true);
	}

	/**
	 * A future completed with the supplier's value after the given delay.
	 * @param <T> the type of the value
	 * @param delayMillis the delay
	 * @param value the supplier of the value
	 * @return the future
	 */
	<T> CompletableFuture<T> later(long delayMillis, Supplier<T> value) {
		CompletableFuture<T> future = new CompletableFuture<>();
		ScheduledFuture<?> task = this.executor.schedule(() -> {
			try {
				future.complete(value.get());
			}
			catch (RuntimeException ex) {
				future.completeExceptionally(ex);
			}
		}, delayMillis, TimeUnit.MILLISECONDS);
		// A future completed otherwise (cancelled by whoever waits for it) takes its
		// task out of the queue.
		future.whenComplete((result, failure) -> task.cancel(false));
		return future;
	}

	/**
	 * Run a task every {@code periodMillis}, the first time after one period.
	 * @param task the task
	 * @param periodMillis the period
	 * @return the future that cancels the task
	 */
	ScheduledFuture<?> every(Runnable task, long periodMillis) {
		return this.executor.scheduleAtFixedRate(task, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
	}

	/**
	 * The tasks waiting for their time: open streams and pending answers.
	 * @return the number of tasks
	 */
	int scheduledTasks() {
		return this.executor.getQueue().size();
	}

	@Override
	public void destroy() {
		this.executor.shutdownNow();
	}

}
