package dev.ratelimit.resilience;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.jspecify.annotations.Nullable;

/**
 * Whether the primary is alive, told by its answers: when it last answered any check, and
 * how long a check may be waited for because of that. The {@link ResilientRateLimiter}'s
 * time budget bounds the primary's <em>silence</em>, not one call: a primary that keeps
 * answering other checks is busy, not broken.
 *
 * @author rate-limit-spring-boot
 */
final class PrimaryLiveness {

	/**
	 * How many timeouts a check waits at most for a primary that keeps answering other
	 * checks. Reached only by a primary that answers some calls and not others (one
	 * frozen node of a cluster).
	 */
	static final int MAX_WAIT_FACTOR = 4;

	/**
	 * The longest grace after a silence of the timeout, before it counts as a stall.
	 */
	private static final long MAX_GRACE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

	/**
	 * How late a waiting thread may wake up before the delay counts as a pause of the
	 * process rather than silence of the primary: well above a scheduler's ordinary
	 * latency.
	 */
	private static final long PAUSE_THRESHOLD_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

	private static final long ANSWER_RESOLUTION_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

	private final long timeoutNanos;

	/**
	 * How long a silence may outlast the timeout before it counts as a stall, so that the
	 * client's I/O thread can deliver what it has read: half the timeout, at most 100ms.
	 */
	private final long graceNanos;

	/**
	 * When the primary last answered any check ({@link System#nanoTime()}): a primary
	 * that answers is alive, however slowly a given check is answered.
	 */
	private volatile long lastAnswerNanos;

	PrimaryLiveness(Duration timeout) {
		this.timeoutNanos = timeout.toNanos();
		this.graceNanos = Math.min(this.timeoutNanos / 2, MAX_GRACE_NANOS);
		this.lastAnswerNanos = System.nanoTime();
	}

	/**
	 * Note that the primary answered, with a decision or an error reply: it is alive. A
	 * broken connection is no answer, nor is a cancelled call. Written only when it moves
	 * by a millisecond or more, so that checks answered at once do not all write the same
	 * field.
	 * @param failure the call's failure, {@code null} when it succeeded
	 */
	void answered(@Nullable Throwable failure) {
		if (failure instanceof CancellationException || ConnectionFailures.isConnectionFailure(failure)) {
			return;
		}
		long now = System.nanoTime();
		if (now - this.lastAnswerNanos > ANSWER_RESOLUTION_NANOS) {
			this.lastAnswerNanos = now;
		}
	}

	/**
	 * Wait for a call's answer for as long as the primary is alive. A call is given up on
	 * only when the primary has answered nothing at all, to any check, for the timeout
	 * and a short grace (a stall: frozen, unreachable, or a connection that buffers
	 * commands while it reconnects). Silence is measured on the waiting thread's own
	 * clock: time in which it overslept by more than {@link #PAUSE_THRESHOLD_NANOS} (a
	 * starved or paused process, whose client I/O thread could not read the answers that
	 * arrived meanwhile either) is not held against the primary. A call the primary keeps
	 * answering around is waited for up to {@link #MAX_WAIT_FACTOR} times the timeout, so
	 * that load alone never sends a check to the failure mode, where it would be admitted
	 * against a local copy of the limit.
	 * @param <T> the type of the answer
	 * @param call the call
	 * @param sentNanos when it was sent ({@link System#nanoTime()})
	 * @return the answer
	 * @throws Stall when the primary has been silent for the timeout and its grace
	 * @throws TimeoutException when the longest wait is reached
	 * @throws ExecutionException when the call failed
	 * @throws InterruptedException when the waiting thread is interrupted
	 */
	<T> T await(Future<T> call, long sentNanos) throws TimeoutException, ExecutionException, InterruptedException {
		long giveUpAt = sentNanos + this.timeoutNanos * MAX_WAIT_FACTOR;
		long stallNanos = this.timeoutNanos + this.graceNanos;
		long silentSince = sentNanos;
		long pausedNanos = 0;
		long wait = stallNanos;
		while (true) {
			long before = System.nanoTime();
			wait = Math.max(0, Math.min(wait, giveUpAt - before));
			try {
				return call.get(wait, TimeUnit.NANOSECONDS);
			}
			catch (TimeoutException ex) {
				long now = System.nanoTime();
				if (now - giveUpAt >= 0) {
					throw ex;
				}
				long lastAnswer = Math.max(this.lastAnswerNanos, sentNanos);
				if (lastAnswer != silentSince) {
					// The primary answered meanwhile: a new silence starts there.
					silentSince = lastAnswer;
					pausedNanos = 0;
				}
				long overslept = now - before - wait;
				if (overslept > PAUSE_THRESHOLD_NANOS) {
					pausedNanos += overslept;
				}
				long silence = now - silentSince - pausedNanos;
				if (silence >= stallNanos) {
					throw new Stall(now - silentSince);
				}
				wait = stallNanos - silence;
			}
		}
	}

	/**
	 * Thrown when the primary has answered nothing for the timeout and its grace.
	 */
	static final class Stall extends TimeoutException {

		private final long silentNanos;

		Stall(long silentNanos) {
			super("The rate limiter backend has answered nothing for " + TimeUnit.NANOSECONDS.toMillis(silentNanos)
					+ "ms");
			this.silentNanos = silentNanos;
		}

		long silentMillis() {
			return TimeUnit.NANOSECONDS.toMillis(this.silentNanos);
		}

	}

}
