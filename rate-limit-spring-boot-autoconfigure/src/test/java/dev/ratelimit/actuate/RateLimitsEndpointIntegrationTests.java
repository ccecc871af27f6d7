package dev.ratelimit.actuate;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.ratelimit.test.LocalHttp;
import dev.ratelimit.test.MutableClock;
import dev.ratelimit.test.RedisServer;
import dev.ratelimit.test.RedisServers;
import dev.ratelimit.test.context.SharedRedis;
import dev.ratelimit.testfixtures.HeaderTierResolver;
import dev.ratelimit.testfixtures.TestApiController;
import dev.ratelimit.web.Identity;
import org.jspecify.annotations.Nullable;
import dev.ratelimit.testfixtures.TestInstances;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The {@code ratelimits} endpoint over real HTTP against a real Redis.
 */
@SpringBootTest(classes = RateLimitsEndpointIntegrationTests.TestApplication.class,
		webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "management.endpoints.web.exposure.include=ratelimits",
				"rate-limit.overrides.refresh-interval=50ms" })
@SharedRedis
class RateLimitsEndpointIntegrationTests {

	private static final String[] RULES = { "rate-limit.identity.api-key-header=X-API-Key",
			"rate-limit.tiers.free.upgrade-url=/pricing?upgrade=pro",
			"rate-limit.tiers.free.limits.ai_generation=3/1h, 10/1d",
			"rate-limit.tiers.free.limits.api_requests=1000/1h", "rate-limit.tiers.pro.limits.ai_generation=30/1h",
			"rate-limit.tiers.pro.limits.api_requests=10000/1h", "rate-limit.tiers.enterprise.unlimited=true",
			"rate-limit.operations.ai_generation.match=POST /api/generate",
			"rate-limit.operations.auth_operations.match=POST /auth/login",
			"rate-limit.operations.auth_operations.key=ip", "rate-limit.operations.auth_operations.limits=2/1m" };

	private static final String KEY_PREFIX = "endpoint-" + UUID.randomUUID();

	/** Shared by both application contexts of a test, as the wall clock would be. */
	private static final MutableClock CLOCK = MutableClock.startingAtMidnight();

	private static @Nullable ConfigurableApplicationContext otherInstance;

	private final HttpClient http = HttpClient.newHttpClient();

