package dev.ratelimit.autoconfigure;

import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.util.ClassUtils;

/**
 * The reactive template of a connection factory that has one (Lettuce), so that the Redis limiter
 * can check without blocking and the resilient limiter need not hand each check to another thread.
 *
 * @author rate-limit-spring-boot
 */
final class ReactiveTemplates {

	/**
	 * Lettuce brings Reactor; Jedis does not, and without it the reactive types cannot be loaded.
	 */
	private static final boolean REACTOR_PRESENT = ClassUtils.isPresent("reactor.core.publisher.Flux",
			ReactiveTemplates.class.getClassLoader());

	private ReactiveTemplates() {
	}

	static @Nullable ReactiveStringRedisTemplate of(RedisConnectionFactory connectionFactory) {
		if (REACTOR_PRESENT && connectionFactory instanceof ReactiveRedisConnectionFactory reactive) {
			return new ReactiveStringRedisTemplate(reactive);
		}
		return null;
	}

}
