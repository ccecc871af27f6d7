package dev.ratelimit.test.context;

import dev.ratelimit.test.RedisServers;

import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * Points Spring Boot's Redis auto-configuration at the
 * {@link RedisServers#sharedCluster() shared Redis Cluster}. Import it with
 * {@link SharedRedisCluster @SharedRedisCluster} on a Spring test, or add it to an
 * {@code ApplicationContextRunner} with
 * {@code withUserConfiguration(SharedRedisClusterConfiguration.class)}.
 * <p>
 * The cluster's data is shared by every test of the JVM: give each test class a key
 * prefix of its own rather than flushing.
 *
 * @author rate-limit-spring-boot
 */
@TestConfiguration(proxyBeanMethods = false)
public final class SharedRedisClusterConfiguration {

	@Bean
	DataRedisConnectionDetails sharedRedisClusterConnectionDetails() {
		return new RedisClusterConnectionDetails(RedisServers.sharedCluster());
	}

}
