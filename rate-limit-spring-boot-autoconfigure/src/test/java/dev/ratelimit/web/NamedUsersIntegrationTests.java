package dev.ratelimit.web;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.ratelimit.policy.OverrideStore;
import dev.ratelimit.policy.RateLimitOverride;
import dev.ratelimit.test.LocalHttp;
import dev.ratelimit.test.RedisServer;
import dev.ratelimit.test.RedisServers;
import dev.ratelimit.testfixtures.HeaderPrincipalFilter;
import dev.ratelimit.testfixtures.PrincipalTestApplication;
import dev.ratelimit.testfixtures.TestInstances;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Users named in the configuration, over real HTTP on two instances of one application
 * sharing a real Redis: a named user gets its tier and its own limits, exactly, and an
 * operator's override of the same user wins over the configuration.
 */
class NamedUsersIntegrationTests {

	private static final JsonMapper JSON = JsonMapper.shared();

	private static final String PREFIX = "named-" + UUID.randomUUID();

	/**
	 * Unique names, so that reruns against the same Redis start from fresh budgets.
	 */
	private static final String PREMIUM = "premium_user_123-" + UUID.randomUUID();

	private static final String OWN_LIMITS = "own-limits-" + UUID.randomUUID();

	private static final String OVERRIDDEN = "overridden-" + UUID.randomUUID();

	private static final List<ConfigurableApplicationContext> instances = new ArrayList<>();

	private static ConfigurableApplicationContext first;

	private static ConfigurableApplicationContext second;

	@BeforeAll
	static void startTwoInstances() {
		while (instances.size() < 2) {
			instances.add(startInstance());
		}
		first = instances.get(0);
		second = instances.get(1);
	}

	@AfterAll
	static void stopInstances() {
		instances.forEach(ConfigurableApplicationContext::close);
		instances.clear();
	}

	@Test
	void namedUserIsOnItsTier() throws Exception {
		assertThat(limit(send(first, "GET", "/api/ping", PREMIUM))).isEqualTo("50");
		// Not named: the default tier.
		assertThat(limit(send(first, "GET", "/api/ping", "someone-" + UUID.randomUUID()))).isEqualTo("3");
	}

	@Test
	void namedUsersOwnLimitIsAdmittedExactlyUnderConcurrentLoadOnTwoInstances() throws Exception {
		ExecutorService executor = Executors.newFixedThreadPool(8);
		Map<String, Integer> answers = new TreeMap<>();
		try {
			List<Future<HttpResponse<String>>> responses = new ArrayList<>();
			for (int i = 0; i < 130; i++) {
				ConfigurableApplicationContext instance = (i % 2 == 0) ? first : second;
				responses.add(executor.submit(() -> send(instance, "POST", "/api/generate", PREMIUM)));
			}
			for (Future<HttpResponse<String>> future : responses) {
				HttpResponse<String> response = future.get(60, TimeUnit.SECONDS);
				answers.merge(response.statusCode() + " " + limit(response), 1, Integer::sum);
			}
		}
		finally {
			executor.shutdownNow();
		}
		assertThat(answers).containsExactly(Map.entry("200 100", 100), Map.entry("429 100", 30));
	}

	@Test
	void namedUserWithoutTierKeepsItsResolvedTierWithItsOwnLimits() throws Exception {
		assertThat(limit(send(second, "GET", "/api/ping", OWN_LIMITS))).isEqualTo("3");
		assertThat(limit(send(second, "POST", "/api/generate", OWN_LIMITS))).isEqualTo("100");
		// Another user of the same tier has the tier's limit.
		assertThat(limit(send(second, "POST", "/api/generate", "someone-" + UUID.randomUUID()))).isEqualTo("2");
	}

