package dev.ratelimit.redis;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import dev.ratelimit.resilience.OverLimitCachingRateLimiter;
import dev.ratelimit.test.LocalHttp;
import dev.ratelimit.test.RedisServer;
import dev.ratelimit.test.RedisServers;
import dev.ratelimit.testfixtures.TestApiController;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import dev.ratelimit.testfixtures.TestInstances;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two instances of an application (two Spring contexts, each with its own web server) on
 * one real Redis: an override or a reset made through one instance's endpoint applies on
 * the other as soon as its message arrives. The instances refresh their overrides once an
 * hour, so only the message can bring a change within the tests' bounded waits.
 */
class RedisChangesIntegrationTests {

	private static final String KEY_PREFIX = "changes-" + UUID.randomUUID();

	/** Bounds each wait for a message; a message arrives in milliseconds. */
	private static final Duration WAIT = Duration.ofSeconds(10);

	private static final HttpClient HTTP = HttpClient.newHttpClient();

	private static ConfigurableApplicationContext first;

	private static ConfigurableApplicationContext second;

	@BeforeAll
	static void startTwoInstances() {
		first = startInstance();
		second = startInstance();
		// Both subscribed before any test publishes: pub/sub delivers only to current
		// subscribers.
		await().atMost(WAIT).until(() -> subscribers() == 2);
	}

	@AfterAll
	static void stopInstances() {
		if (second != null) {
			second.close();
		}
		if (first != null) {
			first.close();
		}
	}

	@Test
	void anOverrideMadeOnOneInstanceAppliesOnTheOtherBeforeItsNextRequest() throws Exception {
		String key = newKey();
		assertThat(limitOn(second, key)).isEqualTo("1000");
		assertThat(post(first, "/actuator/ratelimits/key:" + key, "{\"tier\": \"pro\", \"expiresIn\": \"10m\"}")
			.statusCode()).isEqualTo(200);
		RedisOverrideStore store = second.getBean(RedisOverrideStore.class);
		await().atMost(WAIT).until(() -> !store.findAll().isEmpty());
		assertThat(limitOn(second, key)).isEqualTo("10000");
		// Lifted through the first instance: gone on the second as soon as the message
		// arrives.
		assertThat(send(first, "DELETE", "/actuator/ratelimits/key:" + key, Map.of()).statusCode()).isEqualTo(200);
		await().atMost(WAIT).until(() -> store.findAll().isEmpty());
		assertThat(limitOn(second, key)).isEqualTo("1000");
	}

	@Test
	void aResetMadeOnOneInstanceClearsWhatTheOtherRemembersOfTheCaller() throws Exception {
		String key = newKey();
		Map<String, String> caller = Map.of("X-API-Key", key);
		assertThat(send(second, "POST", "/api/generate", caller).statusCode()).isEqualTo(200);
		assertThat(send(second, "POST", "/api/generate", caller).statusCode()).isEqualTo(200);
		assertThat(send(second, "POST", "/api/generate", caller).statusCode()).isEqualTo(429);
		// The second instance now answers the caller's retries from its over-limit cache,
		// for up to half an hour, without asking Redis.
		OverLimitCachingRateLimiter cache = overLimitCache(second);
		assertThat(cache.size()).isEqualTo(1);
		assertThat(send(first, "DELETE", "/actuator/ratelimits/key:" + key, Map.of()).statusCode()).isEqualTo(200);
		await().atMost(WAIT).until(() -> cache.size() == 0);
		assertThat(send(second, "POST", "/api/generate", caller).statusCode()).isEqualTo(200);
	}

	private static OverLimitCachingRateLimiter overLimitCache(ConfigurableApplicationContext instance) {
		return instance.getBean(OverLimitCachingRateLimiter.class);
	}

	private static long subscribers() {
		RedisServer redis = RedisServers.shared();
		RedisClient client = RedisClient.create(RedisURI.create(redis.host(), redis.port()));
		try (StatefulRedisConnection<String, String> connection = client.connect()) {
			String channel = RedisChanges.topic(KEY_PREFIX).getTopic();
			return connection.sync().pubsubNumsub(channel).getOrDefault(channel, 0L);
		}
		finally {
			client.shutdown();
		}
	}

	private static String limitOn(ConfigurableApplicationContext instance, String key) throws Exception {
		HttpResponse<String> response = send(instance, "GET", "/api/ping", Map.of("X-API-Key", key));
		assertThat(response.statusCode()).isEqualTo(200);
		return response.headers().firstValue("X-RateLimit-Limit").orElseThrow();
	}

	private static HttpResponse<String> send(ConfigurableApplicationContext instance, String method, String path,
			Map<String, String> headers) throws IOException, InterruptedException {
		return LocalHttp.send("localhost", TestInstances.port(instance), method, path, headers);
	}

	private static HttpResponse<String> post(ConfigurableApplicationContext instance, String path, String json)
			throws IOException, InterruptedException {
		HttpRequest request = HttpRequest
			.newBuilder(URI.create("http://localhost:" + TestInstances.port(instance) + path))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(json))
			.build();
		return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
	}

	private static String newKey() {
		return "key-" + UUID.randomUUID();
	}

	private static ConfigurableApplicationContext startInstance() {
		RedisServer redis = RedisServers.shared();
		return TestInstances.start(TestApplication.class, "management.endpoints.web.exposure.include=ratelimits",
				"spring.data.redis.host=" + redis.host(), "spring.data.redis.port=" + redis.port(),
				"rate-limit.key-prefix=" + KEY_PREFIX, "rate-limit.overrides.refresh-interval=1h",
				"rate-limit.redis.timeout=5s", "rate-limit.identity.api-key-header=X-API-Key",
				"rate-limit.tiers.free.limits.ai_generation=2/1h", "rate-limit.tiers.free.limits.api_requests=1000/1h",
				"rate-limit.tiers.pro.limits.ai_generation=30/1h", "rate-limit.tiers.pro.limits.api_requests=10000/1h");
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import(TestApiController.class)
	static class TestApplication {

	}

}
