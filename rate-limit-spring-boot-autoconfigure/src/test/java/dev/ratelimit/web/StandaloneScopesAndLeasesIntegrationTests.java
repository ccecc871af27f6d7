package dev.ratelimit.web;

import dev.ratelimit.test.RedisServer;
import dev.ratelimit.test.RedisServers;

/**
 * The {@link ScopesAndLeasesIntegrationTests} on a standalone Redis, where every scope of
 * a check is in one script call.
 */
class StandaloneScopesAndLeasesIntegrationTests extends ScopesAndLeasesIntegrationTests {

	@Override
	protected String[] redisProperties() {
		RedisServer redis = RedisServers.shared();
		return new String[] { "spring.data.redis.host=" + redis.host(), "spring.data.redis.port=" + redis.port() };
	}

}
