package dev.ratelimit.autoconfigure;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.redis.RedisRateLimiter;
import dev.ratelimit.resilience.OverLimitCachingRateLimiter;
import dev.ratelimit.resilience.ResilientRateLimiter;
import dev.ratelimit.test.LocalHttp;
import dev.ratelimit.test.RedisServers;
import dev.ratelimit.testfixtures.HeaderTierResolver;
import dev.ratelimit.testfixtures.TestApiController;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.data.redis.connection.RedisClusterConnection;
import org.springframework.data.redis.connection.RedisClusterNode;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The auto-configuration on a real three-master Redis Cluster, configured the way an
 * application configures one ({@code spring.data.redis.cluster.nodes}), over real HTTP.
 *
 * @author rate-limit-spring-boot
 */
@SpringBootTest(classes = RedisClusterIntegrationTests.TestApplication.class,
		webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "rate-limit.tiers.free.limits.ai_generation=3/1h, 10/1d",
				"rate-limit.tiers.free.limits.api_requests=1000/1h", "rate-limit.identity.api-key-header=X-API-Key",
				// Generous: on a loaded machine the first call (connecting) must not go
				// to the fallback.
				"rate-limit.redis.timeout=5s", "rate-limit.key-prefix=cluster-it-${random.uuid}" })
class RedisClusterIntegrationTests {

	@LocalServerPort
	private int port;

	@Autowired
	private RedisConnectionFactory connectionFactory;

	@Autowired
	private RateLimiter rateLimiter;

	@Autowired
	private CircuitBreaker circuitBreaker;

	@Autowired
	private RedisRateLimiter redisRateLimiter;

	@DynamicPropertySource
	static void cluster(DynamicPropertyRegistry registry) {
		registry.add("spring.data.redis.cluster.nodes", () -> RedisServers.sharedCluster().nodeAddresses());
	}

	@Test
	void limitsInTheClusterThroughBootsClusterConnectionFactory() {
		assertThat(this.connectionFactory).isInstanceOfSatisfying(LettuceConnectionFactory.class,
				(lettuce) -> assertThat(lettuce.isClusterAware()).isTrue());
		OverLimitCachingRateLimiter caching = (OverLimitCachingRateLimiter) this.rateLimiter;
		assertThat(((ResilientRateLimiter) caching.getDelegate()).getDelegate()).isSameAs(this.redisRateLimiter);
	}

	@Test
	void callersOnEveryMasterAreEachAdmittedExactlyTheirLimit() throws Exception {
		// Fixed keys: each caller's hashed identity, and so its slot, is the same on
		// every run; the key prefix keeps runs apart.
		List<String> callers = new ArrayList<>();
		for (int i = 0; i < 9; i++) {
			callers.add("cluster-caller-" + i);
		}
		for (int round = 0; round < 4; round++) {
			for (String caller : callers) {
				HttpResponse<String> response = send("POST", "/api/generate", Map.of("X-API-Key", caller));
				assertThat(response.statusCode()).as("%s, request %d", caller, round + 1)
					.isEqualTo((round < 3) ? 200 : 429);
			}
		}
		assertThat(this.circuitBreaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
		assertThat(this.circuitBreaker.getMetrics().getNumberOfFailedCalls()).isZero();
		StringRedisTemplate template = new StringRedisTemplate(this.connectionFactory);
		Set<String> keys = template.keys(this.redisRateLimiter.getKeyPrefix() + ":{k:*");
		// Two limits of one operation per caller (the fleet's own key aside).
		assertThat(keys).hasSize(2 * callers.size());
		try (RedisClusterConnection connection = this.connectionFactory.getClusterConnection()) {
			Set<RedisClusterNode> owners = keys.stream()
				.map((key) -> connection.clusterGetNodeForKey(key.getBytes()))
				.collect(Collectors.toSet());
			assertThat(owners).hasSize(3);
		}
	}

	private HttpResponse<String> send(String method, String path, Map<String, String> headers)
			throws IOException, InterruptedException {
		return LocalHttp.send("localhost", this.port, method, path, headers);
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import({ TestApiController.class, HeaderTierResolver.class })
	static class TestApplication {

	}

}
