package dev.ratelimit.resilience;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Creates the bounded executor that runs a {@link ResilientRateLimiter}'s calls to its
 * backend.
 *
 * @author rate-limit-spring-boot
 */
public final class BackendCallExecutor {

	private BackendCallExecutor() {
	}

	/**
	 * Create an executor of daemon threads named {@code rate-limit-backend-N}: at most
	 * {@code maxConcurrentCalls} calls run at once and as many more wait; beyond that a
	 * call is rejected, so that a backend that hangs cannot pile up work without bound.
	 * @param maxConcurrentCalls the number of threads and the capacity of the queue
	 * @return the executor
	 */
	public static ExecutorService create(int maxConcurrentCalls) {
		ThreadPoolExecutor executor = new ThreadPoolExecutor(maxConcurrentCalls, maxConcurrentCalls, 30,
				TimeUnit.SECONDS, new ArrayBlockingQueue<>(maxConcurrentCalls), new DaemonThreads());
		executor.allowCoreThreadTimeOut(true);
		return executor;
	}

	private static final class DaemonThreads implements ThreadFactory {

		private final AtomicInteger count = new AtomicInteger();

		@Override
		public Thread newThread(Runnable task) {
			Thread thread = new Thread(task, "rate-limit-backend-" + this.count.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		}

	}

}
