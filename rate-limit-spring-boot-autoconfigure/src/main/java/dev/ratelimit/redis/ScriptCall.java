package dev.ratelimit.redis;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import dev.ratelimit.core.Decision;
import dev.ratelimit.core.LimitSpec;
import dev.ratelimit.core.LimitState;
import dev.ratelimit.core.RateLimitRequest;
import org.jspecify.annotations.Nullable;

/**
 * The keys and arguments of one call of the check script, and the reading of its reply:
 * one piece of code for the blocking and both non-blocking clients. The script's protocol
 * is specified in {@code docs/algorithms.md}: one key per limit, then {@code now} and the
 * cost, then four arguments per limit; the reply is the overall verdict followed by four
 * numbers per limit.
 *
 * @author rate-limit-spring-boot
 */
final class ScriptCall {

	private final List<LimitSpec> limits;

	private final String[] keys;

	private final String[] args;

	/**
	 * Build the call of one check.
	 * @param request the request to check
	 * @param keyPrefix the prefix of every key
	 * @param now the script's "now" argument: microseconds since the epoch, or
	 * {@code "0"} to read Redis {@code TIME}
	 */
	ScriptCall(RateLimitRequest request, String keyPrefix, String now) {
		this.limits = request.limits();
		int size = this.limits.size();
		this.keys = new String[size];
		this.args = new String[2 + 4 * size];
		this.args[0] = now;
		this.args[1] = Long.toString(request.cost());
		int arg = 2;
		for (int i = 0; i < size; i++) {
			LimitSpec limit = this.limits.get(i);
			this.keys[i] = request.key(keyPrefix, limit);
			this.args[arg++] = limit.algorithm().code();
			this.args[arg++] = Long.toString(limit.limit());
			this.args[arg++] = Long.toString(limit.windowMicros());
			this.args[arg++] = Long.toString(limit.burst());
		}
	}

	/**
	 * The keys, for a template.
	 * @return the keys, one per limit
	 */
	List<String> keys() {
		return Arrays.asList(this.keys);
	}

	/**
	 * The arguments, for a template. The array itself, not a copy.
	 * @return the arguments
	 */
	String[] args() {
		return this.args;
	}

	/**
	 * The keys as UTF-8, as a template's string serializer would write them.
	 * @return the keys' bytes
	 */
	byte[][] encodedKeys() {
		return encode(this.keys);
	}

	/**
	 * The arguments as UTF-8.
	 * @return the arguments' bytes
	 */
	byte[][] encodedArgs() {
		return encode(this.args);
	}

	private static byte[][] encode(String[] values) {
		byte[][] encoded = new byte[values.length][];
		for (int i = 0; i < values.length; i++) {
			encoded[i] = values[i].getBytes(StandardCharsets.UTF_8);
		}
		return encoded;
	}

	/**
	 * Read the script's reply.
	 * @param reply the reply: a list of integers
	 * @return the decision
	 * @throws IllegalStateException when the reply is not what the script returns
	 */
	Decision toDecision(@Nullable List<?> reply) {
		int size = this.limits.size();
		if (reply == null || reply.size() != 1 + 4 * size) {
			throw new IllegalStateException("Unexpected reply from the rate limit script: " + reply);
		}
		LimitState[] states = new LimitState[size];
		for (int i = 0; i < size; i++) {
			int offset = 1 + 4 * i;
			states[i] = LimitState.ofMicros(this.limits.get(i), toLong(reply.get(offset)) == 1,
					toLong(reply.get(offset + 1)), toLong(reply.get(offset + 2)), toLong(reply.get(offset + 3)));
		}
		// An immutable list, so that the decision keeps it rather than copying it.
		return Decision.of(List.of(states));
	}

	private static long toLong(@Nullable Object value) {
		if (value instanceof Number number) {
			return number.longValue();
		}
		throw new IllegalStateException("Unexpected value in the rate limit script's reply: " + value);
	}

}
