package dev.ratelimit.test;

import java.util.Arrays;
import java.util.List;

/**
 * A Redis Cluster that someone else runs, named by its nodes as {@code host:port} pairs
 * separated by commas. Its lifecycle cannot be controlled from here.
 *
 * @author rate-limit-spring-boot
 */
final class ExternalRedisCluster implements RedisCluster {

	private final List<RedisServer> nodes;

	ExternalRedisCluster(String nodes) {
		this.nodes = Arrays.stream(nodes.split(","))
			.map(String::trim)
			.filter((node) -> !node.isEmpty())
			.map(ExternalRedisCluster::node)
			.toList();
		if (this.nodes.isEmpty()) {
			throw new IllegalArgumentException("Expected nodes like host1:7000,host2:7001 but got '" + nodes + "'");
		}
	}

	private static RedisServer node(String node) {
		int colon = node.lastIndexOf(':');
		if (colon <= 0 || colon == node.length() - 1) {
			throw new IllegalArgumentException("Expected a node like localhost:7000 but got '" + node + "'");
		}
		return new ExternalRedisServer("redis://" + node);
	}

	@Override
	public List<RedisServer> nodes() {
		return this.nodes;
	}

	@Override
	public String toString() {
		return "ExternalRedisCluster[" + nodeAddresses() + "]";
	}

}
