package dev.ratelimit.redis;

import java.util.UUID;

import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.core.RateLimiterContractTests;
import dev.ratelimit.test.MutableClock;
import dev.ratelimit.test.RedisServer;
import dev.ratelimit.test.RedisServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * The {@link RateLimiterContractTests} against a {@link RedisRateLimiter} on a real Redis, with
 * the test's clock passed into the script as "now".
 *
 * @author rate-limit-spring-boot
 */
class RedisRateLimiterContractTests extends RateLimiterContractTests {

	private static LettuceConnectionFactory connectionFactory;

	@BeforeAll
	static void connect() {
		RedisServer server = RedisServers.shared();
		connectionFactory = new LettuceConnectionFactory(new RedisStandaloneConfiguration(server.host(), server.port()));
		connectionFactory.afterPropertiesSet();
		connectionFactory.start();
	}

	@AfterAll
	static void disconnect() {
		connectionFactory.destroy();
	}

	@Override
	protected RateLimiter createLimiter(MutableClock clock) {
		return new RedisRateLimiter(new StringRedisTemplate(connectionFactory), "contract-" + UUID.randomUUID(), clock);
	}

}
