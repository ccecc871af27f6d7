package dev.ratelimit.web;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.ratelimit.policy.dynamic.LoadSignal;
import dev.ratelimit.policy.dynamic.SampledLoad;
import dev.ratelimit.test.LocalHttp;
import dev.ratelimit.test.MutableClock;
import dev.ratelimit.test.RedisServer;
import dev.ratelimit.test.RedisServers;
import dev.ratelimit.test.context.SharedRedis;
import dev.ratelimit.testfixtures.TestApiController;
import dev.ratelimit.testfixtures.TestInstances;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Dynamic limits over real HTTP against a real Redis: the free tier's 5 generations an
 * hour, multiplied by the schedule (x2 from 23:00 to 01:00 UTC, read from an injected
 * clock), the load (x0.7 at or above 0.8, x1.3 at or below 0.3, from a test signal) and
 * the country a trusted proxy reports (x0.6 for every country but the US).
 */
@SpringBootTest(classes = DynamicLimitsIntegrationTests.TestApplication.class,
		webEnvironment = WebEnvironment.RANDOM_PORT)
@SharedRedis
class DynamicLimitsIntegrationTests {

	private static final String KEY_PREFIX = "dynamic-" + UUID.randomUUID();

	private static final List<String> RULES = List.of("rate-limit.identity.api-key-header=X-API-Key",
			"rate-limit.tiers.free.limits.ai_generation=5/1h", "rate-limit.tiers.free.limits.api_requests=1000/1h",
			"rate-limit.operations.auth_operations.match=POST /auth/login",
			"rate-limit.operations.auth_operations.key=ip", "rate-limit.operations.auth_operations.limits=5/1h",
			"rate-limit.dynamic.schedule[0].hours=23:00-01:00", "rate-limit.dynamic.schedule[0].zone=UTC",
			"rate-limit.dynamic.schedule[0].multiplier=2", "rate-limit.dynamic.load.high=0.8",
			"rate-limit.dynamic.load.high-multiplier=0.7", "rate-limit.dynamic.load.low=0.3",
			"rate-limit.dynamic.load.low-multiplier=1.3", "rate-limit.dynamic.geography.multipliers.US=1.0",
			"rate-limit.dynamic.geography.default-multiplier=0.6",
			"management.endpoints.web.exposure.include=ratelimits",
			// Generous: a loaded build machine must not move checks to the fallback.
			"rate-limit.redis.timeout=5s", "rate-limit.key-prefix=" + KEY_PREFIX);

	private static final Instant MIDNIGHT = Instant.parse("2030-01-01T00:00:00Z");

	private static final Instant NOON = Instant.parse("2030-01-01T12:00:00Z");

	/** Shared by every instance of a test, as the wall clock would be. */
	private static final MutableClock CLOCK = new MutableClock(NOON);

	/** Shared by every instance: the load the test says the instances are under. */
	private static final TestLoadSignal LOAD = new TestLoadSignal();

	private final List<ConfigurableApplicationContext> instances = new ArrayList<>();

	@LocalServerPort
	private int port;

	@Autowired
	private SampledLoad sampledLoad;

