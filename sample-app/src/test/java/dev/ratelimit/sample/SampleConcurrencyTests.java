package dev.ratelimit.sample;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import dev.ratelimit.test.context.SharedRedis;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sample's concurrency limits over HTTP against a real Redis: open generation streams
 * per caller by plan (application.yml: free 1, pro 3, business 10), and the next stream
 * admitted as soon as one ends.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "rate-limit.key-prefix=sample-concurrency-${random.uuid}", "rate-limit.redis.timeout=5s",
				// The free tier's 1/1s would deny the next stream by rate before its
				// concurrency limit could: here only the open streams count.
				"rate-limit.tiers.free.limits.generation_stream=1000/1s" })
@SharedRedis
class SampleConcurrencyTests {

	private static final String STREAM = "/api/v2/generation/generate/42/stream?seconds=30";

	private final HttpClient http = HttpClient.newHttpClient();

	@LocalServerPort
	private int port;

	@ParameterizedTest
	@CsvSource({ "free, 1", "pro, 3", "business, 10" })
	void openStreamsAreLimitedByPlanAndTheNextIsAdmittedAsSoonAsOneEnds(String plan, int streams) throws Exception {
		String key = "demo-" + plan + "-" + UUID.randomUUID();
		List<HttpResponse<InputStream>> open = new ArrayList<>();
		try {
			for (int i = 0; i < streams; i++) {
				HttpResponse<InputStream> stream = open(key);
				open.add(stream);
				assertThat(stream.statusCode()).as("stream %d of %d", i + 1, streams).isEqualTo(200);
			}
			HttpResponse<InputStream> denied = open(key);
			assertThat(denied.statusCode()).isEqualTo(429);
			JsonNode problem = JsonMapper.builder().build().readTree(denied.body().readAllBytes());
			assertThat(problem.path("detail").asString()).startsWith("Concurrency limit exceeded")
				.contains("at most " + streams + ((streams == 1) ? " request" : " requests") + " in flight");
			assertThat(problem.path("scope").asString()).isEqualTo("caller");
			assertThat(problem.path("tier").asString()).isEqualTo(plan);
			// The client of one stream goes away; the stream stops at its next event and
			// its lease is released.
			open.remove(0).body().close();
			await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
				HttpResponse<InputStream> next = open(key);
				if (next.statusCode() == 200) {
					open.add(next);
					return true;
				}
				next.body().close();
				return false;
			});
		}
		finally {
			for (HttpResponse<InputStream> stream : open) {
				stream.body().close();
			}
		}
	}

	private HttpResponse<InputStream> open(String apiKey) throws IOException, InterruptedException {
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + STREAM))
			.header("Accept", "text/event-stream")
			.header("X-API-Key", apiKey)
			.GET()
			.build();
		return this.http.send(request, HttpResponse.BodyHandlers.ofInputStream());
	}

}
