package dev.ratelimit.redis;

import java.util.UUID;

import dev.ratelimit.core.BurstAllowanceContractTests;
import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.test.context.LettuceConnectionFactories;
import dev.ratelimit.test.MutableClock;
import dev.ratelimit.test.RedisServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * The {@link BurstAllowanceContractTests} on a real Redis Cluster, where the caller's
 * scope and the global one are different slots: the caller's call consults its allowance
 * without seeing the global limit, and a global denial refunds what the allowance
 * admitted (check-then-commit with {@code refund.lua}).
 *
 * @author rate-limit-spring-boot
 */
class RedisClusterBurstAllowanceTests extends BurstAllowanceContractTests {

	private static LettuceConnectionFactory connectionFactory;

	@BeforeAll
	static void connect() {
		connectionFactory = LettuceConnectionFactories.startedCluster(RedisServers.sharedCluster());
	}

	@AfterAll
	static void destroy() {
		connectionFactory.destroy();
	}

	@Override
	protected RateLimiter createLimiter(MutableClock clock) {
		return new RedisRateLimiter(connectionFactory, "rl-cluster-burst-" + UUID.randomUUID(), clock);
	}

}
