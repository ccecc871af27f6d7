package dev.ratelimit.sample;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.UUID;

import dev.ratelimit.test.context.SharedRedis;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The assistant's cost budget (issue 11) over HTTP against a real Redis: each query is
 * charged {@code input_tokens x $0.0000002 + output_tokens x $0.0000006} to {@code usd}
 * after it answered, and {@code /api/v1/assistant/stats} shows the caller's own usage.
 * The application's clock, which decides the budget's day, is fixed at noon UTC.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "rate-limit.key-prefix=sample-budget-${random.uuid}", "rate-limit.redis.timeout=5s" })
@Import(SampleBudgetTests.FixedClock.class)
@SharedRedis
class SampleBudgetTests {

	/**
	 * One word in, two million tokens out: $0.0000002 + $1.20, charged as $1.20 (six
	 * decimals, half up).
	 */
	private static final String DOLLAR_TWENTY_QUERY = "{\"prompt\": \"hi\", \"max_tokens\": 2000000, \"latency_ms\": 0}";

	private static final JsonMapper JSON = JsonMapper.builder()
		.enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
		.build();

	private final HttpClient http = HttpClient.newHttpClient();

	@LocalServerPort
	private int port;

	@Test
	void aUsersSixthDollarTwentyQueryOfTheDayIsDeniedAfterFiveWereAdmitted() throws Exception {
		String alice = "demo-business-alice-" + UUID.randomUUID();
		for (int i = 1; i <= 5; i++) {
			assertThat(query(alice, DOLLAR_TWENTY_QUERY).statusCode()).as("query %d", i).isEqualTo(200);
			awaitSpent(alice, new BigDecimal("1.20").multiply(BigDecimal.valueOf(i)));
		}
		HttpResponse<String> denied = query(alice, DOLLAR_TWENTY_QUERY);
		assertThat(denied.statusCode()).isEqualTo(429);
		assertThat(denied.headers().firstValue("Retry-After")).hasValue("43200");
		JsonNode problem = JSON.readTree(denied.body());
		assertThat(problem.path("budget").asString()).isEqualTo("usd");
		assertThat(problem.path("spent").decimalValue()).isEqualTo(new BigDecimal("6.00"));
		assertThat(problem.path("limit").decimalValue()).isEqualTo(new BigDecimal("5.00"));
		assertThat(problem.path("scope").asString()).isEqualTo("caller");
		// Another user is unaffected.
		assertThat(query("demo-business-bob-" + UUID.randomUUID(), DOLLAR_TWENTY_QUERY).statusCode()).isEqualTo(200);
	}

	@Test
	void statsShowTheCallersLimitsAndWhatItWasChargedToTheCent() throws Exception {
		String carol = "demo-free-carol-" + UUID.randomUUID();
		// 4 words in, 216,666 tokens out: 0.0000008 + 0.1299996 = 0.1300004, charged as
		// 0.130000; four of them are 0.52.
		String query = "{\"prompt\": \"write a short haiku\", \"max_tokens\": 216666, \"latency_ms\": 0}";
		for (int i = 1; i <= 4; i++) {
			assertThat(query(carol, query).statusCode()).isEqualTo(200);
			awaitSpent(carol, new BigDecimal("0.13").multiply(BigDecimal.valueOf(i)));
		}
		JsonNode stats = stats(carol);
		assertThat(stats.path("user_id").asString()).isEqualTo(carol);
		assertThat(stats.path("limits").path("minute").path("current").asLong()).isEqualTo(4);
		assertThat(stats.path("limits").path("minute").path("limit").asLong()).isEqualTo(10);
		assertThat(stats.path("limits").path("minute").path("remaining").asLong()).isEqualTo(6);
		assertThat(stats.path("limits").path("hour").path("limit").asLong()).isEqualTo(100);
		assertThat(stats.path("limits").path("day").path("limit").asLong()).isEqualTo(500);
		assertThat(stats.path("cost").path("today").decimalValue()).isEqualTo(new BigDecimal("0.52"));
		assertThat(stats.path("cost").path("limit").decimalValue()).isEqualTo(new BigDecimal("5.00"));
		assertThat(stats.path("cost").path("remaining").decimalValue()).isEqualTo(new BigDecimal("4.48"));
		// Reading the stats is not an assistant query.
		assertThat(stats(carol).path("limits").path("minute").path("current").asLong()).isEqualTo(4);
	}

	private void awaitSpent(String key, BigDecimal amount) {
		// Charged when the server sees the response complete, maybe just after the
		// client has it.
		await().atMost(Duration.ofSeconds(5))
			.pollInterval(Duration.ofMillis(10))
			.until(() -> stats(key).path("cost").path("today").decimalValue().compareTo(amount) >= 0);
		try {
			assertThat(stats(key).path("cost").path("today").decimalValue()).isEqualByComparingTo(amount);
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	private JsonNode stats(String key) throws IOException, InterruptedException {
		HttpResponse<String> response = this.http
			.send(HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + "/api/v1/assistant/stats"))
				.header("X-API-Key", key)
				.GET()
				.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(200);
		return JSON.readTree(response.body());
	}

	private HttpResponse<String> query(String key, String json) throws IOException, InterruptedException {
		return this.http
			.send(HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + "/api/v1/assistant/query"))
				.header("X-API-Key", key)
				.header("Content-Type", "application/json")
				.POST(HttpRequest.BodyPublishers.ofString(json))
				.build(), HttpResponse.BodyHandlers.ofString());
	}

	@TestConfiguration(proxyBeanMethods = false)
	static class FixedClock {

		@Bean
		Clock clock() {
			return Clock.fixed(Instant.parse("2026-12-02T12:00:00Z"), ZoneOffset.UTC);
		}

	}

}
