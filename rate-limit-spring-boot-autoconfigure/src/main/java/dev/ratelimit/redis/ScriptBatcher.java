package dev.ratelimit.redis;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import dev.ratelimit.core.Decision;
import org.jspecify.annotations.Nullable;

/**
 * Sends checks to Redis as they come, and the checks that come while earlier ones are
 * still on their way as one call of the batch script: group commit, as a database batches
 * the commits that arrive during a disk write. A check that finds nothing in flight is
 * sent at once as the plain script, so a quiet application waits for nothing and sends
 * exactly what it sent without batching; under load, many checks share one command, one
 * network write, one read and one wake-up of the client's event loop, which is most of
 * what a check costs the application and Redis.
 * <p>
 * Batching changes nothing a check decides: Redis runs a script without interleaving
 * anything, so a batch is its checks run one after the other, each all-or-nothing on its
 * own. A check waits at most for the call in flight before it is sent.
 * <p>
 * No lock is shared by the requests: checks wait in a lock-free queue, and the number of
 * calls in flight is one atomic counter. Whoever finds a free place in flight, a
 * request's thread or the client's thread completing a call, sends what is queued.
 * <p>
 * A call whose checks have all been abandoned (their callers stopped waiting: Redis is
 * slow or frozen) is cancelled, which frees its place, so that checks queued behind it,
 * such as a circuit breaker's probes, are not held back by a call that may never come
 * back.
 *
 * @author rate-limit-spring-boot
 */
final class ScriptBatcher {

	/**
	 * Calls in flight at once when batching. One lets a batch form while the previous one
	 * is on its way; more would send smaller batches sooner, for more work per check.
	 */
	private static final int BATCHING_IN_FLIGHT = 1;

	/**
	 * The most checks in one call: enough for every thread of a busy servlet container,
	 * few enough that the script's argument lists stay small.
	 */
	private static final int MAX_BATCH_SIZE = 64;

	private static final byte[][] COUNTS = new byte[2 * MAX_BATCH_SIZE + 1][];

	static {
		for (int i = 0; i < COUNTS.length; i++) {
			COUNTS[i] = Integer.toString(i).getBytes(StandardCharsets.US_ASCII);
		}
	}

	@SuppressWarnings("rawtypes")
	private final LuaScript<List> script;

	@SuppressWarnings("rawtypes")
	private final LuaScript<List> batchScript;

	private final Execution execution;

	private final Queue<PendingCheck> queue = new ConcurrentLinkedQueue<>();

	private final AtomicInteger inFlight = new AtomicInteger();

	private final int maxInFlight;

	private final int maxBatchSize;

	@SuppressWarnings("rawtypes")
	private ScriptBatcher(LuaScript<List> script, LuaScript<List> batchScript, Execution execution, int maxInFlight,
			int maxBatchSize) {
		this.script = script;
		this.batchScript = batchScript;
		this.execution = execution;
		this.maxInFlight = maxInFlight;
		this.maxBatchSize = maxBatchSize;
	}

	/**
	 * A batcher that batches: for a client whose every command may touch any key (one
	 * Redis server).
	 * @param script the script of one check
	 * @param batchScript the script that runs several, each as {@code script} would
	 * @param execution runs a script on the client
	 * @return the batcher
	 */
	@SuppressWarnings("rawtypes")
	static ScriptBatcher batching(LuaScript<List> script, LuaScript<List> batchScript, Execution execution) {
		return new ScriptBatcher(script, batchScript, execution, BATCHING_IN_FLIGHT, MAX_BATCH_SIZE);
	}

	/**
	 * A batcher that sends every check at once, alone: for Redis Cluster, where the keys
	 * of two checks are in different slots, so one command cannot carry both.
	 * @param script the script of one check
	 * @param execution runs a script on the client
	 * @return the batcher
	 */
	@SuppressWarnings("rawtypes")
	static ScriptBatcher unbatched(LuaScript<List> script, Execution execution) {
		return new ScriptBatcher(script, script, execution, Integer.MAX_VALUE, 1);
	}

	/**
	 * Send a check, now or with the next batch.
	 * @param call the check
	 * @return its decision; cancelling it abandons the check
	 */
	CompletableFuture<Decision> run(ScriptCall call) {
		PendingCheck check = new PendingCheck(call);
		this.queue.add(check);
		sendQueued();
		return check;
	}

	/**
	 * Send what is queued while there is room in flight. A check queued after the last
	 * look at the queue is sent by whoever frees the next place: the count in flight
	 * drops before that one looks at the queue.
	 */
	private void sendQueued() {
		while (!this.queue.isEmpty()) {
			int inFlight = this.inFlight.get();
			if (inFlight >= this.maxInFlight) {
				return;
			}
			if (this.inFlight.compareAndSet(inFlight, inFlight + 1)) {
				List<PendingCheck> batch = takeBatch();
				if (batch.isEmpty()) {
					this.inFlight.decrementAndGet();
				}
				else {
					send(batch);
				}
			}
		}
	}

	private List<PendingCheck> takeBatch() {
		List<PendingCheck> batch = new ArrayList<>((this.maxBatchSize == 1) ? 1 : 16);
		PendingCheck check;
		while (batch.size() < this.maxBatchSize && (check = this.queue.poll()) != null) {
			// Abandoned while queued: nobody waits for its decision, so it is not sent.
			if (!check.isDone()) {
				batch.add(check);
			}
		}
		return batch;
	}

