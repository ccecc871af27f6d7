package dev.ratelimit.test.context;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link SharedRedisCluster @SharedRedisCluster} on a Spring Boot test.
 *
 * @author rate-limit-spring-boot
 */
@SpringBootTest(classes = SharedRedisClusterTests.TestApplication.class)
@SharedRedisCluster
class SharedRedisClusterTests {

	@Autowired
	private LettuceConnectionFactory connectionFactory;

	@Autowired
	private StringRedisTemplate redis;

	@Test
	void contextTalksToTheSharedCluster() {
		assertThat(this.connectionFactory.isClusterAware()).isTrue();
		// Three keys in three slots, one on each master.
		for (String tag : new String[] { "a", "b", "c" }) {
			String key = "shared-redis-cluster-tests:{" + tag + "}:" + System.nanoTime();
			this.redis.opsForValue().set(key, "written");
			try {
				assertThat(this.redis.opsForValue().get(key)).isEqualTo("written");
			}
			finally {
				this.redis.delete(key);
			}
		}
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class TestApplication {

	}

}
