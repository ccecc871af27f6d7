package dev.ratelimit.redis;

import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.util.ClassUtils;

/**
 * Whether a connection factory talks to a Redis Cluster, where the scopes of one request
 * live in different hash slots. Kept apart so that neither client's classes are loaded
 * unless present.
 *
 * @author rate-limit-spring-boot
 */
final class ClusterMode {

	private static final ClassLoader CLASS_LOADER = ClusterMode.class.getClassLoader();

	private static final boolean LETTUCE_PRESENT = ClassUtils.isPresent("io.lettuce.core.RedisClient", CLASS_LOADER);

	private ClusterMode() {
	}

	static boolean isCluster(RedisConnectionFactory connectionFactory) {
		// Lettuce is the client Spring Boot configures; a factory of another client is
		// taken for a standalone Redis (this starter does not depend on Jedis).
		return LETTUCE_PRESENT && Lettuce.isCluster(connectionFactory);
	}

	private static final class Lettuce {

		static boolean isCluster(RedisConnectionFactory connectionFactory) {
			return connectionFactory instanceof LettuceConnectionFactory lettuce && lettuce.isClusterAware();
		}

	}

}
