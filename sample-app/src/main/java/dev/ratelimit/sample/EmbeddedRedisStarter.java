package dev.ratelimit.sample;

import java.util.List;
import java.util.Map;

import dev.ratelimit.test.EmbeddedRedisServer;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Starts a real redis-server (from a Maven Central package) when the application
 * configures no Redis, so the sample runs on a fresh machine with one command. Any of
 * {@code spring.data.redis.host}, {@code port}, {@code url} or {@code cluster.nodes}
 * means a Redis is configured, and none is started.
 *
 * @author rate-limit-spring-boot
 */
final class EmbeddedRedisStarter implements ApplicationListener<ApplicationEnvironmentPreparedEvent> {

	static final List<String> REDIS_PROPERTIES = List.of("spring.data.redis.host", "spring.data.redis.port",
			"spring.data.redis.url", "spring.data.redis.cluster.nodes");

	private static final Log logger = LogFactory.getLog(EmbeddedRedisStarter.class);

	@Override
	public void onApplicationEvent(ApplicationEnvironmentPreparedEvent event) {
		ConfigurableEnvironment environment = event.getEnvironment();
		if (isRedisConfigured(environment)) {
			return;
		}
		// Stopped by its own JVM shutdown hook when the application exits.
		EmbeddedRedisServer server = new EmbeddedRedisServer();
		logger.info("No Redis configured: started an embedded redis-server on " + server.url());
		environment.getPropertySources()
			.addLast(new MapPropertySource("embeddedRedis",
					Map.of("spring.data.redis.host", server.host(), "spring.data.redis.port", server.port())));
	}

	static boolean isRedisConfigured(ConfigurableEnvironment environment) {
		return REDIS_PROPERTIES.stream().anyMatch(environment::containsProperty);
	}

}
