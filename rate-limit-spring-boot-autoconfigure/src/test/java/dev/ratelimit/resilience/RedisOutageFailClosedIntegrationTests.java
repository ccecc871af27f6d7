package dev.ratelimit.resilience;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import dev.ratelimit.test.EmbeddedRedisServer;
import dev.ratelimit.testfixtures.TestApiController;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The filter over real HTTP with {@code rate-limit.failure-mode=deny} while its
 * redis-server is down: limited requests get {@code 503} with {@code Retry-After}, and
 * once Redis is back they are limited by it again.
 *
 * @author rate-limit-spring-boot
 */
@SpringBootTest(classes = RedisOutageFailClosedIntegrationTests.TestApplication.class,
		webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "rate-limit.identity.api-key-header=X-API-Key", "rate-limit.redis.timeout=100ms",
				"rate-limit.failure-mode=deny", "rate-limit.tiers.free.limits.api_requests=100000/1h",
				"rate-limit.tiers.free.limits.ai_generation=4/1h", "rate-limit.circuit-breaker.sliding-window-size=4",
				"rate-limit.circuit-breaker.minimum-number-of-calls=2",
				"rate-limit.circuit-breaker.failure-rate-threshold=100",
				"rate-limit.circuit-breaker.wait-duration-in-open-state=3s",
				"rate-limit.circuit-breaker.permitted-number-of-calls-in-half-open-state=1" })
@DirtiesContext
class RedisOutageFailClosedIntegrationTests {

	private static final EmbeddedRedisServer redis = new EmbeddedRedisServer();

	private final HttpClient http = HttpClient.newHttpClient();

	@LocalServerPort
	private int port;

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
	void limitedRequestsGet503WithRetryAfterWhileRedisIsDown() throws Exception {
		ResilientRateLimiter resilient = this.resilient;
		assertThat(resilient.getFailureMode()).isEqualTo(FailureMode.DENY);
		// on a cold start the first checks may time out and open the breaker: wait until
		// it is closed
		CircuitBreaker breaker = resilient.getCircuitBreaker();
		await().atMost(Duration.ofSeconds(15))
			.pollInterval(Duration.ofMillis(100))
			.until(() -> send("POST", "/api/generate").statusCode() == 200
					&& breaker.getState() == CircuitBreaker.State.CLOSED);
		redis.stop();
		try {
			long[] retryAfter = new long[5];
			for (int i = 0; i < retryAfter.length; i++) {
				HttpResponse<String> response = send("POST", "/api/generate");
				assertThat(response.statusCode()).isEqualTo(503);
				assertThat(header(response, "Content-Type")).startsWith("application/problem+json");
				@SuppressWarnings("unchecked")
				Map<String, Object> body = JsonMapper.shared().readValue(response.body(), Map.class);
				assertThat(body).containsEntry("status", 503)
					.containsEntry("title", "Service Unavailable")
					.containsEntry("operation", "ai_generation");
				retryAfter[i] = Long.parseLong(header(response, "Retry-After"));
				assertThat(((Number) body.get("retryAfter")).longValue()).isEqualTo(retryAfter[i]);
			}
			// A stopped Redis answers nothing: the first check stalls and opens the
			// breaker for 3 seconds at once, and every caller is told to wait until it
			// probes again.
			assertThat(retryAfter[0]).isEqualTo(3);
			for (int i = 1; i < retryAfter.length; i++) {
				assertThat(retryAfter[i]).isBetween(1L, retryAfter[i - 1]);
			}
		}
		finally {
			redis.start();
		}
		await().atMost(Duration.ofSeconds(20))
			.pollInterval(Duration.ofMillis(100))
			.until(() -> send("POST", "/api/generate").statusCode() == 200);
	}

	private HttpResponse<String> send(String method, String path) throws Exception {
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path))
			.method(method, HttpRequest.BodyPublishers.noBody())
			.header("X-API-Key", "key-" + UUID.randomUUID())
			.build();
		return this.http.send(request, HttpResponse.BodyHandlers.ofString());
	}

	private static String header(HttpResponse<?> response, String name) {
		return response.headers().firstValue(name).orElseThrow(() -> new AssertionError("no header " + name));
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import(TestApiController.class)
	static class TestApplication {

	}

}
