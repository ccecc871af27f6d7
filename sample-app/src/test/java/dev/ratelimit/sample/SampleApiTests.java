package dev.ratelimit.sample;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import dev.ratelimit.test.context.SharedRedis;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The rest of the API the sample models (issue 10): the generation stream, the assistant,
 * and the routes that join the existing operations, checked over HTTP against a real
 * Redis.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "rate-limit.key-prefix=sample-api-${random.uuid}",
				// Generous: on a loaded build machine the first calls (connecting to
				// Redis) must not go to the local fallback, whose counters are not
				// Redis's.
				"rate-limit.redis.timeout=5s",
				// The free tier's 1/1s would refill while a slow machine sends the next
				// request; an hour makes the denial below certain. The free tier keeps
				// application.yml's limit.
				"rate-limit.tiers.pro.limits.generation_stream=1/1h" })
@SharedRedis
class SampleApiTests {

	private static final String EVENT_STREAM = "text/event-stream";

	private final HttpClient http = HttpClient.newHttpClient();

	@LocalServerPort
	private int port;

	@Autowired
	private SampleScheduler scheduler;

	@Test
	void aStreamSendsOneEventEvery250msForTheRequestedSeconds() throws Exception {
		HttpResponse<String> response = stream("/api/v2/generation/generate/42/stream?seconds=1",
				"demo-business-" + UUID.randomUUID());
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue("Content-Type"))
			.hasValueSatisfying((contentType) -> assertThat(contentType).startsWith(EVENT_STREAM));
		List<JsonNode> events = events(response.body());
		assertThat(events).hasSize(4);
		assertThat(events).extracting((event) -> event.get("event").asInt()).containsExactly(1, 2, 3, 4);
		assertThat(events).allSatisfy((event) -> {
			assertThat(event.get("id").asString()).isEqualTo("42");
			assertThat(event.get("of").asInt()).isEqualTo(4);
		});
		assertThat(response.body()).contains("event:progress", "id:4");
	}

	@Test
	void aStreamLastsTwoSecondsByDefault() throws Exception {
		HttpResponse<String> response = stream("/api/v2/generation/generate/7/stream",
				"demo-business-" + UUID.randomUUID());
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(events(response.body())).hasSize(8);
	}

	@Test
	void theStreamIsTheGenerationStreamOperation() throws Exception {
		// application.yml: the free tier opens one stream a second.
		HttpResponse<String> free = stream("/api/v2/generation/generate/1/stream?seconds=1",
				"demo-free-" + UUID.randomUUID());
		assertThat(free.statusCode()).isEqualTo(200);
		assertThat(free.headers().firstValue("X-RateLimit-Limit")).hasValue("1");
		assertThat(free.headers().firstValue("X-RateLimit-Remaining")).hasValue("0");
		String pro = "demo-pro-" + UUID.randomUUID();
		assertThat(stream("/api/v2/generation/generate/1/stream?seconds=1", pro).statusCode()).isEqualTo(200);
		HttpResponse<String> denied = stream("/api/v2/generation/generate/2/stream?seconds=1", pro);
		assertThat(denied.statusCode()).isEqualTo(429);
		assertThat(denied.body()).contains("\"operation\":\"generation_stream\"");
		// The generation itself is another operation, with its own budget.
		assertThat(send("POST", "/api/v2/generation/generate", pro, null).statusCode()).isEqualTo(200);
	}

	@Test
	void aStreamOfOutOfRangeSecondsIsABadRequest() throws Exception {
		for (String seconds : List.of("0", "31", "-1", "two", "99999999999")) {
			HttpResponse<String> response = stream("/api/v2/generation/generate/42/stream?seconds=" + seconds,
					"demo-enterprise-" + UUID.randomUUID());
			assertThat(response.statusCode()).as(seconds).isEqualTo(400);
			assertProblem(response);
		}
	}

	@Test
	void aStreamStopsSendingWhenItsClientGoesAway() throws Exception {
		assertThat(
				leaveAtOnce("/api/v2/generation/generate/42/stream?seconds=30", "demo-business-" + UUID.randomUUID()))
			.isEqualTo(200);
		// Its next event or two meet the closed connection, well before its 30 seconds.
		await().atMost(Duration.ofSeconds(10)).until(() -> this.scheduler.scheduledTasks() == 0);
	}

	@Test
	void theAssistantAnswersWithTheUsageOfTheQuery() throws Exception {
		HttpResponse<String> response = send("POST", "/api/v1/assistant/query", "demo-pro-" + UUID.randomUUID(),
				"{\"prompt\": \"  Write a haiku about rate   limits \", \"max_tokens\": 42, \"latency_ms\": 0}");
		assertThat(response.statusCode()).isEqualTo(200);
		JsonNode body = JsonMapper.shared().readTree(response.body());
		assertThat(body.get("answer").asString()).isNotBlank();
		assertThat(body.get("usage").get("input_tokens").asLong()).isEqualTo(6);
		assertThat(body.get("usage").get("output_tokens").asLong()).isEqualTo(42);
		assertThat(body.properties()).extracting((entry) -> entry.getKey())
			.containsExactlyInAnyOrder("answer", "usage");
	}

	@Test
	void theAssistantDefaultsTo100TokensAndTakesTheLargestQueries() throws Exception {
		JsonNode defaults = JsonMapper.shared()
			.readTree(send("POST", "/api/v1/assistant/query", "demo-pro-" + UUID.randomUUID(), "{\"prompt\": \"hi\"}")
				.body());
		assertThat(defaults.get("usage").get("input_tokens").asLong()).isEqualTo(1);
		assertThat(defaults.get("usage").get("output_tokens").asLong()).isEqualTo(100);
		HttpResponse<String> largest = send("POST", "/api/v1/assistant/query", "demo-pro-" + UUID.randomUUID(),
				"{\"prompt\": \"a b\", \"max_tokens\": 10000000, \"latency_ms\": 1}");
		assertThat(largest.statusCode()).isEqualTo(200);
		assertThat(JsonMapper.shared().readTree(largest.body()).get("usage").get("output_tokens").asLong())
			.isEqualTo(10_000_000);
	}

	@Test
	void aBadAssistantQueryIsABadRequest() throws Exception {
		List<String> bodies = List.of("", "not json", "{\"prompt\": 12", "{}", "{\"prompt\": \"  \"}",
				"{\"prompt\": \"hi\", \"max_tokens\": 0}", "{\"prompt\": \"hi\", \"max_tokens\": 10000001}",
				"{\"prompt\": \"hi\", \"max_tokens\": \"lots\"}", "{\"prompt\": \"hi\", \"latency_ms\": -1}",
				"{\"prompt\": \"hi\", \"latency_ms\": 10001}", "{\"prompt\": \"hi\", \"max_tokens\": 1e30}");
		for (String body : bodies) {
			HttpResponse<String> response = send("POST", "/api/v1/assistant/query", "demo-free-" + UUID.randomUUID(),
					body);
			assertThat(response.statusCode()).as(body).isEqualTo(400);
			assertProblem(response);
		}
	}

	@Test
	void theAssistantIsTheAssistantQueryOperationWithItsOwnLimitsForEveryTier() throws Exception {
		String free = "demo-free-" + UUID.randomUUID();
		for (int i = 0; i < 10; i++) {
			HttpResponse<String> response = query(free);
			assertThat(response.statusCode()).isEqualTo(200);
			assertThat(response.headers().firstValue("X-RateLimit-Limit")).hasValue("10");
			assertThat(response.headers().firstValue("X-RateLimit-Remaining")).hasValue(Integer.toString(9 - i));
		}
		HttpResponse<String> denied = query(free);
		assertThat(denied.statusCode()).isEqualTo(429);
		assertThat(denied.body()).contains("\"operation\":\"assistant_query\"").contains("\"tier\":\"free\"");
		// No tier lists its own: every limited tier gets the operation's 10/1m.
		assertThat(query("demo-business-" + UUID.randomUUID()).headers().firstValue("X-RateLimit-Limit"))
			.hasValue("10");
		HttpResponse<String> enterprise = query("demo-enterprise-" + UUID.randomUUID());
		assertThat(enterprise.statusCode()).isEqualTo(200);
		assertThat(enterprise.headers().firstValue("X-RateLimit-Limit")).isEmpty();
	}

	@Test
	void iterationsAndTheAiRouteShareTheGenerationBudget() throws Exception {
		String key = "demo-free-" + UUID.randomUUID();
		List<String> paths = List.of("/generations/iterate", "/ai/generate", "/api/v2/generation/generate",
				"/generations/iterate", "/ai/generate");
		for (int i = 0; i < paths.size(); i++) {
			HttpResponse<String> response = send("POST", paths.get(i), key, null);
			assertThat(response.statusCode()).as(paths.get(i)).isEqualTo(200);
			assertThat(response.headers().firstValue("X-RateLimit-Limit")).hasValue("5");
			assertThat(response.headers().firstValue("X-RateLimit-Remaining")).hasValue(Integer.toString(4 - i));
		}
		HttpResponse<String> denied = send("POST", "/generations/iterate", key, null);
		assertThat(denied.statusCode()).isEqualTo(429);
		assertThat(denied.body()).contains("\"operation\":\"ai_generation\"");
		assertThat(send("POST", "/ai/generate", "demo-pro-" + UUID.randomUUID(), null).headers()
			.firstValue("X-RateLimit-Limit")).hasValue("50");
	}

	@Test
	void exportsAreFileOperations() throws Exception {
		String key = "demo-free-" + UUID.randomUUID();
		HttpResponse<String> export = send("POST", "/generations/42/export", key, null);
		assertThat(export.statusCode()).isEqualTo(200);
		assertThat(export.headers().firstValue("X-RateLimit-Limit")).hasValue("100");
		assertThat(export.headers().firstValue("X-RateLimit-Remaining")).hasValue("99");
		HttpResponse<String> files = send("GET", "/generations/42/files", key, null);
		assertThat(files.headers().firstValue("X-RateLimit-Remaining")).hasValue("98");
		assertThat(send("POST", "/generations/42/export", "demo-business-" + UUID.randomUUID(), null).headers()
			.firstValue("X-RateLimit-Limit")).hasValue("5000");
	}

	@Test
	void registrationAndRefreshShareTheLoginBudgetOfTheAddressWhateverTheKey() throws Exception {
		List<String> paths = List.of("/auth/register", "/auth/refresh", "/auth/login", "/auth/register",
				"/auth/refresh");
		for (int i = 0; i < paths.size(); i++) {
			HttpResponse<String> response = send("POST", paths.get(i), "demo-enterprise-" + UUID.randomUUID(), null);
			assertThat(response.statusCode()).as(paths.get(i)).isEqualTo(200);
			assertThat(response.headers().firstValue("X-RateLimit-Limit")).hasValue("5");
			assertThat(response.headers().firstValue("X-RateLimit-Remaining")).hasValue(Integer.toString(4 - i));
		}
		HttpResponse<String> denied = send("POST", "/auth/refresh", "demo-pro-" + UUID.randomUUID(), null);
		assertThat(denied.statusCode()).isEqualTo(429);
		assertThat(denied.body()).contains("\"operation\":\"auth_operations\"");
		assertThat(send("POST", "/auth/register", null, null).statusCode()).isEqualTo(429);
	}

	@Test
	void listingsAndTheAccountAreApiRequests() throws Exception {
		HttpResponse<String> projects = send("GET", "/projects/", "demo-free-" + UUID.randomUUID(), null);
		assertThat(projects.statusCode()).isEqualTo(200);
		assertThat(projects.headers().firstValue("X-RateLimit-Limit")).hasValue("1000");
		String pro = "demo-pro-" + UUID.randomUUID();
		HttpResponse<String> generations = send("GET", "/generations/", pro, null);
		assertThat(generations.statusCode()).isEqualTo(200);
		assertThat(generations.headers().firstValue("X-RateLimit-Limit")).hasValue("10000");
		assertThat(generations.headers().firstValue("X-RateLimit-Remaining")).hasValue("9999");
		HttpResponse<String> me = send("GET", "/auth/me", pro, null);
		assertThat(me.statusCode()).isEqualTo(200);
		assertThat(me.headers().firstValue("X-RateLimit-Remaining")).hasValue("9998");
		assertThat(JsonMapper.shared().readTree(me.body()).get("tier").asString()).isEqualTo("pro");
		assertThat(me.body()).doesNotContain(pro);
		HttpResponse<String> anonymous = send("GET", "/auth/me", null, null);
		assertThat(anonymous.statusCode()).isEqualTo(200);
		assertThat(anonymous.body()).contains("\"authenticated\":false");
	}

	private HttpResponse<String> query(String apiKey) throws IOException, InterruptedException {
		return send("POST", "/api/v1/assistant/query", apiKey, "{\"prompt\": \"hello\", \"latency_ms\": 0}");
	}

	private static List<JsonNode> events(String body) {
		return body.lines()
			.filter((line) -> line.startsWith("data:"))
			.map((line) -> JsonMapper.shared().readTree(line.substring("data:".length())))
			.toList();
	}

	private static void assertProblem(HttpResponse<String> response) {
		assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
		JsonNode problem = JsonMapper.shared().readTree(response.body());
		assertThat(problem.get("status").asInt()).isEqualTo(400);
		assertThat(problem.get("title").asString()).isEqualTo("Bad Request");
	}

	private HttpResponse<String> stream(String path, String apiKey) throws IOException, InterruptedException {
		return this.http.send(streamRequest(path, apiKey), HttpResponse.BodyHandlers.ofString());
	}

	/**
	 * Open a stream, take its status and go away: closing the body closes the connection,
	 * and the stream stops sending.
	 */
	private int leaveAtOnce(String path, String apiKey) throws IOException, InterruptedException {
		HttpResponse<InputStream> response = this.http.send(streamRequest(path, apiKey),
				HttpResponse.BodyHandlers.ofInputStream());
		response.body().close();
		return response.statusCode();
	}

	private HttpRequest streamRequest(String path, String apiKey) {
		return HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path))
			.header("Accept", EVENT_STREAM)
			.header("X-API-Key", apiKey)
			.GET()
			.build();
	}

	private HttpResponse<String> send(String method, String path, String apiKey, String json)
			throws IOException, InterruptedException {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path))
			.method(method,
					(json != null) ? HttpRequest.BodyPublishers.ofString(json) : HttpRequest.BodyPublishers.noBody());
		if (json != null) {
			request.header("Content-Type", "application/json");
		}
		if (apiKey != null) {
			request.header("X-API-Key", apiKey);
		}
		return this.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

}
