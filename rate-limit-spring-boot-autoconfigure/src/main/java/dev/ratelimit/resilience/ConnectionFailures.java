package dev.ratelimit.resilience;

import java.io.IOException;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * Tells a failure of the connection to the backend (refused, reset, closed, not
 * connected) from any other failure. A broken connection is an outage: the check falls
 * back at once and the breaker opens, without waiting for a failure rate. Any other
 * failure (an error reply, a script error) is an answer from a live backend and is
 * counted by the breaker as usual.
 * <p>
 * Classes are matched by name, so that neither Spring Data Redis nor a Redis client is
 * needed to decide.
 *
 * @author rate-limit-spring-boot
 */
final class ConnectionFailures {

	/**
	 * The exceptions, or their superclasses, that Spring and the Redis clients raise for
	 * a connection that cannot be used.
	 */
	private static final Set<String> CONNECTION_FAILURES = Set.of(
			"org.springframework.dao.DataAccessResourceFailureException", "io.lettuce.core.RedisConnectionException",
			"redis.clients.jedis.exceptions.JedisConnectionException");

	private ConnectionFailures() {
	}

	/**
	 * Whether the failure, or any of its causes, says that the connection is broken.
	 * @param failure what the backend call failed with
	 * @return {@code true} for a refused, reset, closed or missing connection
	 */
	static boolean isConnectionFailure(@Nullable Throwable failure) {
		Throwable candidate = failure;
		// Bounded: a cause chain may loop.
		for (int depth = 0; candidate != null && depth < 16; depth++, candidate = nextCause(candidate)) {
			if (candidate instanceof IOException || isNamedConnectionFailure(candidate.getClass())) {
				return true;
			}
		}
		return false;
	}

	private static @Nullable Throwable nextCause(Throwable failure) {
		Throwable cause = failure.getCause();
		return (cause != failure) ? cause : null;
	}

	private static boolean isNamedConnectionFailure(Class<?> type) {
		for (Class<?> candidate = type; candidate != null; candidate = candidate.getSuperclass()) {
			if (CONNECTION_FAILURES.contains(candidate.getName())) {
				return true;
			}
		}
		return false;
	}

}