	@LocalServerPort
	private int port;

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		registry.add("rate-limit.key-prefix", () -> KEY_PREFIX);
		for (String rule : RULES) {
			int equals = rule.indexOf('=');
			registry.add(rule.substring(0, equals), () -> rule.substring(equals + 1));
		}
	}

	@Test
	void summaryShowsTheRulesAndTheBackend() throws Exception {
		JsonNode summary = getJson("/actuator/ratelimits");
		JsonNode rules = summary.path("rules");
		assertThat(rules.path("defaultTier").asString()).isEqualTo("free");
		assertThat(rules.path("defaultOperation").asString()).isEqualTo("api_requests");
		JsonNode freeGeneration = rules.path("tiers").path("free").path("limits").path("ai_generation");
		assertThat(freeGeneration.size()).isEqualTo(2);
		assertThat(freeGeneration.get(0).path("limit").asLong()).isEqualTo(3);
		assertThat(freeGeneration.get(0).path("window").asString()).isEqualTo("1h");
		assertThat(freeGeneration.get(0).path("algorithm").asString()).isEqualTo("token-bucket");
		assertThat(freeGeneration.get(1).path("limit").asLong()).isEqualTo(10);
		assertThat(rules.path("tiers").path("free").path("upgradeUrl").asString()).isEqualTo("/pricing?upgrade=pro");
		// Unlimited, except for the limits that protect the service (keyed by address).
		JsonNode enterprise = rules.path("tiers").path("enterprise");
		assertThat(enterprise.path("unlimited").asBoolean()).isTrue();
		assertThat(names(enterprise.path("limits"))).containsExactly("auth_operations");
		JsonNode login = rules.path("operations").path("auth_operations");
		assertThat(login.path("key").asString()).isEqualTo("ip");
		assertThat(login.path("match").get(0).asString()).isEqualTo("POST /auth/login");
		assertThat(login.path("limits").get(0).path("limit").asLong()).isEqualTo(2);
		assertThat(rules.path("operations").path("ai_generation").path("cost").asLong()).isEqualTo(1);
		JsonNode annotated = rules.path("operations").path("ai_generation").path("annotated");
		assertThat(annotated.size()).isEqualTo(1);
		assertThat(annotated.get(0).path("handler").asString()).isEqualTo("{POST [/api/generate]}");
		assertThat(rules.path("pathRules").toString()).contains("POST /api/generate -> ai_generation");
		assertThat(rules.path("exclusions").toString()).contains("/actuator/**");
		JsonNode backend = summary.path("backend");
		assertThat(backend.path("type").asString()).isEqualTo("redis");
		assertThat(backend.path("decidedBy").asString()).isEqualTo("redis");
		assertThat(backend.path("keyPrefix").asString()).isEqualTo(KEY_PREFIX);
		assertThat(backend.path("resilience").path("failureMode").asString()).isEqualTo("local");
		assertThat(backend.path("resilience").path("circuitBreaker").asString()).isEqualTo("CLOSED");
		assertThat(backend.path("resilience").path("onFallback").asBoolean()).isFalse();
		assertThat(backend.path("resilience").path("instances").asInt()).isPositive();
	}

	@Test
	void summaryCountsTrafficAndNamesTheTopCallersByHashedScopeOnly() throws Exception {
		// Leave earlier tests' traffic behind the recent window.
		CLOCK.advance(Duration.ofMinutes(10));
		JsonNode before = getJson("/actuator/ratelimits").path("traffic").path("tiers");
		String heavy = newKey();
		String light = newKey();
		for (int i = 0; i < 5; i++) {
			send("POST", "/api/generate", Map.of("X-API-Key", heavy));
		}
		send("POST", "/api/generate", Map.of("X-API-Key", light));
		send("GET", "/api/ping", Map.of("X-API-Key", light));
		HttpResponse<String> response = send("GET", "/actuator/ratelimits", Map.of());
		assertThat(response.body()).doesNotContain(heavy).doesNotContain(light);
		JsonNode traffic = JsonMapper.shared().readTree(response.body()).path("traffic");
		JsonNode generation = traffic.path("tiers").path("free").path("ai_generation");
		JsonNode generationBefore = before.path("free").path("ai_generation");
		assertThat(generation.path("checks").asLong() - generationBefore.path("checks").asLong()).isEqualTo(6);
		assertThat(generation.path("allowed").asLong() - generationBefore.path("allowed").asLong()).isEqualTo(4);
		assertThat(generation.path("denied").asLong() - generationBefore.path("denied").asLong()).isEqualTo(2);
		assertThat(generation.path("denialRate").asDouble()).isBetween(0.0, 1.0);
		JsonNode top = traffic.path("topCallers");
		assertThat(top.path("window").asString()).isEqualTo("5m");
		assertThat(top.path("maxError").asLong()).isZero();
		JsonNode denials = top.path("byDenials");
		assertThat(denials.size()).isEqualTo(1);
		assertThat(denials.get(0).path("scope").asString()).isEqualTo(Identity.apiKey(heavy).scope());
		assertThat(denials.get(0).path("tier").asString()).isEqualTo("free");
		assertThat(denials.get(0).path("denied").asLong()).isEqualTo(2);
		assertThat(denials.get(0).path("requests").asLong()).isEqualTo(5);
		JsonNode requests = top.path("byRequests");
		assertThat(requests.size()).isEqualTo(2);
		assertThat(requests.get(0).path("scope").asString()).isEqualTo(Identity.apiKey(heavy).scope());
		assertThat(requests.get(1).path("scope").asString()).isEqualTo(Identity.apiKey(light).scope());
		assertThat(requests.get(1).path("requests").asLong()).isEqualTo(2);
		assertThat(requests.get(1).path("denied").asLong()).isZero();
		// The window moves on: five minutes later nobody is a top caller any more.
		CLOCK.advance(Duration.ofMinutes(5));
		assertThat(getJson("/actuator/ratelimits").path("traffic").path("topCallers").path("byRequests").size())
			.isZero();
	}

	@Test
	void callerUsageIsReadWithoutConsumingAnything() throws Exception {
		String key = newKey();
		send("POST", "/api/generate", Map.of("X-API-Key", key));
		send("POST", "/api/generate", Map.of("X-API-Key", key));
		HttpResponse<String> response = send("GET", "/actuator/ratelimits/" + encode("key:" + key), Map.of());
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).doesNotContain(key);
		JsonNode caller = JsonMapper.shared().readTree(response.body());
		assertThat(caller.path("selectedAs").asString()).isEqualTo("key");
		assertThat(caller.path("scope").asString()).isEqualTo(Identity.apiKey(key).scope());
		assertThat(caller.path("tier").asString()).isEqualTo("free");
		assertThat(caller.path("tierSource").asString()).isEqualTo("observed");
		assertThat(caller.path("override").isMissingNode()).isTrue();
		JsonNode generation = operation(caller, "ai_generation");
		assertThat(generation.path("fallback").asBoolean()).isFalse();
		JsonNode hourly = generation.path("limits").get(0);
		assertThat(hourly.path("limit").asLong()).isEqualTo(3);
		assertThat(hourly.path("window").asString()).isEqualTo("1h");
		assertThat(hourly.path("used").asLong()).isEqualTo(2);
		assertThat(hourly.path("remaining").asLong()).isEqualTo(1);
		assertThat(hourly.path("resetAfterSeconds").asLong()).isBetween(1L, 3600L);
		JsonNode daily = generation.path("limits").get(1);
		assertThat(daily.path("used").asLong()).isEqualTo(2);
		assertThat(daily.path("remaining").asLong()).isEqualTo(8);
		assertThat(operation(caller, "api_requests").path("limits").get(0).path("used").asLong()).isZero();
		// Keyed by address: not this caller's budget.
		assertThat(caller.path("notes").toString()).contains("auth_operations");
		// Reading again consumed nothing: the caller still has exactly one generation
		// left.
		assertThat(operation(getJson("/actuator/ratelimits/key:" + key), "ai_generation").path("limits")
			.get(0)
			.path("remaining")
			.asLong()).isEqualTo(1);
		assertThat(send("POST", "/api/generate", Map.of("X-API-Key", key)).statusCode()).isEqualTo(200);
		assertThat(send("POST", "/api/generate", Map.of("X-API-Key", key)).statusCode()).isEqualTo(429);
	}

	@Test
	void callerNeverSeenIsShownOnTheDefaultTierOrTheTierAskedFor() throws Exception {
		String key = newKey();
		JsonNode unseen = getJson("/actuator/ratelimits/key:" + key);
		assertThat(unseen.path("tier").asString()).isEqualTo("free");
		assertThat(unseen.path("tierSource").asString()).isEqualTo("default");
		JsonNode asked = getJson("/actuator/ratelimits/key:" + key + "?tier=pro");
		assertThat(asked.path("tier").asString()).isEqualTo("pro");
		assertThat(asked.path("tierSource").asString()).isEqualTo("parameter");
		assertThat(operation(asked, "ai_generation").path("limits").get(0).path("limit").asLong()).isEqualTo(30);
		JsonNode unlimited = getJson("/actuator/ratelimits/key:" + key + "?tier=enterprise");
		assertThat(operation(unlimited, "ai_generation").path("unlimited").asBoolean()).isTrue();
		assertThat(send("GET", "/actuator/ratelimits/key:" + key + "?tier=platinum", Map.of()).statusCode())
			.isEqualTo(400);
	}

	@Test
	void selectorsNameTheSameCallerInEveryForm() throws Exception {
		String key = newKey();
		String scope = Identity.apiKey(key).scope();
		assertThat(getJson("/actuator/ratelimits/scope:" + scope).path("scope").asString()).isEqualTo(scope);
		assertThat(getJson("/actuator/ratelimits/user:alice").path("scope").asString())
			.isEqualTo(Identity.user("alice").scope());
		assertThat(getJson("/actuator/ratelimits/alice").path("scope").asString())
			.isEqualTo(Identity.user("alice").scope());
		JsonNode address = getJson("/actuator/ratelimits/127.0.0.1");
		assertThat(address.path("selectedAs").asString()).isEqualTo("ip");
		assertThat(address.path("scope").asString()).isEqualTo(Identity.address("127.0.0.1").scope());
		// An address also owns the budgets keyed by address.
		assertThat(operation(address, "auth_operations").path("key").asString()).isEqualTo("ip");
		assertThat(getJson("/actuator/ratelimits/ip:127.0.0.1").path("scope").asString())
			.isEqualTo(address.path("scope").asString());
		assertThat(getJson("/actuator/ratelimits/" + encode("::1")).path("selectedAs").asString()).isEqualTo("ip");
	}

	@ParameterizedTest
	@ValueSource(strings = { "ip:example.com", "ip:", "key:", "scope:u:123", "scope:x:0123456789abcdef0123456789abcdef",
			"usr:alice" })
	void invalidSelectorsAreBadRequests(String selector) throws Exception {
		assertThat(send("GET", "/actuator/ratelimits/" + encode(selector), Map.of()).statusCode()).isEqualTo(400);
		assertThat(send("DELETE", "/actuator/ratelimits/" + encode(selector), Map.of()).statusCode()).isEqualTo(400);
		assertThat(post("/actuator/ratelimits/" + encode(selector), "{\"tier\":\"pro\",\"expiresIn\":\"10m\"}")
			.statusCode()).isEqualTo(400);
	}

	@Test
	void badRequestsSayWhatIsWrong() throws Exception {
		HttpResponse<String> unknownTier = post("/actuator/ratelimits/alice",
				"{\"tier\": \"platinum\", \"expiresIn\": \"10m\"}");
		assertThat(unknownTier.statusCode()).isEqualTo(400);
		assertThat(JsonMapper.shared().readTree(unknownTier.body()).path("message").asString())
			.isEqualTo("Unknown tier 'platinum'; the tiers are enterprise, free, pro");
		HttpResponse<String> noExpiry = post("/actuator/ratelimits/alice", "{\"tier\": \"pro\"}");
		assertThat(JsonMapper.shared().readTree(noExpiry.body()).path("message").asString()).contains("expiresIn");
		HttpResponse<String> tooLong = post("/actuator/ratelimits/alice",
				"{\"tier\": \"pro\", \"expiresIn\": \"90d\"}");
		assertThat(JsonMapper.shared().readTree(tooLong.body()).path("message").asString())
			.isEqualTo("expiresIn must be a duration from 1s to 30d with a unit, e.g. 10m, 2h or 7d");
		HttpResponse<String> badSelector = send("DELETE", "/actuator/ratelimits/usr:alice", Map.of());
		assertThat(badSelector.statusCode()).isEqualTo(400);
		assertThat(JsonMapper.shared().readTree(badSelector.body()).path("message").asString())
			.startsWith("Unknown identity prefix 'usr:'");
	}

	@Test
	void overrideToAnotherTierAppliesAtOnceAndExpires() throws Exception {
		String key = newKey();
		HttpResponse<String> response = post("/actuator/ratelimits/key:" + key,
				"{\"tier\": \"pro\", \"expiresIn\": \"10m\"}");
		assertThat(response.statusCode()).isEqualTo(200);
		JsonNode caller = JsonMapper.shared().readTree(response.body());
		assertThat(caller.path("tier").asString()).isEqualTo("pro");
		assertThat(caller.path("tierSource").asString()).isEqualTo("override");
		assertThat(caller.path("override").path("tier").asString()).isEqualTo("pro");
		assertThat(caller.path("override").path("expiresInSeconds").asLong()).isEqualTo(600);
		assertThat(caller.path("override").path("expiresAt").asString())
			.isEqualTo(CLOCK.instant().plus(Duration.ofMinutes(10)).toString());
		HttpResponse<String> lifted = send("POST", "/api/generate", Map.of("X-API-Key", key));
		assertThat(lifted.headers().firstValue("X-RateLimit-Limit")).hasValue("30");
		assertThat(getJson("/actuator/ratelimits").path("overrides").toString()).contains(Identity.apiKey(key).scope());
		CLOCK.advance(Duration.ofMinutes(10));
		JsonNode expired = getJson("/actuator/ratelimits/key:" + key);
		assertThat(expired.path("override").isMissingNode()).isTrue();
		assertThat(expired.path("tier").asString()).isEqualTo("free");
		assertThat(send("POST", "/api/generate", Map.of("X-API-Key", key)).headers().firstValue("X-RateLimit-Limit"))
			.hasValue("3");
		assertThat(getJson("/actuator/ratelimits").path("overrides").toString())
			.doesNotContain(Identity.apiKey(key).scope());
	}

	@Test
	void liftedCallerContinuesAtOnceBecauseTheOverrideStartsFromResetCounters() throws Exception {
		String key = newKey();
		for (int i = 0; i < 3; i++) {
			send("POST", "/api/generate", Map.of("X-API-Key", key));
		}
		assertThat(send("POST", "/api/generate", Map.of("X-API-Key", key)).statusCode()).isEqualTo(429);
		post("/actuator/ratelimits/key:" + key, "{\"tier\": \"pro\", \"expiresIn\": \"10m\"}");
		HttpResponse<String> lifted = send("POST", "/api/generate", Map.of("X-API-Key", key));
		assertThat(lifted.statusCode()).isEqualTo(200);
		assertThat(lifted.headers().firstValue("X-RateLimit-Remaining")).hasValue("29");
	}

	@Test
	void overrideWithoutResetKeepsTheShareOfTheWindowATokenBucketCaller() throws Exception {
		String key = newKey();
		for (int i = 0; i < 3; i++) {
			send("POST", "/api/generate", Map.of("X-API-Key", key));
		}
		post("/actuator/ratelimits/key:" + key, "{\"tier\": \"pro\", \"expiresIn\": \"10m\", \"reset\": false}");
		// The token bucket remembers the whole hour as spent, so pro's hour is spent too.
		JsonNode caller = getJson("/actuator/ratelimits/key:" + key);
		JsonNode hourly = operation(caller, "ai_generation").path("limits").get(0);
		assertThat(hourly.path("limit").asLong()).isEqualTo(30);
		assertThat(hourly.path("remaining").asLong()).isZero();
		assertThat(send("POST", "/api/generate", Map.of("X-API-Key", key)).statusCode()).isEqualTo(429);
	}

	@Test
	void overrideByMultiplierScalesTheCallersLimits() throws Exception {
		String key = newKey();
		HttpResponse<String> response = post("/actuator/ratelimits/key:" + key,
				"{\"multiplier\": 2, \"expiresIn\": \"1h\"}");
		assertThat(response.statusCode()).isEqualTo(200);
		JsonNode caller = JsonMapper.shared().readTree(response.body());
		assertThat(caller.path("override").path("multiplier").asDouble()).isEqualTo(2.0);
		assertThat(caller.path("override").path("tier").isMissingNode()).isTrue();
		assertThat(operation(caller, "ai_generation").path("limits").get(0).path("limit").asLong()).isEqualTo(6);
		for (int i = 0; i < 6; i++) {
			HttpResponse<String> allowed = send("POST", "/api/generate", Map.of("X-API-Key", key));
			assertThat(allowed.statusCode()).isEqualTo(200);
			assertThat(allowed.headers().firstValue("X-RateLimit-Limit")).hasValue("6");
		}
		HttpResponse<String> denied = send("POST", "/api/generate", Map.of("X-API-Key", key));
		assertThat(denied.statusCode()).isEqualTo(429);
		assertThat(denied.body()).contains("at most 6 per 1h");
		// Not a budget the caller owns: login attempts are counted per address, shared
		// with others.
		HttpResponse<String> login = send("POST", "/auth/login", Map.of("X-API-Key", key));
		assertThat(login.headers().firstValue("X-RateLimit-Limit")).hasValue("2");
	}

	@ParameterizedTest
	@ValueSource(
			strings = { "{\"expiresIn\": \"10m\"}", "{\"tier\": \"pro\", \"multiplier\": 2, \"expiresIn\": \"10m\"}",
					"{\"tier\": \"platinum\", \"expiresIn\": \"10m\"}", "{\"multiplier\": 0, \"expiresIn\": \"10m\"}",
					"{\"multiplier\": -1, \"expiresIn\": \"10m\"}", "{\"multiplier\": 1e9, \"expiresIn\": \"10m\"}",
					"{\"multiplier\": \"lots\", \"expiresIn\": \"10m\"}", "{\"tier\": \"pro\"}",
					"{\"tier\": \"pro\", \"expiresIn\": \"600\"}", "{\"tier\": \"pro\", \"expiresIn\": \"0s\"}",
					"{\"tier\": \"pro\", \"expiresIn\": \"-5m\"}", "{\"tier\": \"pro\", \"expiresIn\": \"31d\"}",
					"{\"tier\": \"pro\", \"expiresIn\": \"soon\"}",
					"{\"tier\": \"pro\", \"expiresIn\": \"99999999999999999d\"}",
					"{\"tier\": \"pro\", \"expiresIn\": null}", "{\"tier\": [\"pro\"], \"expiresIn\": \"10m\"}", "[]",
					"{\"tier\": \"pro\", \"expiresIn\": \"10m\", \"reset\": \"maybe\"}", "not json" })
	void invalidOverridesAreBadRequests(String body) throws Exception {
		String key = newKey();
		HttpResponse<String> response = post("/actuator/ratelimits/key:" + key, body);
		assertThat(response.statusCode()).isEqualTo(400);
		assertThat(getJson("/actuator/ratelimits/key:" + key).path("override").isMissingNode()).isTrue();
	}

	@Test
	void deleteResetsTheCallersCountersAndLiftsItsOverride() throws Exception {
		String key = newKey();
		for (int i = 0; i < 3; i++) {
			send("POST", "/api/generate", Map.of("X-API-Key", key));
		}
		assertThat(send("POST", "/api/generate", Map.of("X-API-Key", key)).statusCode()).isEqualTo(429);
		post("/actuator/ratelimits/key:" + key, "{\"multiplier\": 0.5, \"expiresIn\": \"1h\"}");
		HttpResponse<String> response = send("DELETE", "/actuator/ratelimits/key:" + key, Map.of());
		assertThat(response.statusCode()).isEqualTo(200);
		JsonNode reset = JsonMapper.shared().readTree(response.body());
		assertThat(reset.path("scope").asString()).isEqualTo(Identity.apiKey(key).scope());
		assertThat(reset.path("reset").toString()).contains("ai_generation").contains("api_requests");
		assertThat(reset.path("overrideRemoved").asBoolean()).isTrue();
		HttpResponse<String> fresh = send("POST", "/api/generate", Map.of("X-API-Key", key));
		assertThat(fresh.statusCode()).isEqualTo(200);
		assertThat(fresh.headers().firstValue("X-RateLimit-Limit")).hasValue("3");
		assertThat(fresh.headers().firstValue("X-RateLimit-Remaining")).hasValue("2");
	}

	@Test
	void deleteResetsTheCountersOfEveryTierTheCallerCouldBeOn() throws Exception {
		String key = newKey();
		Map<String, String> asPro = Map.of("X-API-Key", key, "X-Test-Tier", "pro");
		for (int i = 0; i < 4; i++) {
			send("POST", "/api/generate", asPro);
		}
		assertThat(send("DELETE", "/actuator/ratelimits/key:" + key, Map.of()).statusCode()).isEqualTo(200);
		assertThat(send("POST", "/api/generate", asPro).headers().firstValue("X-RateLimit-Remaining")).hasValue("29");
	}

	@Test
	void overrideIsSeenByAnotherInstanceOnTheSameRedis() throws Exception {
		String key = newKey();
		int otherPort = otherInstancePort();
		assertThat(limitOn(otherPort, key)).isEqualTo("1000");
		assertThat(post("/actuator/ratelimits/key:" + key, "{\"tier\": \"pro\", \"expiresIn\": \"10m\"}").statusCode())
			.isEqualTo(200);
		await().atMost(Duration.ofSeconds(5))
			.pollInterval(Duration.ofMillis(20))
			.untilAsserted(() -> assertThat(limitOn(otherPort, key)).isEqualTo("10000"));
		JsonNode seenThere = JsonMapper.shared()
			.readTree(send(otherPort, "GET", "/actuator/ratelimits/key:" + key, Map.of()).body());
		assertThat(seenThere.path("override").path("tier").asString()).isEqualTo("pro");
		// Lifted through this instance: gone there too.
		send("DELETE", "/actuator/ratelimits/key:" + key, Map.of());
		await().atMost(Duration.ofSeconds(5))
			.pollInterval(Duration.ofMillis(20))
			.untilAsserted(() -> assertThat(limitOn(otherPort, key)).isEqualTo("1000"));
	}

	@Test
	void overrideExpiresOnEveryInstanceWithoutAnotherWrite() throws Exception {
		String key = newKey();
		int otherPort = otherInstancePort();
		post("/actuator/ratelimits/key:" + key, "{\"tier\": \"pro\", \"expiresIn\": \"2m\"}");
		await().atMost(Duration.ofSeconds(5))
			.pollInterval(Duration.ofMillis(20))
			.untilAsserted(() -> assertThat(limitOn(otherPort, key)).isEqualTo("10000"));
		CLOCK.advance(Duration.ofMinutes(2));
		assertThat(limitOn(otherPort, key)).isEqualTo("1000");
		assertThat(limitOn(this.port, key)).isEqualTo("1000");
	}

	/**
	 * The port of a second instance of the application on the same Redis, started once
	 * for the tests that need it.
	 */
	private static synchronized int otherInstancePort() {
		if (otherInstance == null) {
			otherInstance = startAnotherInstance();
		}
		return ((WebServerApplicationContext) otherInstance).getWebServer().getPort();
	}

	@AfterAll
	static void stopOtherInstance() {
		if (otherInstance != null) {
			otherInstance.close();
			otherInstance = null;
		}
	}

	private static ConfigurableApplicationContext startAnotherInstance() {
		RedisServer redis = RedisServers.shared();
		List<String> properties = new ArrayList<>(List.of(RULES));
		properties.addAll(List.of("management.endpoints.web.exposure.include=ratelimits",
				"rate-limit.overrides.refresh-interval=50ms", "spring.data.redis.host=" + redis.host(),
				"spring.data.redis.port=" + redis.port(), "rate-limit.key-prefix=" + KEY_PREFIX));
		return TestInstances.start(TestApplication.class, properties.toArray(String[]::new));
	}

	/**
	 * The caller's limit of api_requests on an instance: 1000 on free, 10000 on pro.
	 */
	private String limitOn(int port, String key) throws Exception {
		HttpResponse<String> response = send(port, "GET", "/api/ping", Map.of("X-API-Key", key));
		assertThat(response.statusCode()).isEqualTo(200);
		return response.headers().firstValue("X-RateLimit-Limit").orElseThrow();
	}

	private static JsonNode operation(JsonNode caller, String name) {
		for (JsonNode operation : caller.path("operations")) {
			if (operation.path("operation").asString().equals(name)) {
				return operation;
			}
		}
		throw new AssertionError("no operation " + name + " in " + caller);
	}

	private static List<String> names(JsonNode object) {
		return new ArrayList<>(object.propertyNames());
	}

	private JsonNode getJson(String path) throws Exception {
		HttpResponse<String> response = send("GET", path, Map.of());
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return JsonMapper.shared().readTree(response.body());
	}

	private HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(json))
			.build();
		return this.http.send(request, HttpResponse.BodyHandlers.ofString());
	}

	private HttpResponse<String> send(String method, String path, Map<String, String> headers)
			throws IOException, InterruptedException {
		return send(this.port, method, path, headers);
	}

	private HttpResponse<String> send(int port, String method, String path, Map<String, String> headers)
			throws IOException, InterruptedException {
		return LocalHttp.send("localhost", port, method, path, headers);
	}

	private static String encode(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8);
	}

	private static String newKey() {
		return "key-" + UUID.randomUUID();
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import({ TestApiController.class, HeaderTierResolver.class })
	static class TestApplication {

		@Bean
		Clock clock() {
			return CLOCK;
		}

	}

}
