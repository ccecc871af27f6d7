package dev.ratelimit.redis;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * Runs a script on a {@link ReactiveStringRedisTemplate}. A class of its own so that Reactor is
 * loaded only when a reactive template is used: with Jedis alone it is not on the class path.
 *
 * @author rate-limit-spring-boot
 */
final class ReactiveScriptCall {

	private final ReactiveStringRedisTemplate template;

	ReactiveScriptCall(ReactiveStringRedisTemplate template) {
		this.template = template;
	}

	/**
	 * Run the script ({@code EVALSHA}, {@code EVAL} after {@code NOSCRIPT}, as the blocking
	 * template does) and map its reply. Cancelling the returned future cancels the subscription,
	 * and with it the Redis command: a Redis that never answers leaves no subscription behind.
	 */
	@SuppressWarnings({ "rawtypes", "unchecked" })
	<R> CompletableFuture<R> run(RedisScript<List> script, List<String> keys, List<String> args,
			Function<List<?>, R> mapper) {
		// The script's list reply is one element; none at all would be a broken reply (an error).
		return this.template.execute(script, keys, args).single().map(mapper::apply).toFuture();
	}

}
