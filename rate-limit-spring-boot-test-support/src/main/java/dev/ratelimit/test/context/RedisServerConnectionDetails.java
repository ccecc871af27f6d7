package dev.ratelimit.test.context;

import dev.ratelimit.test.RedisServer;

import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;

/**
 * {@link DataRedisConnectionDetails} of a {@link RedisServer}: declared as a bean, it
 * points Spring Boot's Redis auto-configuration at that server, in place of the
 * {@code spring.data.redis.*} properties.
 *
 * @author rate-limit-spring-boot
 * @see SharedRedis
 */
public final class RedisServerConnectionDetails implements DataRedisConnectionDetails {

	private final RedisServer server;

	/**
	 * Connection details of the given server.
	 * @param server the server to connect to
	 */
	public RedisServerConnectionDetails(RedisServer server) {
		this.server = server;
	}

	@Override
	public Standalone getStandalone() {
		return Standalone.of(this.server.host(), this.server.port());
	}

	@Override
	public String toString() {
		return "RedisServerConnectionDetails[" + this.server.url() + "]";
	}

}
