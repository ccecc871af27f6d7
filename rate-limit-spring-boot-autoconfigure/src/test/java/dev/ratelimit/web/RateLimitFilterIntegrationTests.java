package dev.ratelimit.web;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import dev.ratelimit.test.CommandStats;
import dev.ratelimit.test.LocalHttp;
import dev.ratelimit.test.context.SharedRedis;
import dev.ratelimit.testfixtures.HeaderTierResolver;
import dev.ratelimit.testfixtures.TestApiController;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The filter over real HTTP against a real Redis.
 */
@SpringBootTest(classes = RateLimitFilterIntegrationTests.TestApplication.class,
		webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "rate-limit.tiers.free.upgrade-url=/pricing?upgrade=pro",
				"rate-limit.tiers.free.limits.ai_generation=3/1h, 10/1d",
				"rate-limit.tiers.free.limits.project_operations=100/1h",
				"rate-limit.tiers.free.limits.api_requests=1000/1h", "rate-limit.tiers.pro.limits.ai_generation=30/1h",
				"rate-limit.tiers.pro.limits.api_requests=10000/1h", "rate-limit.tiers.enterprise.unlimited=true",
				"rate-limit.operations.project_operations.match=/projects/**",
				"rate-limit.operations.auth_operations.match=POST /auth/login",
				"rate-limit.operations.auth_operations.key=ip", "rate-limit.operations.auth_operations.limits=2/1m",
				"rate-limit.headers.ietf=true", "rate-limit.identity.api-key-header=X-API-Key",
				// Generous: on a loaded machine the first call (connecting) must not go
				// to the fallback.
				"rate-limit.redis.timeout=5s", "rate-limit.key-prefix=it-${random.uuid}" })
@SharedRedis
class RateLimitFilterIntegrationTests {

	@LocalServerPort
	private int port;

	@Autowired
	private RedisConnectionFactory connectionFactory;

	@Test
	void allowedResponseCarriesHeadersOfTheBindingLimit() throws Exception {
		HttpResponse<String> response = send("GET", "/api/ping", Map.of("X-API-Key", newKey()));
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(header(response, "X-RateLimit-Limit")).isEqualTo("1000");
		assertThat(header(response, "X-RateLimit-Remaining")).isEqualTo("999");
		assertThat(Long.parseLong(header(response, "X-RateLimit-Reset"))).isBetween(1L, 3600L);
		assertThat(header(response, "RateLimit-Policy")).isEqualTo("\"api_requests-1h\";q=1000;w=3600");
		assertThat(header(response, "RateLimit")).startsWith("\"api_requests-1h\";r=999;t=");
		assertThat(response.headers().firstValue("Retry-After")).isEmpty();
	}

	@Test
	void deniedRequestGetsProblemBody() throws Exception {
		Map<String, String> caller = Map.of("X-API-Key", newKey());
		for (int i = 0; i < 3; i++) {
			assertThat(send("POST", "/api/generate", caller).statusCode()).isEqualTo(200);
		}
		HttpResponse<String> denied = send("POST", "/api/generate", caller);
		assertThat(denied.statusCode()).isEqualTo(429);
		assertThat(header(denied, "Content-Type")).startsWith("application/problem+json");
		long retryAfter = Long.parseLong(header(denied, "Retry-After"));
		assertThat(retryAfter).isBetween(1L, 3600L);
		assertThat(header(denied, "X-RateLimit-Limit")).isEqualTo("3");
		assertThat(header(denied, "X-RateLimit-Remaining")).isEqualTo("0");
		assertThat(header(denied, "RateLimit-Policy"))
			.isEqualTo("\"ai_generation-1h\";q=3;w=3600, \"ai_generation-1d\";q=10;w=86400");
		@SuppressWarnings("unchecked")
		Map<String, Object> body = JsonMapper.shared().readValue(denied.body(), Map.class);
		assertThat(body).containsEntry("type", "about:blank")
			.containsEntry("title", "Too Many Requests")
			.containsEntry("status", 429)
			.containsEntry("instance", "/api/generate")
			.containsEntry("operation", "ai_generation")
			.containsEntry("tier", "free")
			.containsEntry("limit", 3)
			.containsEntry("window", "1h")
			.containsEntry("remaining", 0)
			.containsEntry("upgradeUrl", "/pricing?upgrade=pro");
		assertThat(((Number) body.get("retryAfter")).longValue()).isEqualTo(retryAfter);
		assertThat((String) body.get("detail")).contains("'ai_generation'").contains("at most 3 per 1h");
	}

