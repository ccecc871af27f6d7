package dev.ratelimit.redis;

import dev.ratelimit.test.RedisServer;
import dev.ratelimit.test.RedisServers;
import dev.ratelimit.test.context.LettuceConnectionFactories;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * One template on the shared test Redis for every limiter test of the JVM; tests isolate
 * themselves by key prefix.
 */
final class TestRedisTemplate {

	private static StringRedisTemplate template;

	private static ReactiveStringRedisTemplate reactiveTemplate;

	private TestRedisTemplate() {
	}

	static synchronized StringRedisTemplate get() {
		if (template == null) {
			RedisServer server = RedisServers.shared();
			LettuceConnectionFactory connectionFactory = LettuceConnectionFactories.started(server);
			Runtime.getRuntime().addShutdownHook(new Thread(connectionFactory::destroy));
			template = new StringRedisTemplate(connectionFactory);
			reactiveTemplate = new ReactiveStringRedisTemplate(connectionFactory);
		}
		return template;
	}

	static synchronized ReactiveStringRedisTemplate reactive() {
		get();
		return reactiveTemplate;
	}

}
