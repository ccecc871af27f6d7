package dev.ratelimit.test.context;

import java.time.Duration;

import dev.ratelimit.test.RedisCluster;
import dev.ratelimit.test.RedisServer;
import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.connection.RedisClusterConfiguration;
import org.springframework.data.redis.connection.RedisConfiguration;
import org.springframework.data.redis.connection.RedisNode;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Started Lettuce connection factories for tests that wire a limiter, store or template
 * themselves, without a Spring context, on a standalone server or on a cluster. The
 * caller destroys the factory.
 *
 * @author rate-limit-spring-boot
 */
public final class LettuceConnectionFactories {

	private LettuceConnectionFactories() {
	}

	/**
	 * A started factory for a server, with Lettuce's default command timeout.
	 * @param server the server
	 * @return the factory
	 */
	public static LettuceConnectionFactory started(RedisServer server) {
		return started(server.host(), server.port(), null);
	}

	/**
	 * A started factory for a server.
	 * @param server the server
	 * @param commandTimeout Lettuce's own command timeout
	 * @return the factory
	 */
	public static LettuceConnectionFactory started(RedisServer server, Duration commandTimeout) {
		return started(server.host(), server.port(), commandTimeout);
	}

	/**
	 * A started factory for a host and port, which need not answer (connecting is lazy).
	 * @param host the host
	 * @param port the port
	 * @param commandTimeout Lettuce's own command timeout, or {@code null} for its
	 * default
	 * @return the factory
	 */
	public static LettuceConnectionFactory started(String host, int port, @Nullable Duration commandTimeout) {
		return started(new RedisStandaloneConfiguration(host, port), commandTimeout);
	}

	/**
	 * A started factory for a cluster, with Lettuce's default command timeout. Its
	 * connection is Lettuce's cluster connection, which routes each command to the master
	 * serving the slot of its first key.
	 * @param cluster the cluster
	 * @return the factory
	 */
	public static LettuceConnectionFactory startedCluster(RedisCluster cluster) {
		return startedCluster(cluster, null);
	}

	/**
	 * A started factory for a cluster.
	 * @param cluster the cluster
	 * @param commandTimeout Lettuce's own command timeout, or {@code null} for its
	 * default
	 * @return the factory
	 */
	public static LettuceConnectionFactory startedCluster(RedisCluster cluster, @Nullable Duration commandTimeout) {
		RedisClusterConfiguration configuration = new RedisClusterConfiguration();
		cluster.nodes().forEach((node) -> configuration.addClusterNode(new RedisNode(node.host(), node.port())));
		return started(configuration, commandTimeout);
	}

	private static LettuceConnectionFactory started(RedisConfiguration configuration,
			@Nullable Duration commandTimeout) {
		LettuceClientConfiguration.LettuceClientConfigurationBuilder client = LettuceClientConfiguration.builder();
		if (commandTimeout != null) {
			client.commandTimeout(commandTimeout);
		}
		LettuceConnectionFactory connectionFactory = new LettuceConnectionFactory(configuration, client.build());
		connectionFactory.afterPropertiesSet();
		connectionFactory.start();
		return connectionFactory;
	}

}
