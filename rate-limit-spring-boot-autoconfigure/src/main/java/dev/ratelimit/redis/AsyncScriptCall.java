package dev.ratelimit.redis;

import java.util.concurrent.CompletableFuture;

import dev.ratelimit.core.Decision;

/**
 * Runs the check script on a non-blocking client. Implementations are kept apart from
 * {@link RedisRateLimiter} so that a client's classes (Lettuce, Reactor) are loaded only
 * when it is used: with Jedis alone neither is on the class path.
 *
 * @author rate-limit-spring-boot
 */
interface AsyncScriptCall {

	/**
	 * Run the check script ({@code EVALSHA}, then {@code EVAL} if Redis answers
	 * {@code NOSCRIPT}) and read its reply. Cancelling the returned future abandons the
	 * Redis command.
	 * @param call the keys and arguments, and the reading of the reply
	 * @return the decision, or the client's failure
	 */
	CompletableFuture<Decision> run(ScriptCall call);

}
