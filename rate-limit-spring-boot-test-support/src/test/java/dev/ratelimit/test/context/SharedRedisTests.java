package dev.ratelimit.test.context;

import dev.ratelimit.test.RedisServer;
import dev.ratelimit.test.RedisServers;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link SharedRedis @SharedRedis} on a Spring Boot test.
 *
 * @author rate-limit-spring-boot
 */
@SpringBootTest(classes = SharedRedisTests.TestApplication.class)
@SharedRedis
class SharedRedisTests {

	@Autowired
	private LettuceConnectionFactory connectionFactory;

	@Autowired
	private StringRedisTemplate redis;

	@Test
	void contextTalksToTheSharedServer() {
		RedisServer shared = RedisServers.shared();
		assertThat(this.connectionFactory.getHostName()).isEqualTo(shared.host());
		assertThat(this.connectionFactory.getPort()).isEqualTo(shared.port());
		String key = "shared-redis-tests:" + System.nanoTime();
		this.redis.opsForValue().set(key, "written");
		try {
			assertThat(this.redis.opsForValue().get(key)).isEqualTo("written");
		}
		finally {
			this.redis.delete(key);
		}
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class TestApplication {

	}

}
