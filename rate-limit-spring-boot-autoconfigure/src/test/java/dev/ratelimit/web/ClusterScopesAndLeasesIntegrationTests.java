package dev.ratelimit.web;

import dev.ratelimit.test.RedisServers;

/**
 * The {@link ScopesAndLeasesIntegrationTests} on a real three-master Redis Cluster, where
 * the caller's scope and the global one are different slots: taken by a script call each
 * and refunded on a partial denial.
 */
class ClusterScopesAndLeasesIntegrationTests extends ScopesAndLeasesIntegrationTests {

	@Override
	protected String[] redisProperties() {
		return new String[] { "spring.data.redis.cluster.nodes=" + RedisServers.sharedCluster().nodeAddresses() };
	}

}
