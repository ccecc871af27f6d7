package dev.ratelimit.core;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;

/**
 * A task run now and then every interval on a daemon thread of its own, for background
 * work off the request path (the fleet's heartbeats, the override store's refreshes, the
 * sampling of dynamic limits' signals): a backend that hangs holds up neither the
 * application's startup nor a check. Pure Java (it logs through {@link System.Logger}),
 * so that every layer can use it.
 *
 * @author rate-limit-spring-boot
 */
public final class PeriodicTask {

	private static final System.Logger logger = System.getLogger(PeriodicTask.class.getName());

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
	public PeriodicTask(String threadName, Runnable task, Duration interval) {
		this.threadName = threadName;
		this.task = task;
		this.interval = interval;
	}

	/**
	 * Start running the task, at once and then every interval; does nothing when running.
	 */
	public void start() {
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
	public void stop() {
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
	public void stop(Runnable last, Duration wait) {
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
			logger.log(System.Logger.Level.DEBUG,
					"The last run of " + this.threadName + " did not complete within " + wait, ex);
		}
		finally {
			scheduler.shutdownNow();
		}
	}

	/**
	 * Whether the task is started.
	 * @return {@code true} between start and stop
	 */
	public boolean isRunning() {
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