	@Autowired
	private RedisConnectionFactory connectionFactory;

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		for (String rule : RULES) {
			int equals = rule.indexOf('=');
			registry.add(rule.substring(0, equals), () -> rule.substring(equals + 1));
		}
		registry.add("rate-limit.identity.trusted-proxies", () -> "127.0.0.1, ::1");
	}

	@BeforeEach
	void neutral() {
		CLOCK.set(NOON);
		LOAD.set(0.5);
		this.sampledLoad.sample();
	}

	@AfterEach
	void stopInstances() {
		this.instances.forEach(ConfigurableApplicationContext::close);
	}

	@Test
	void withoutAdjustmentLimitsAreAsConfiguredAndTheBodyNamesNone() throws Exception {
		String key = newKey();
		HttpResponse<String> response = generate(this.port, key, Map.of());
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(header(response, "X-RateLimit-Limit")).isEqualTo("5");
		for (int i = 0; i < 4; i++) {
			assertThat(generate(this.port, key, Map.of()).statusCode()).isEqualTo(200);
		}
		HttpResponse<String> denied = generate(this.port, key, Map.of());
		assertThat(denied.statusCode()).isEqualTo(429);
		JsonNode body = JsonMapper.shared().readTree(denied.body());
		assertThat(body.path("limit").asLong()).isEqualTo(5);
		assertThat(body.has("adjustments")).isFalse();
	}

	@Test
	void scheduleWindowContainingNowDoublesTheLimitAndTwoInstancesAdmitExactlyThat() throws Exception {
		CLOCK.set(MIDNIGHT);
		int otherPort = TestInstances.port(startInstance("rate-limit.identity.trusted-proxies=127.0.0.1, ::1"));
		String key = newKey();
		int requests = 30;
		ExecutorService executor = Executors.newFixedThreadPool(8);
		try {
			CountDownLatch start = new CountDownLatch(1);
			List<Future<HttpResponse<String>>> responses = new ArrayList<>();
			for (int i = 0; i < requests; i++) {
				int port = (i % 2 == 0) ? this.port : otherPort;
				Callable<HttpResponse<String>> request = () -> {
					start.await();
					return generate(port, key, Map.of());
				};
				responses.add(executor.submit(request));
			}
			start.countDown();
			Map<Integer, Integer> statuses = new HashMap<>();
			for (Future<HttpResponse<String>> future : responses) {
				HttpResponse<String> response = future.get();
				statuses.merge(response.statusCode(), 1, Integer::sum);
				assertThat(header(response, "X-RateLimit-Limit")).isEqualTo("10");
			}
			assertThat(statuses).containsExactlyInAnyOrderEntriesOf(Map.of(200, 10, 429, requests - 10));
		}
		finally {
			executor.shutdownNow();
		}
	}

	@Test
	void countryFromATrustedProxyAdjustsTheLimit() throws Exception {
		assertThat(limitOf(generate(this.port, newKey(), Map.of("CF-IPCountry", "XX")))).isEqualTo("3");
		assertThat(limitOf(generate(this.port, newKey(), Map.of("CF-IPCountry", "US")))).isEqualTo("5");
		assertThat(limitOf(generate(this.port, newKey(), Map.of("CF-IPCountry", "us")))).isEqualTo("5");
		// Not a country code (Cloudflare's T1 is Tor): any other country.
		HttpResponse<String> malformed = generate(this.port, newKey(), Map.of("CF-IPCountry", "T1"));
		assertThat(malformed.statusCode()).isEqualTo(200);
		assertThat(limitOf(malformed)).isEqualTo("3");
		assertThat(limitOf(generate(this.port, newKey(), Map.of("CF-IPCountry", "\u00e9\u00ff" + "x".repeat(500)))))
			.isEqualTo("3");
		assertThat(limitOf(generate(this.port, newKey(), Map.of()))).isEqualTo("5");
	}

	@Test
	void countryFromAnUntrustedPeerChangesNothing() throws Exception {
		// This instance trusts no proxy the tests connect through.
		int untrusted = TestInstances.port(startInstance("rate-limit.identity.trusted-proxies=10.0.0.0/8"));
		assertThat(limitOf(generate(untrusted, newKey(), Map.of("CF-IPCountry", "XX")))).isEqualTo("5");
		assertThat(limitOf(generate(this.port, newKey(), Map.of("CF-IPCountry", "XX")))).isEqualTo("3");
	}

	@Test
	void highLoadLowersLimitsAndLowLoadRaisesThem() throws Exception {
		LOAD.set(0.95);
		this.sampledLoad.sample();
		assertThat(limitOf(generate(this.port, newKey(), Map.of()))).isEqualTo("3");
		LOAD.set(0.1);
		this.sampledLoad.sample();
		assertThat(limitOf(generate(this.port, newKey(), Map.of()))).isEqualTo("6");
		LOAD.set(0.5);
		this.sampledLoad.sample();
		assertThat(limitOf(generate(this.port, newKey(), Map.of()))).isEqualTo("5");
	}

	@Test
	void multipliersMultiplyAndTheAddressKeyedLimitIsNotAdjusted() throws Exception {
		CLOCK.set(MIDNIGHT);
		LOAD.set(0.95);
		this.sampledLoad.sample();
		// 5 x 2 x 0.7 x 0.6 = 4.2
		assertThat(limitOf(generate(this.port, newKey(), Map.of("CF-IPCountry", "XX")))).isEqualTo("4");
		HttpResponse<String> login = LocalHttp.send("localhost", this.port, "POST", "/auth/login",
				Map.of("X-Forwarded-For", "198.51.100." + (1 + (int) (Math.random() * 200)), "CF-IPCountry", "XX"));
		assertThat(limitOf(login)).isEqualTo("5");
	}

	@Test
	void deniedBodyAndEndpointNameTheAdjustments() throws Exception {
		CLOCK.set(MIDNIGHT);
		String key = newKey();
		Map<String, String> country = Map.of("CF-IPCountry", "XX");
		// 5 x 2 x 0.6 = 6
		for (int i = 0; i < 6; i++) {
			assertThat(generate(this.port, key, country).statusCode()).isEqualTo(200);
		}
		HttpResponse<String> denied = generate(this.port, key, country);
		assertThat(denied.statusCode()).isEqualTo(429);
		assertThat(header(denied, "X-RateLimit-Limit")).isEqualTo("6");
		JsonNode body = JsonMapper.shared().readTree(denied.body());
		assertThat(body.path("limit").asLong()).isEqualTo(6);
		assertThat(body.path("adjustments").path("schedule").asDouble()).isEqualTo(2.0);
		assertThat(body.path("adjustments").path("geography").asDouble()).isEqualTo(0.6);
		assertThat(body.path("adjustments").has("load")).isFalse();

		JsonNode caller = getJson("/actuator/ratelimits/" + encode("key:" + key));
		assertThat(caller.path("adjustments").path("schedule").asDouble()).isEqualTo(2.0);
		JsonNode generation = operation(caller, "ai_generation");
		assertThat(generation.path("limits").get(0).path("limit").asLong()).isEqualTo(10);
		JsonNode summary = getJson("/actuator/ratelimits").path("dynamic");
		assertThat(summary.path("schedule").get(0).path("hours").asString()).isEqualTo("23:00-01:00");
		assertThat(summary.path("schedule").get(0).path("active").asBoolean()).isTrue();
		assertThat(summary.path("adjustments").path("schedule").asDouble()).isEqualTo(2.0);
		assertThat(summary.path("load").path("current").asDouble()).isEqualTo(0.5);
		assertThat(summary.path("geography").path("defaultMultiplier").asDouble()).isEqualTo(0.6);

		CLOCK.set(NOON);
		JsonNode atNoon = getJson("/actuator/ratelimits/" + encode("key:" + key));
		assertThat(atNoon.has("adjustments") && !atNoon.path("adjustments").isNull()).isFalse();
		assertThat(getJson("/actuator/ratelimits").path("dynamic").path("schedule").get(0).path("active").asBoolean())
			.isFalse();
	}

	@Test
	void changingAMultiplierKeepsTheCallersState() throws Exception {
		String key = newKey();
		for (int i = 0; i < 3; i++) {
			assertThat(generate(this.port, key, Map.of()).statusCode()).isEqualTo(200);
		}
		Set<String> keys = callerKeys(key);
		assertThat(keys).isNotEmpty();
		LOAD.set(0.1);
		this.sampledLoad.sample();
		// 6 an hour now; the 3 already spent still count: a fresh bucket would leave 5.
		HttpResponse<String> raised = generate(this.port, key, Map.of());
		assertThat(limitOf(raised)).isEqualTo("6");
		assertThat(header(raised, "X-RateLimit-Remaining")).isEqualTo("1");
		assertThat(callerKeys(key)).isEqualTo(keys);
		LOAD.set(0.5);
		this.sampledLoad.sample();
		// Back to 5 with 4 spent.
		HttpResponse<String> back = generate(this.port, key, Map.of());
		assertThat(back.statusCode()).isEqualTo(200);
		assertThat(header(back, "X-RateLimit-Remaining")).isEqualTo("0");
		assertThat(generate(this.port, key, Map.of()).statusCode()).isEqualTo(429);
	}

	@Test
	void reputationFromRedisFollowsWhatAnOperatorSets() throws Exception {
		ConfigurableApplicationContext instance = startInstance("rate-limit.identity.trusted-proxies=127.0.0.1, ::1",
				"rate-limit.dynamic.reputation.enabled=true", "rate-limit.dynamic.reputation.refresh-interval=50ms");
		int port = TestInstances.port(instance);
		String key = newKey();
		// Unknown: 0.8, so x 0.9.
		assertThat(limitOf(ping(port, key))).isEqualTo("900");
		String scope = Identity.apiKey(key).scope();
		StringRedisTemplate redis = new StringRedisTemplate(this.connectionFactory);
		redis.opsForValue().set(KEY_PREFIX + ":{" + scope + "}:reputation", "0.2");
		// x (0.5 + 0.5 x 0.2) = x 0.6, once the background refresh has read it.
		await().atMost(Duration.ofSeconds(10)).until(() -> limitOf(ping(port, key)).equals("600"));
		redis.opsForValue().set(KEY_PREFIX + ":{" + scope + "}:reputation", "1");
		await().atMost(Duration.ofSeconds(10)).until(() -> limitOf(ping(port, key)).equals("1000"));
		// Another caller is still unknown.
		assertThat(limitOf(ping(port, newKey()))).isEqualTo("900");
	}

	private ConfigurableApplicationContext startInstance(String... extra) {
		RedisServer redis = RedisServers.shared();
		List<String> properties = new ArrayList<>(RULES);
		properties.add("spring.data.redis.host=" + redis.host());
		properties.add("spring.data.redis.port=" + redis.port());
		properties.addAll(List.of(extra));
		ConfigurableApplicationContext instance = TestInstances.start(TestApplication.class,
				properties.toArray(String[]::new));
		this.instances.add(instance);
		return instance;
	}

	private Set<String> callerKeys(String key) {
		StringRedisTemplate redis = new StringRedisTemplate(this.connectionFactory);
		return redis.keys(KEY_PREFIX + ":{" + Identity.apiKey(key).scope() + "}:*");
	}

	private static HttpResponse<String> generate(int port, String key, Map<String, String> headers) throws Exception {
		Map<String, String> all = new HashMap<>(headers);
		all.put("X-API-Key", key);
		return LocalHttp.send("localhost", port, "POST", "/api/generate", all);
	}

	private static HttpResponse<String> ping(int port, String key) throws Exception {
		return LocalHttp.send("localhost", port, "GET", "/api/ping", Map.of("X-API-Key", key));
	}

	private JsonNode getJson(String path) throws Exception {
		HttpResponse<String> response = LocalHttp.send("localhost", this.port, "GET", path, Map.of());
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return JsonMapper.shared().readTree(response.body());
	}

	private static JsonNode operation(JsonNode caller, String name) {
		for (JsonNode operation : caller.path("operations")) {
			if (operation.path("operation").asString().equals(name)) {
				return operation;
			}
		}
		throw new AssertionError("no operation " + name + " in " + caller);
	}

	private static String limitOf(HttpResponse<String> response) {
		return header(response, "X-RateLimit-Limit");
	}

	private static String header(HttpResponse<String> response, String name) {
		return response.headers().firstValue(name).orElse("");
	}

	private static String encode(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8);
	}

	private static String newKey() {
		return "key-" + UUID.randomUUID();
	}

	static final class TestLoadSignal implements LoadSignal {

		private volatile double load = 0.5;

		void set(double load) {
			this.load = load;
		}

		@Override
		public double load() {
			return this.load;
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import(TestApiController.class)
	static class TestApplication {

		@Bean
		Clock clock() {
			return CLOCK;
		}

		@Bean
		LoadSignal loadSignal() {
			return LOAD;
		}

	}

}
