package dev.ratelimit.test.context;

import java.util.List;

import dev.ratelimit.test.RedisCluster;

import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;

/**
 * {@link DataRedisConnectionDetails} of a {@link RedisCluster}: declared as a bean, it
 * points Spring Boot's Redis auto-configuration at that cluster, in place of the
 * {@code spring.data.redis.*} properties.
 *
 * @author rate-limit-spring-boot
 * @see SharedRedisCluster
 */
public final class RedisClusterConnectionDetails implements DataRedisConnectionDetails {

	private final RedisCluster cluster;

	/**
	 * Connection details of the given cluster.
	 * @param cluster the cluster to connect to
	 */
	public RedisClusterConnectionDetails(RedisCluster cluster) {
		this.cluster = cluster;
	}

	@Override
	public Cluster getCluster() {
		List<Node> nodes = this.cluster.nodes().stream().map((node) -> new Node(node.host(), node.port())).toList();
		return () -> nodes;
	}

	@Override
	public String toString() {
		return "RedisClusterConnectionDetails[" + this.cluster.nodeAddresses() + "]";
	}

}
