package dev.ratelimit.sample;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.UUID;

import dev.ratelimit.test.context.SharedRedis;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample's documented behaviour, checked over HTTP against a real Redis.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "rate-limit.key-prefix=sample-${random.uuid}",
				// Generous: on a loaded build machine the first calls (connecting to
				// Redis) must not go to the local fallback, whose counters are not
				// Redis's.
				"rate-limit.redis.timeout=5s" })
@SharedRedis
class SampleApplicationTests {

	private final HttpClient http = HttpClient.newHttpClient();

	@LocalServerPort
	private int port;

	@Test
	void freeTierGetsFiveGenerationsAnHour() throws Exception {
		String key = "demo-free-" + UUID.randomUUID();
		for (int i = 0; i < 5; i++) {
			HttpResponse<String> response = send("POST", "/api/v2/generation/generate", key);
			assertThat(response.statusCode()).isEqualTo(200);
			assertThat(response.headers().firstValue("X-RateLimit-Remaining")).hasValue(Integer.toString(4 - i));
		}
		HttpResponse<String> denied = send("POST", "/api/v2/generation/generate", key);
		assertThat(denied.statusCode()).isEqualTo(429);
		assertThat(denied.headers().firstValue("Retry-After")).isPresent();
		assertThat(denied.body()).contains("\"operation\":\"ai_generation\"")
			.contains("\"tier\":\"free\"")
			.contains("\"upgradeUrl\":\"/pricing?upgrade=pro\"");
	}

	@Test
	void tiersGetTheirOwnLimits() throws Exception {
		assertThat(limit("POST", "/api/v2/generation/generate", "demo-pro-" + UUID.randomUUID())).isEqualTo("50");
		assertThat(limit("POST", "/api/v2/generation/generate", "demo-business-" + UUID.randomUUID())).isEqualTo("200");
		assertThat(limit("POST", "/projects/validate", "demo-free-" + UUID.randomUUID())).isEqualTo("50");
		assertThat(limit("POST", "/projects/preview", "demo-pro-" + UUID.randomUUID())).isEqualTo("500");
		assertThat(limit("GET", "/generations/42/files", "demo-business-" + UUID.randomUUID())).isEqualTo("5000");
		assertThat(limit("GET", "/generations/42/download", "demo-free-" + UUID.randomUUID())).isEqualTo("100");
		assertThat(limit("GET", "/api/ping", "demo-pro-" + UUID.randomUUID())).isEqualTo("10000");
		assertThat(limit("GET", "/projects", "demo-free-" + UUID.randomUUID())).isEqualTo("1000");
		assertThat(limit("GET", "/api/ping", null)).isEqualTo("1000");
	}

	@Test
	void enterpriseIsUnlimited() throws Exception {
		HttpResponse<String> response = send("POST", "/api/v2/generation/generate",
				"demo-enterprise-" + UUID.randomUUID());
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue("X-RateLimit-Limit")).isEmpty();
	}

	@Test
	void loginIsLimitedByAddressWhateverTheKey() throws Exception {
		for (int i = 0; i < 5; i++) {
			assertThat(send("POST", "/auth/login", "demo-enterprise-" + UUID.randomUUID()).statusCode()).isEqualTo(200);
		}
		HttpResponse<String> denied = send("POST", "/auth/login", "demo-pro-" + UUID.randomUUID());
		assertThat(denied.statusCode()).isEqualTo(429);
		assertThat(denied.headers().firstValue("X-RateLimit-Limit")).hasValue("5");
	}

	@Test
	void madeUpKeysAreAnonymousAndShareTheAddressBudget() throws Exception {
		// Only keys Spring Security authenticates identify a caller: rotating unknown
		// keys buys nothing.
		for (int i = 0; i < 5; i++) {
			assertThat(send("POST", "/api/v2/generation/generate", "made-up-" + UUID.randomUUID()).statusCode())
				.isEqualTo(200);
		}
		HttpResponse<String> denied = send("POST", "/api/v2/generation/generate", "demo-gold-" + UUID.randomUUID());
		assertThat(denied.statusCode()).isEqualTo(429);
		assertThat(denied.body()).contains("\"tier\":\"free\"");
	}

	@Test
	void actuatorIsNeverLimited() throws Exception {
		HttpResponse<String> health = send("GET", "/actuator/health", null);
		assertThat(health.statusCode()).isEqualTo(200);
		assertThat(health.headers().firstValue("X-RateLimit-Limit")).isEmpty();
		assertThat(send("GET", "/actuator/info", null).statusCode()).isEqualTo(200);
	}

	@Test
	void actuatorShowsTheLimiterInHealthAndExportsPrometheus() throws Exception {
		HttpResponse<String> health = send("GET", "/actuator/health", null);
		assertThat(health.statusCode()).isEqualTo(200);
		JsonNode limiter = JsonMapper.shared().readTree(health.body()).get("components").get("ratelimit");
		assertThat(limiter.get("details").get("backend").asString()).isEqualTo("redis");
		assertThat(limiter.get("details").get("failureMode").asString()).isEqualTo("local");
		HttpResponse<String> prometheus = send("GET", "/actuator/prometheus", null);
		assertThat(prometheus.statusCode()).isEqualTo(200);
		assertThat(prometheus.body())
			.contains("ratelimit_requests_total{operation=\"none\",outcome=\"excluded\",tier=\"none\"}");
	}

	private String limit(String method, String path, String key) throws Exception {
		HttpResponse<String> response = send(method, path, key);
		assertThat(response.statusCode()).isEqualTo(200);
		return response.headers().firstValue("X-RateLimit-Limit").orElseThrow();
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
