package dev.ratelimit.test;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A real Redis Cluster that tests can connect to: masters that together serve all 16384
 * hash slots.
 *
 * @author rate-limit-spring-boot
 * @see RedisServers#sharedCluster()
 */
public interface RedisCluster {

	/**
	 * The cluster's masters, any of which a client can take as its seed.
	 * @return the nodes, at least one
	 */
	List<RedisServer> nodes();

	/**
	 * The nodes as {@code host:port} pairs separated by commas, the format of
	 * {@code spring.data.redis.cluster.nodes}.
	 * @return the node addresses
	 */
	default String nodeAddresses() {
		return nodes().stream().map((node) -> node.host() + ":" + node.port()).collect(Collectors.joining(","));
	}

}