	@Test
	void annotationAndPathRuleAreOneCheckAndTheAnnotationWins() throws Exception {
		Map<String, String> caller = Map.of("X-API-Key", newKey());
		// The first call of a fresh server may load the script (EVALSHA, NOSCRIPT, EVAL).
		send("GET", "/api/ping", Map.of("X-API-Key", newKey()));
		long before = scriptCalls();
		HttpResponse<String> response = send("POST", "/projects/generate", caller);
		assertThat(scriptCalls() - before).isEqualTo(1);
		assertThat(header(response, "X-RateLimit-Limit")).isEqualTo("3");
		HttpResponse<String> listing = send("GET", "/projects/list", caller);
		assertThat(header(listing, "X-RateLimit-Limit")).isEqualTo("100");
		assertThat(header(listing, "X-RateLimit-Remaining")).isEqualTo("99");
	}

	@Test
	void annotationFollowsTheHandlerHoweverThePathIsSpelled() throws Exception {
		Map<String, String> caller = Map.of("X-API-Key", newKey());
		HttpResponse<String> response = send("POST", "/api/generate;jsessionid=x", caller);
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(header(response, "X-RateLimit-Limit")).isEqualTo("3");
	}

	@Test
	void excludedPathsAndUnlimitedTiersCostNoRedisCall() throws Exception {
		long before = scriptCalls();
		HttpResponse<String> excluded = send("GET", "/actuator/anything", Map.of());
		HttpResponse<String> unlimited = send("GET", "/api/ping", Map.of("X-Test-Tier", "enterprise"));
		assertThat(scriptCalls()).isEqualTo(before);
		assertThat(excluded.headers().firstValue("X-RateLimit-Limit")).isEmpty();
		assertThat(unlimited.statusCode()).isEqualTo(200);
		assertThat(unlimited.headers().firstValue("X-RateLimit-Limit")).isEmpty();
	}

	@Test
	void tierFromTheResolverSelectsItsLimits() throws Exception {
		HttpResponse<String> response = send("POST", "/api/generate",
				Map.of("X-API-Key", newKey(), "X-Test-Tier", "pro"));
		assertThat(header(response, "X-RateLimit-Limit")).isEqualTo("30");
	}

	@Test
	void forwardedForFromUntrustedPeerDoesNotChangeTheBudget() throws Exception {
		assertThat(send("POST", "/auth/login", Map.of("X-Forwarded-For", "198.51.100.1")).statusCode()).isEqualTo(200);
		assertThat(send("POST", "/auth/login", Map.of("X-Forwarded-For", "198.51.100.2", "X-API-Key", newKey()))
			.statusCode()).isEqualTo(200);
		HttpResponse<String> third = send("POST", "/auth/login", Map.of("X-Forwarded-For", "198.51.100.3"));
		assertThat(third.statusCode()).isEqualTo(429);
		assertThat(header(third, "X-RateLimit-Limit")).isEqualTo("2");
	}

	private long scriptCalls() {
		try (RedisConnection connection = this.connectionFactory.getConnection()) {
			Properties stats = connection.serverCommands().info("commandstats");
			return CommandStats.scriptCalls(stats);
		}
	}

	private HttpResponse<String> send(String method, String path, Map<String, String> headers)
			throws IOException, InterruptedException {
		return LocalHttp.send("localhost", this.port, method, path, headers);
	}

	private static String header(HttpResponse<?> response, String name) {
		return response.headers().firstValue(name).orElseThrow(() -> new AssertionError("no header " + name));
	}

	private static String newKey() {
		return "key-" + UUID.randomUUID();
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import({ TestApiController.class, ProjectController.class, HeaderTierResolver.class })
	static class TestApplication {

	}

	/**
	 * Paths beyond the shared test API: an annotated method under a path rule, a method
	 * under the path rule only, and an excluded path that a handler serves.
	 */
	@RestController
	static class ProjectController {

		@PostMapping("/projects/generate")
		@RateLimited(operation = "ai_generation")
		String generate() {
			return "generated";
		}

		@GetMapping("/projects/list")
		String projects() {
			return "projects";
		}

		@GetMapping("/actuator/anything")
		String actuator() {
			return "not limited";
		}

	}

}
