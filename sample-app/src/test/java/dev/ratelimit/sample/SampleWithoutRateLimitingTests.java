package dev.ratelimit.sample;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;

import dev.ratelimit.test.context.SharedRedis;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample with {@code rate-limit.enabled=false}: the application starts and serves,
 * its handlers' cost reports charge nothing, and the usage endpoint says why it cannot
 * answer instead of failing.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = "rate-limit.enabled=false")
@SharedRedis
class SampleWithoutRateLimitingTests {

	private final HttpClient http = HttpClient.newHttpClient();

	@LocalServerPort
	private int port;

	@Test
	void theAssistantAnswersWithoutLimitsAndItsCostChargesNothing() throws Exception {
		HttpResponse<String> answer = send(HttpRequest.newBuilder(uri("/api/v1/assistant/query"))
			.header("X-API-Key", "demo-free-" + UUID.randomUUID())
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString("{\"prompt\": \"hi\", \"latency_ms\": 0}")));
		assertThat(answer.statusCode()).isEqualTo(200);
		assertThat(answer.headers().firstValue("X-RateLimit-Limit")).isEmpty();
		assertThat(answer.body()).contains("\"output_tokens\":100");
	}

	@Test
	void usageIsUnavailableRatherThanAServerError() throws Exception {
		HttpResponse<String> stats = send(HttpRequest.newBuilder(uri("/api/v1/assistant/stats"))
			.header("X-API-Key", "demo-free-" + UUID.randomUUID())
			.GET());
		assertThat(stats.statusCode()).isEqualTo(503);
		assertThat(stats.headers().firstValue("Content-Type"))
			.hasValueSatisfying((type) -> assertThat(type).startsWith("application/problem+json"));
	}

	@Test
	void usageOfNoOneIsAClientError() throws Exception {
		HttpResponse<String> stats = send(HttpRequest.newBuilder(uri("/api/v1/assistant/stats")).GET());
		assertThat(stats.statusCode()).isEqualTo(401);
	}

	private URI uri(String path) {
		return URI.create("http://localhost:" + this.port + path);
	}

	private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
		return this.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

}