	private void send(List<PendingCheck> batch) {
		CompletableFuture<?> reply;
		try {
			reply = (batch.size() == 1) ? sendOne(batch.get(0)) : sendBatch(batch);
		}
		catch (RuntimeException ex) {
			reply = CompletableFuture.failedFuture(ex);
		}
		InFlightCall call = new InFlightCall(batch, reply);
		for (PendingCheck check : batch) {
			check.call = call;
		}
		reply.whenComplete((ignored, failure) -> {
			this.inFlight.decrementAndGet();
			sendQueued();
		});
		// Abandoned while it was being sent: cancelling it then would have missed the
		// call.
		call.cancelIfAbandoned();
	}

	private CompletableFuture<?> sendOne(PendingCheck check) {
		ScriptCall call = check.scriptCall;
		CompletableFuture<?> reply = this.execution.execute(this.script, call.encodedKeys(), call.encodedArgs());
		reply.whenComplete((value, failure) -> {
			if (failure != null) {
				check.completeExceptionally(unwrap(failure));
			}
			else {
				check.completeWith(value);
			}
		});
		return reply;
	}

	private CompletableFuture<?> sendBatch(List<PendingCheck> batch) {
		int size = batch.size();
		byte[][][] keys = new byte[size][][];
		byte[][][] args = new byte[size][][];
		int keyCount = 0;
		int argCount = 1 + 2 * size;
		for (int i = 0; i < size; i++) {
			ScriptCall call = batch.get(i).scriptCall;
			keys[i] = call.encodedKeys();
			args[i] = call.encodedArgs();
			keyCount += keys[i].length;
			argCount += args[i].length;
		}
		byte[][] allKeys = new byte[keyCount][];
		byte[][] allArgs = new byte[argCount][];
		allArgs[0] = count(size);
		int key = 0;
		int arg = 1 + 2 * size;
		for (int i = 0; i < size; i++) {
			allArgs[1 + 2 * i] = count(keys[i].length);
			allArgs[2 + 2 * i] = count(args[i].length);
			System.arraycopy(keys[i], 0, allKeys, key, keys[i].length);
			System.arraycopy(args[i], 0, allArgs, arg, args[i].length);
			key += keys[i].length;
			arg += args[i].length;
		}
		CompletableFuture<?> reply = this.execution.execute(this.batchScript, allKeys, allArgs);
		reply.whenComplete((value, failure) -> {
			if (failure != null) {
				Throwable cause = unwrap(failure);
				batch.forEach((check) -> check.completeExceptionally(cause));
			}
			else if (value instanceof List<?> replies && replies.size() == size) {
				for (int i = 0; i < size; i++) {
					batch.get(i).completeWith(replies.get(i));
				}
			}
			else {
				IllegalStateException broken = new IllegalStateException(
						"Unexpected reply from the rate limit batch script: " + value);
				batch.forEach((check) -> check.completeExceptionally(broken));
			}
		});
		return reply;
	}

	private static byte[] count(int count) {
		return (count < COUNTS.length) ? COUNTS[count] : Integer.toString(count).getBytes(StandardCharsets.US_ASCII);
	}

	private static Throwable unwrap(Throwable failure) {
		return (failure instanceof CompletionException && failure.getCause() != null) ? failure.getCause() : failure;
	}

	/**
	 * Runs a script on the client.
	 */
	@FunctionalInterface
	interface Execution {

		/**
		 * Start the script.
		 * @param script the script
		 * @param keys its keys
		 * @param args its arguments
		 * @return the script's reply; cancelling it abandons the command
		 */
		@SuppressWarnings("rawtypes")
		CompletableFuture<?> execute(LuaScript<List> script, byte[][] keys, byte[][] args);

	}

	/**
	 * One call in flight and the checks it carries: cancelled once none of them is waited
	 * for.
	 */
	private static final class InFlightCall {

		private final List<PendingCheck> checks;

		private final CompletableFuture<?> reply;

		InFlightCall(List<PendingCheck> checks, CompletableFuture<?> reply) {
			this.checks = checks;
			this.reply = reply;
		}

		void cancelIfAbandoned() {
			if (this.reply.isDone()) {
				return;
			}
			for (PendingCheck check : this.checks) {
				if (!check.isCancelled()) {
					return;
				}
			}
			this.reply.cancel(false);
		}

	}

	/**
	 * A check's decision: completed from its part of a reply, and abandoning its call
	 * when cancelled, if it was the last check of that call still waited for.
	 */
	private static final class PendingCheck extends CompletableFuture<Decision> {

		private final ScriptCall scriptCall;

		private volatile @Nullable InFlightCall call;

		PendingCheck(ScriptCall scriptCall) {
			this.scriptCall = scriptCall;
		}

		void completeWith(@Nullable Object reply) {
			if (reply instanceof Throwable failure) {
				// The script failed for this check alone (a batch reply holds the error).
				completeExceptionally(failure);
				return;
			}
			try {
				complete(this.scriptCall.toDecision((reply instanceof List<?> list) ? list : null));
			}
			catch (RuntimeException ex) {
				completeExceptionally(ex);
			}
		}

		@Override
		public boolean cancel(boolean mayInterruptIfRunning) {
			boolean cancelled = super.cancel(mayInterruptIfRunning);
			InFlightCall call = this.call;
			if (cancelled && call != null) {
				call.cancelIfAbandoned();
			}
			return cancelled;
		}

	}

}
