package dev.ratelimit.redis;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * A task run now and then every interval on a daemon thread of its own, for the
 * background work of a Redis component (the fleet's heartbeats, the override store's
 * refreshes): a Redis that hangs holds up neither the application's startup nor a check.
 *
 * @author rate-limit-spring-boot
 */
final class PeriodicTask {

	private static final Log logger = LogFactory.getLog(PeriodicTask.class);

	private final String threadName;

	private final Runnable task;

	private final Duration interval;

	private final Object monitor = new Object();

	private @Nullable ScheduledExecutorService scheduler;

	/**
	 * Create a task; it runs once {@linkplain #start() started}.
	 * @param threadName the name of its thread
	 * @param task what to run
	 * @param interval the delay between the end of one run and the start of the next
	 */
	PeriodicTask(String threadName, Runnable task, Duration interval) {
		this.threadName = threadName;
		this.task = task;
		this.interval = interval;
	}

	void start() {
		synchronized (this.monitor) {
			if (this.scheduler != null) {
				return;
			}
			ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor((runnable) -> {
				Thread thread = new Thread(runnable, this.threadName);
				thread.setDaemon(true);
				return thread;
			});
			scheduler.scheduleWithFixedDelay(this.task, 0, this.interval.toMillis(), TimeUnit.MILLISECONDS);
			this.scheduler = scheduler;
		}
	}

	/**
	 * Stop at once, interrupting a run in progress.
	 */
	void stop() {
		ScheduledExecutorService scheduler = take();
		if (scheduler != null) {
			scheduler.shutdownNow();
		}
	}

	/**
	 * Stop after one last task, run on the task's thread after a run in progress, waiting
	 * for it at most {@code wait}.
	 * @param last the last task
	 * @param wait how long to wait for it
	 */
	void stop(Runnable last, Duration wait) {
		ScheduledExecutorService scheduler = take();
		if (scheduler == null) {
			return;
		}
		Future<?> lastRun = scheduler.submit(last);
		scheduler.shutdown();
		try {
			lastRun.get(wait.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (Exception ex) {
			if (ex instanceof InterruptedException) {
				Thread.currentThread().interrupt();
			}
			logger.debug("The last run of " + this.threadName + " did not complete within " + wait, ex);
		}
		finally {
			scheduler.shutdownNow();
		}
	}

	boolean isRunning() {
		synchronized (this.monitor) {
			return this.scheduler != null;
		}
	}

	private @Nullable ScheduledExecutorService take() {
		synchronized (this.monitor) {
			ScheduledExecutorService scheduler = this.scheduler;
			this.scheduler = null;
			return scheduler;
		}
	}

}
