package dev.ratelimit.test.context;

import java.util.List;

import dev.ratelimit.test.RedisCluster;
import dev.ratelimit.test.RedisServers;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.data.redis.connection.RedisClusterConnection;
import org.springframework.data.redis.connection.RedisNode;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link SharedRedisClusterConfiguration} and
 * {@link RedisClusterConnectionDetails} with Spring Boot's Redis auto-configuration, and
 * for {@link LettuceConnectionFactories#startedCluster(RedisCluster)}.
 *
 * @author rate-limit-spring-boot
 */
class SharedRedisClusterConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class))
		.withUserConfiguration(SharedRedisClusterConfiguration.class);

	@Test
	void connectionFactoryConnectsToTheSharedClusterAndWinsOverRedisProperties() {
		RedisCluster cluster = RedisServers.sharedCluster();
		this.runner.withPropertyValues("spring.data.redis.host=redis.invalid", "spring.data.redis.port=1")
			.run((context) -> {
				assertThat(context).hasSingleBean(DataRedisConnectionDetails.class);
				LettuceConnectionFactory connectionFactory = context.getBean(LettuceConnectionFactory.class);
				assertThat(connectionFactory.isClusterAware()).isTrue();
				assertThat(connectionFactory.getClusterConfiguration().getClusterNodes()).extracting(RedisNode::getPort)
					.containsExactlyInAnyOrderElementsOf(ports(cluster));
				try (RedisClusterConnection connection = connectionFactory.getClusterConnection()) {
					assertThat(connection.clusterGetNodes()).hasSize(3);
				}
				StringRedisTemplate redis = context.getBean(StringRedisTemplate.class);
				String key = "shared-redis-cluster-tests:" + System.nanoTime();
				redis.opsForValue().set(key, "written");
				try {
					assertThat(redis.opsForValue().get(key)).isEqualTo("written");
				}
				finally {
					redis.delete(key);
				}
			});
	}

	@Test
	void startedClusterFactoryKnowsEveryNode() {
		RedisCluster cluster = RedisServers.sharedCluster();
		LettuceConnectionFactory connectionFactory = LettuceConnectionFactories.startedCluster(cluster);
		try {
			assertThat(connectionFactory.isClusterAware()).isTrue();
			assertThat(connectionFactory.getClusterConfiguration().getClusterNodes()).extracting(RedisNode::getPort)
				.containsExactlyInAnyOrderElementsOf(ports(cluster));
			try (RedisClusterConnection connection = connectionFactory.getClusterConnection()) {
				assertThat(connection.ping()).isEqualTo("PONG");
			}
		}
		finally {
			connectionFactory.destroy();
		}
	}

	private static List<Integer> ports(RedisCluster cluster) {
		return cluster.nodes().stream().map((node) -> node.port()).toList();
	}

}
