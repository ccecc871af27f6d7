package dev.ratelimit.redis;

import java.util.List;
import java.util.concurrent.CompletableFuture;

import dev.ratelimit.core.Decision;
import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

/**
 * Runs the script on a {@link ReactiveStringRedisTemplate}: for a reactive connection
 * factory whose native connection cannot be shared ({@link LettuceScriptCall} is cheaper
 * where it can). A class of its own so that Reactor is loaded only when a reactive
 * template is used: with Jedis alone it is not on the class path.
 *
 * @author rate-limit-spring-boot
 */
final class ReactiveScriptCall implements AsyncScriptCall {

	private final ReactiveStringRedisTemplate template;

	@SuppressWarnings("rawtypes")
	private final LuaScript<List> script;

	@SuppressWarnings("rawtypes")
	ReactiveScriptCall(ReactiveStringRedisTemplate template, LuaScript<List> script) {
		this.template = template;
		this.script = script;
	}

	/**
	 * A call on a reactive template of the connection factory, if it is reactive. Only to
	 * be called when Reactor is on the class path.
	 * @param connectionFactory the connection factory
	 * @param script the check script
	 * @return the call, or {@code null} when the factory is not reactive
	 */
	@SuppressWarnings("rawtypes")
	static @Nullable ReactiveScriptCall of(RedisConnectionFactory connectionFactory, LuaScript<List> script) {
		if (connectionFactory instanceof ReactiveRedisConnectionFactory reactive) {
			return new ReactiveScriptCall(new ReactiveStringRedisTemplate(reactive), script);
		}
		return null;
	}

	/**
	 * Run the script ({@code EVALSHA}, {@code EVAL} after {@code NOSCRIPT}, as the
	 * blocking template does) and map its reply. Cancelling the returned future cancels
	 * the subscription, and with it the Redis command: a Redis that never answers leaves
	 * no subscription behind.
	 */
	@Override
	@SuppressWarnings({ "rawtypes", "unchecked" })
	public CompletableFuture<Decision> run(ScriptCall call) {
		// The script's list reply is one element; none at all would be a broken reply (an
		// error).
		return this.template.execute(this.script, call.keys(), List.of(call.args()))
			.single()
			.map((reply) -> call.toDecision((List<?>) reply))
			.toFuture();
	}

}
