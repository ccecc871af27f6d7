package dev.ratelimit.sample;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;

import dev.ratelimit.actuate.RateLimitMetrics;
import dev.ratelimit.resilience.ResilientRateLimiter;
import dev.ratelimit.test.EmbeddedRedisServer;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample over HTTP while its Redis is stopped: requests are still served (by the
 * local fallback), the application stays UP for its load balancer, and the 'ratelimit'
 * health component and the metrics say what is going on.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = { "rate-limit.redis.timeout=300ms",
		"spring.data.redis.timeout=1s", "rate-limit.health.timeout=5s" })
class RedisOutageTests {

	/**
	 * Its own Redis: this test stops it.
	 */
	private static final EmbeddedRedisServer redis = new EmbeddedRedisServer();

	private final HttpClient http = HttpClient.newHttpClient();

	@LocalServerPort
	private int port;

	@Autowired
	private MeterRegistry registry;

	@Autowired
	private ResilientRateLimiter resilient;

	@DynamicPropertySource
	static void redis(DynamicPropertyRegistry registry) {
		registry.add("spring.data.redis.host", redis::host);
		registry.add("spring.data.redis.port", redis::port);
	}

	@AfterAll
	static void closeRedis() {
		redis.close();
	}

	@Test
	void whileRedisIsStoppedRequestsAreServedAndTheLimiterIsReportedDegraded() throws Exception {
		awaitRedisDecides();
		JsonNode up = health("/actuator/health");
		assertThat(up.get("status").asString()).isEqualTo("UP");
		JsonNode limiter = up.get("components").get("ratelimit");
		assertThat(limiter.get("status").asString()).isEqualTo("UP");
		assertThat(limiter.get("details").get("backend").asString()).isEqualTo("redis");
		assertThat(limiter.get("details").get("circuitBreaker").asString()).isEqualTo("CLOSED");
		assertThat(limiter.get("details").get("fallback").asBoolean()).isFalse();
		assertThat(limiter.get("details").get("scriptLoaded").asBoolean()).isTrue();
		assertThat(limiter.get("details").get("pingMillis").isNumber()).isTrue();

		redis.stop();
		CircuitBreaker breaker = this.resilient.getCircuitBreaker();
		String key = "demo-free-" + UUID.randomUUID();
		Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
			HttpResponse<String> response = send("GET", "/api/ping", key);
			assertThat(response.statusCode()).isEqualTo(200);
			return breaker.getState() == CircuitBreaker.State.OPEN;
		});
		HttpResponse<String> served = send("GET", "/api/ping", key);
		assertThat(served.statusCode()).isEqualTo(200);
		assertThat(served.headers().firstValue("X-RateLimit-Limit")).hasValue("1000");

		HttpResponse<String> overall = send("GET", "/actuator/health", null);
		assertThat(overall.statusCode()).isEqualTo(200);
		JsonNode degraded = JsonMapper.shared().readTree(overall.body());
		assertThat(degraded.get("status").asString()).isEqualTo("UP");
		limiter = degraded.get("components").get("ratelimit");
		assertThat(limiter.get("status").asString()).isEqualTo("DEGRADED");
		assertThat(limiter.get("details").get("fallback").asBoolean()).isTrue();
		assertThat(limiter.get("details").get("circuitBreaker").asString()).isEqualTo("OPEN");
		assertThat(limiter.get("details").get("failureMode").asString()).isEqualTo("local");
		assertThat(limiter.get("details").has("error")).isTrue();
		assertThat(send("GET", "/actuator/health/ratelimit", null).statusCode()).isEqualTo(200);

		String scrape = send("GET", "/actuator/prometheus", null).body();
		assertThat(scrape).contains("ratelimit_fallback_active 1.0")
			.contains("ratelimit_circuit_breaker_state{state=\"open\"} 1.0")
			.contains("ratelimit_backend_errors_total{exception=")
			.contains("ratelimit_requests_total{operation=\"api_requests\",outcome=\"fallback\",tier=\"free\"}");
	}

	/**
	 * On a cold and busy machine the first calls to Redis can outlast the timeout and be
	 * decided by the fallback; wait until Redis decides.
	 */
	private void awaitRedisDecides() {
		Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
			send("GET", "/api/ping", "demo-pro-warm-up");
			// Made by Boot's meter observation handler at the first check the backend
			// decides.
			Timer primary = this.registry.find(RateLimitMetrics.CHECK).tag("backend", "primary").timer();
			return primary != null && primary.count() > 0;
		});
	}

	private JsonNode health(String path) throws Exception {
		HttpResponse<String> response = send("GET", path, null);
		assertThat(response.statusCode()).isEqualTo(200);
		return JsonMapper.shared().readTree(response.body());
	}

	private HttpResponse<String> send(String method, String path, String apiKey)
			throws IOException, InterruptedException {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path))
			.method(method, HttpRequest.BodyPublishers.noBody());
		if (apiKey != null) {
			request.header("X-API-Key", apiKey);
		}
		return this.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

}
