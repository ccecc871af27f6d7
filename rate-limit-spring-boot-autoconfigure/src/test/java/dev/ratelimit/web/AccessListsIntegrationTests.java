package dev.ratelimit.web;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;

import dev.ratelimit.test.CommandStats;
import dev.ratelimit.test.LocalHttp;
import dev.ratelimit.test.context.SharedRedis;
import dev.ratelimit.testfixtures.HeaderPrincipalFilter;
import dev.ratelimit.testfixtures.PrincipalTestApplication;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Allow and deny lists over real HTTP against a real Redis: listed callers cost no Redis
 * command and leave no key; the others are limited as usual. The tests connect from the
 * loopback address, a trusted proxy here, so {@code X-Forwarded-For} picks the client.
 */
@SpringBootTest(classes = PrincipalTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "rate-limit.identity.trusted-proxies=127.0.0.1, ::1",
				"rate-limit.tiers.free.limits.api_requests=3/1h", "rate-limit.tiers.free.limits.ai_generation=3/1h",
				"rate-limit.allow.addresses=198.51.100.0/24, 2001:db8:a::/48",
				"rate-limit.allow.users=partner-service, both-lists",
				"rate-limit.deny.addresses=203.0.113.7, 198.51.100.66, 2001:db8:d::/48",
				"rate-limit.deny.users=banned-user, both-lists",
				// No heartbeats: every script call the tests count is a check.
				"rate-limit.fallback.instances=1", "rate-limit.redis.timeout=5s" })
@SharedRedis
class AccessListsIntegrationTests {

	private static final String KEY_PREFIX = "lists-" + UUID.randomUUID();

	@LocalServerPort
	private int port;

	@Autowired
	private RedisConnectionFactory connectionFactory;

	@Autowired
	private MeterRegistry registry;

	@DynamicPropertySource
	static void keyPrefix(DynamicPropertyRegistry registry) {
		registry.add("rate-limit.key-prefix", () -> KEY_PREFIX);
	}

	@Test
	void allowedAddressesAreNeverLimitedAndCostNoRedisCommand() throws Exception {
		long checks = scriptCalls();
		double allowlisted = outcome("allowlisted");
		List<String> answers = new ArrayList<>();
		for (String client : List.of("198.51.100.5", "198.51.100.200", "2001:db8:a::1", "2001:DB8:A:0:0:0:0:9")) {
			for (int i = 0; i < 5; i++) {
				HttpResponse<String> response = send("/api/ping", Map.of("X-Forwarded-For", client));
				answers.add(response.statusCode() + " "
						+ response.headers().firstValue("X-RateLimit-Limit").orElse("no headers"));
			}
		}
		assertThat(answers).hasSize(20).containsOnly("200 no headers");
		assertThat(scriptCalls()).isEqualTo(checks);
		assertThat(keys()).isEmpty();
		assertThat(outcome("allowlisted") - allowlisted).isEqualTo(20);
	}

	@Test
	void deniedAddressesGet403ProblemBeforeAnyCheck() throws Exception {
		long checks = scriptCalls();
		double denylisted = outcome("denylisted");
		// 198.51.100.66 is in an allowed range too: deny wins.
		for (String client : List.of("203.0.113.7", "198.51.100.66", "2001:db8:d:1::2")) {
			HttpResponse<String> response = send("/api/ping", Map.of("X-Forwarded-For", client));
			assertThat(response.statusCode()).isEqualTo(403);
			assertThat(response.headers().firstValue("Content-Type"))
				.hasValueSatisfying((type) -> assertThat(type).startsWith("application/problem+json"));
			assertThat(response.headers().firstValue("X-RateLimit-Limit")).isEmpty();
			assertThat(response.body()).contains("\"status\":403")
				.contains("\"title\":\"Forbidden\"")
				.contains("\"instance\":\"/api/ping\"")
				.doesNotContain(client)
				.doesNotContain("2001:db8:d");
		}
		assertThat(scriptCalls()).isEqualTo(checks);
		assertThat(keys()).isEmpty();
		assertThat(outcome("denylisted") - denylisted).isEqualTo(3);
	}

	@Test
	void deniedCallersAreDeniedOnExcludedPathsToo() throws Exception {
		assertThat(send("/actuator/health", Map.of("X-Forwarded-For", "203.0.113.7")).statusCode()).isEqualTo(403);
		assertThat(send("/actuator/health", Map.of("X-Forwarded-For", "192.0.2.1")).statusCode()).isEqualTo(200);
	}

	@Test
	void forwardedAddressCountsOnlyFromATrustedProxy() throws Exception {
		// The proxy (loopback) vouches for 192.0.2.1 only; what the client wrote before
		// it is not believed.
		HttpResponse<String> spoofedAllow = send("/api/ping", Map.of("X-Forwarded-For", "198.51.100.5, 192.0.2.1"));
		assertThat(spoofedAllow.headers().firstValue("X-RateLimit-Limit")).hasValue("3");
		HttpResponse<String> spoofedDeny = send("/api/ping", Map.of("X-Forwarded-For", "203.0.113.7, 192.0.2.1"));
		assertThat(spoofedDeny.statusCode()).isEqualTo(200);
	}

	@Test
	void allowedAndDeniedPrincipalNames() throws Exception {
		long checks = scriptCalls();
		for (int i = 0; i < 5; i++) {
			HttpResponse<String> allowed = send("/api/ping", Map.of(HeaderPrincipalFilter.HEADER, "partner-service"));
			assertThat(allowed.statusCode()).isEqualTo(200);
			assertThat(allowed.headers().firstValue("X-RateLimit-Limit")).isEmpty();
		}
		for (String name : List.of("banned-user", "both-lists")) {
			HttpResponse<String> denied = send("/api/ping", Map.of(HeaderPrincipalFilter.HEADER, name));
			assertThat(denied.statusCode()).isEqualTo(403);
			assertThat(denied.body()).contains("\"status\":403").doesNotContain(name);
		}
		assertThat(scriptCalls()).isEqualTo(checks);
		assertThat(keys()).isEmpty();
	}

	@Test
	void callersOnNeitherListAreLimited() throws Exception {
		String user = "user-" + UUID.randomUUID();
		List<Integer> statuses = new ArrayList<>();
		for (int i = 0; i < 4; i++) {
			statuses.add(send("/api/ping", Map.of(HeaderPrincipalFilter.HEADER, user)).statusCode());
		}
		assertThat(statuses).containsExactly(200, 200, 200, 429);
		assertThat(keys()).isNotEmpty();
		new StringRedisTemplate(this.connectionFactory).delete(keys());
	}

	private HttpResponse<String> send(String path, Map<String, String> headers)
			throws IOException, InterruptedException {
		return LocalHttp.send("localhost", this.port, "GET", path, new HashMap<>(headers));
	}

	private double outcome(String outcome) {
		return this.registry.get("ratelimit.requests").tag("outcome", outcome).counter().count();
	}

	private long scriptCalls() {
		Properties stats = new StringRedisTemplate(this.connectionFactory)
			.execute((RedisConnection connection) -> connection.serverCommands().info("commandstats"));
		return CommandStats.scriptCalls(stats);
	}

	private Set<String> keys() {
		return new StringRedisTemplate(this.connectionFactory).keys(KEY_PREFIX + ":*");
	}

}
