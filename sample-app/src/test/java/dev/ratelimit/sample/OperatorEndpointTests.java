package dev.ratelimit.sample;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;

import dev.ratelimit.test.context.SharedRedis;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The operator's side of the sample: after a burst of traffic,
 * {@code /actuator/ratelimits} shows who was denied and how often, and one request lifts
 * a caller to another tier for ten minutes.
 */
// A generous Redis timeout: on a loaded machine the first checks (connecting, loading the
// script) could otherwise be decided by the local fallback, and the counts below are
// exact.
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "rate-limit.key-prefix=sample-operator-${random.uuid}", "rate-limit.redis.timeout=10s" })
@SharedRedis
class OperatorEndpointTests {

	private final HttpClient http = HttpClient.newHttpClient();

	@LocalServerPort
	private int port;

	@Test
	void afterABurstTheOperatorSeesWhoWasDeniedAndLiftsACallerToProForTenMinutes() throws Exception {
		for (int i = 0; i < 8; i++) {
			generate("demo-free-alice");
		}
		for (int i = 0; i < 6; i++) {
			generate("demo-free-bob");
		}
		for (int i = 0; i < 3; i++) {
			generate("demo-pro-carol");
		}
		HttpResponse<String> summary = send("GET", "/actuator/ratelimits", null, null);
		assertThat(summary.statusCode()).isEqualTo(200);
		assertThat(summary.body()).doesNotContain("demo-free-alice").doesNotContain("demo-free-bob");
		JsonNode traffic = JsonMapper.shared().readTree(summary.body()).path("traffic");
		JsonNode generation = traffic.path("tiers").path("free").path("ai_generation");
		assertThat(generation.path("checks").asLong()).isEqualTo(14);
		assertThat(generation.path("denied").asLong()).isEqualTo(4);
		assertThat(generation.path("denialRate").asDouble()).isEqualTo(0.2857);
		JsonNode denied = traffic.path("topCallers").path("byDenials");
		assertThat(denied.size()).isEqualTo(2);
		assertThat(denied.get(0).path("scope").asString()).isEqualTo(userScope("demo-free-alice"));
		assertThat(denied.get(0).path("tier").asString()).isEqualTo("free");
		assertThat(denied.get(0).path("denied").asLong()).isEqualTo(3);
		assertThat(denied.get(0).path("requests").asLong()).isEqualTo(8);
		assertThat(denied.get(1).path("scope").asString()).isEqualTo(userScope("demo-free-bob"));
		assertThat(denied.get(1).path("denied").asLong()).isEqualTo(1);

		HttpResponse<String> lift = send("POST", "/actuator/ratelimits/demo-free-alice",
				"{\"tier\": \"pro\", \"expiresIn\": \"10m\"}", "application/json");
		assertThat(lift.statusCode()).isEqualTo(200);
		JsonNode alice = JsonMapper.shared().readTree(lift.body());
		assertThat(alice.path("tier").asString()).isEqualTo("pro");
		assertThat(alice.path("override").path("expiresInSeconds").asLong()).isEqualTo(600);

		HttpResponse<String> lifted = generate("demo-free-alice");
		assertThat(lifted.statusCode()).isEqualTo(200);
		assertThat(lifted.headers().firstValue("X-RateLimit-Limit")).hasValue("50");
		assertThat(generate("demo-free-bob").statusCode()).isEqualTo(429);
	}

	private HttpResponse<String> generate(String apiKey) throws IOException, InterruptedException {
		return send("POST", "/api/v2/generation/generate", null, null, apiKey);
	}

	private HttpResponse<String> send(String method, String path, String body, String contentType)
			throws IOException, InterruptedException {
		return send(method, path, body, contentType, null);
	}

	private HttpResponse<String> send(String method, String path, String body, String contentType, String apiKey)
			throws IOException, InterruptedException {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path))
			.method(method,
					(body != null) ? HttpRequest.BodyPublishers.ofString(body) : HttpRequest.BodyPublishers.noBody());
		if (contentType != null) {
			request.header("Content-Type", contentType);
		}
		if (apiKey != null) {
			request.header("X-API-Key", apiKey);
		}
		return this.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	/**
	 * The scope the starter shows for a user: the first 128 bits of SHA-256 of the name.
	 */
	private static String userScope(String name) throws Exception {
		byte[] digest = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
		return "u:" + HexFormat.of().formatHex(digest, 0, 16);
	}

}