	@Test
	void operatorsOverrideWinsOverTheConfiguration() throws Exception {
		assertThat(limit(send(first, "POST", "/api/generate", OVERRIDDEN))).isEqualTo("100");
		first.getBean(OverrideStore.class)
			.put(Identity.user(OVERRIDDEN).scope(), RateLimitOverride.tier("free", Instant.now().plusSeconds(3600)));
		// The override replaces the named user's entry: the free tier's limits, not
		// the user's own.
		assertThat(limit(send(first, "POST", "/api/generate", OVERRIDDEN))).isEqualTo("2");
		assertThat(limit(send(first, "GET", "/api/ping", OVERRIDDEN))).isEqualTo("3");
		first.getBean(OverrideStore.class).remove(Identity.user(OVERRIDDEN).scope());
		assertThat(limit(send(first, "POST", "/api/generate", OVERRIDDEN))).isEqualTo("100");
	}

	@Test
	void endpointShowsNamedUsersByScopeOnly() throws Exception {
		HttpResponse<String> response = LocalHttp.send("localhost", TestInstances.port(second), "GET",
				"/actuator/ratelimits", Map.of());
		assertThat(response.statusCode()).isEqualTo(200);
		JsonNode users = JSON.readTree(response.body()).path("namedUsers");
		assertThat(users.size()).isEqualTo(3);
		JsonNode premium = null;
		for (JsonNode user : users) {
			if (user.path("scope").asString().equals(Identity.user(PREMIUM).scope())) {
				premium = user;
			}
		}
		assertThat(premium).isNotNull();
		assertThat(premium.path("tier").asString()).isEqualTo("business");
		assertThat(premium.path("limits").path("ai_generation").get(0).path("limit").asLong()).isEqualTo(100);
		assertThat(premium.path("overridden").asBoolean()).isFalse();
		assertThat(response.body()).doesNotContain(PREMIUM).doesNotContain(OWN_LIMITS).doesNotContain(OVERRIDDEN);
	}

	@Test
	void endpointReadsANamedUsersUsageUnderItsTierAndLimits() throws Exception {
		HttpResponse<String> response = LocalHttp.send("localhost", TestInstances.port(first), "GET",
				"/actuator/ratelimits/user:" + OWN_LIMITS, Map.of());
		assertThat(response.statusCode()).isEqualTo(200);
		JsonNode caller = JSON.readTree(response.body());
		assertThat(caller.path("tier").asString()).isEqualTo("free");
		assertThat(caller.path("tierSource").asString()).isEqualTo("configuration");
		Map<String, Long> limits = new TreeMap<>();
		for (JsonNode operation : caller.path("operations")) {
			limits.put(operation.path("operation").asString(), operation.path("limits").get(0).path("limit").asLong());
		}
		assertThat(limits).containsEntry("ai_generation", 100L).containsEntry("api_requests", 3L);
	}

	private static String limit(HttpResponse<String> response) {
		return response.headers().firstValue("X-RateLimit-Limit").orElse("none");
	}

	private static HttpResponse<String> send(ConfigurableApplicationContext instance, String method, String path,
			String user) throws IOException, InterruptedException {
		return LocalHttp.send("localhost", TestInstances.port(instance), method, path,
				Map.of(HeaderPrincipalFilter.HEADER, user));
	}

	private static ConfigurableApplicationContext startInstance() {
		RedisServer redis = RedisServers.shared();
		return TestInstances.start(PrincipalTestApplication.class,
				"management.endpoints.web.exposure.include=ratelimits", "spring.data.redis.host=" + redis.host(),
				"spring.data.redis.port=" + redis.port(), "rate-limit.key-prefix=" + PREFIX,
				// Generous: a loaded machine must not move checks to the local fallback.
				"rate-limit.redis.timeout=5s", "rate-limit.tiers.free.limits.api_requests=3/1h",
				"rate-limit.tiers.free.limits.ai_generation=2/1h",
				"rate-limit.tiers.business.limits.api_requests=50/1h",
				"rate-limit.tiers.business.limits.ai_generation=20/1h", "rate-limit.users[0].name=" + PREMIUM,
				"rate-limit.users[0].tier=business", "rate-limit.users[0].limits.ai_generation=100/1h",
				"rate-limit.users[1].name=" + OWN_LIMITS, "rate-limit.users[1].limits.ai_generation=100/1h",
				"rate-limit.users[2].name=" + OVERRIDDEN, "rate-limit.users[2].tier=business",
				"rate-limit.users[2].limits.ai_generation=100/1h");
	}

}
