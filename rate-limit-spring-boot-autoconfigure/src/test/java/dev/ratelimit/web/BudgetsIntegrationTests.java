package dev.ratelimit.web;

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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.ratelimit.admin.RateLimitUsage;
import dev.ratelimit.test.LocalHttp;
import dev.ratelimit.test.RedisServer;
import dev.ratelimit.test.RedisServers;
import dev.ratelimit.testfixtures.HeaderTierResolver;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.http.HttpServletRequest;
import dev.ratelimit.testfixtures.TestInstances;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

/**
 * Budgets over real HTTP, on two instances of an application that share a real Redis:
 * read before the handler, charged after the response, shown by {@link RateLimitUsage}.
 * The application's clock (which decides the budgets' windows) is fixed at noon.
 */
class BudgetsIntegrationTests {

	private static final String PREFIX = "budgets-it-" + UUID.randomUUID();

	private static final Instant NOON = Instant.parse("2026-12-02T12:00:00Z");

	private static final HttpClient CLIENT = HttpClient.newHttpClient();

	private static final JsonMapper JSON = JsonMapper.builder()
		.enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
		.build();

	private static ConfigurableApplicationContext first;

	private static ConfigurableApplicationContext second;

	@BeforeAll
	static void startInstances() {
		first = startInstance();
		second = startInstance();
	}

	@AfterAll
	static void stopInstances() {
		first.close();
		second.close();
	}

	@Test
	void aUsersSixthRequestOfADayAtADollarTwentyIsDeniedAfterFiveWereAdmitted() throws Exception {
		String alice = newKey();
		for (int i = 0; i < 5; i++) {
			HttpResponse<String> admitted = send((i % 2 == 0) ? first : second, "POST", "/api/assistant?cost=1.20",
					alice);
			assertThat(admitted.statusCode()).as("request %d", i + 1).isEqualTo(200);
			awaitSpent(alice, "assistant_query", new BigDecimal("1.20").multiply(BigDecimal.valueOf(i + 1)));
		}
		HttpResponse<String> denied = send(first, "POST", "/api/assistant?cost=1.20", alice);
		assertThat(denied.statusCode()).isEqualTo(429);
		// Until midnight UTC of the application's clock.
		assertThat(denied.headers().firstValue("Retry-After")).hasValue("43200");
		JsonNode problem = JSON.readTree(denied.body());
		assertThat(problem.path("budget").asString()).isEqualTo("usd");
		assertThat(problem.path("spent").decimalValue()).isEqualTo(new BigDecimal("6.00"));
		assertThat(problem.path("limit").decimalValue()).isEqualTo(new BigDecimal("5.00"));
		assertThat(problem.path("scope").asString()).isEqualTo("caller");
		assertThat(denied.body()).contains("\"spent\":6.00", "\"limit\":5.00");
		assertThat(problem.path("detail").asString()).contains("Budget 'usd'")
			.contains("6.00 of 5.00 per 1d")
			.contains("scope caller");
		// The denied request consumed nothing: the caller's usage shows five requests.
		JsonNode stats = JSON.readTree(send(second, "GET", "/api/stats", alice).body());
		assertThat(stats.path("hour").path("current").asLong()).isEqualTo(5);
		assertThat(stats.path("today").decimalValue()).isEqualTo(new BigDecimal("6.00"));
		assertThat(stats.path("remaining").decimalValue()).isEqualTo(new BigDecimal("0.00"));
		// Another user is unaffected.
		assertThat(send(second, "POST", "/api/assistant?cost=1.20", newKey()).statusCode()).isEqualTo(200);
		// The five admitted requests were charged before the sixth was checked.
		assertThat(charged(first) + charged(second)).isGreaterThanOrEqualTo(6.0);
	}

	@Test
	void chargesFromTwoInstancesAddUpExactlyAndStatsMatchThemToTheCent() throws Exception {
		String bob = newKey();
		ExecutorService executor = Executors.newFixedThreadPool(8);
		try {
			List<Future<HttpResponse<String>>> responses = new ArrayList<>();
			for (int i = 0; i < 40; i++) {
				ConfigurableApplicationContext instance = (i % 2 == 0) ? first : second;
				responses.add(executor.submit(() -> send(instance, "POST", "/api/assistant?cost=0.013", bob)));
			}
			for (Future<HttpResponse<String>> response : responses) {
				assertThat(response.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
			}
		}
		finally {
			executor.shutdownNow();
		}
		awaitSpent(bob, "assistant_query", new BigDecimal("0.52"));
		JsonNode stats = JSON.readTree(send(first, "GET", "/api/stats", bob).body());
		assertThat(stats.path("today").decimalValue()).isEqualTo(new BigDecimal("0.52"));
		assertThat(stats.path("limit").decimalValue()).isEqualTo(new BigDecimal("5.00"));
		assertThat(stats.path("remaining").decimalValue()).isEqualTo(new BigDecimal("4.48"));
		assertThat(stats.path("hour").path("current").asLong()).isEqualTo(40);
		assertThat(stats.path("hour").path("remaining").asLong()).isEqualTo(60);
	}

	@Test
	void theEndpointShowsACallersBudgetsAndTheGlobalOnes() throws Exception {
		String frank = newKey();
		assertThat(send(first, "POST", "/api/assistant?cost=0.75", frank).statusCode()).isEqualTo(200);
		awaitSpent(frank, "assistant_query", new BigDecimal("0.75"));
		JsonNode caller = JSON.readTree(send(second, "GET", "/actuator/ratelimits/key:" + frank, newKey()).body());
		JsonNode operation = null;
		for (JsonNode candidate : caller.path("operations")) {
			if (candidate.path("operation").asString().equals("assistant_query")) {
				operation = candidate;
			}
		}
		assertThat(operation).isNotNull();
		JsonNode budget = operation.path("budgets").get(0);
		assertThat(budget.path("budget").asString()).isEqualTo("usd");
		assertThat(budget.path("spent").decimalValue()).isEqualByComparingTo("0.75");
		assertThat(budget.path("limit").decimalValue()).isEqualByComparingTo("5.00");
		assertThat(budget.path("remaining").decimalValue()).isEqualByComparingTo("4.25");
		assertThat(budget.path("resetAfterSeconds").asLong()).isEqualTo(43200);
		assertThat(operation.path("limits"))
			.allSatisfy((limit) -> assertThat(limit.path("algorithm").asString()).isNotEqualTo("budget"));
		JsonNode global = JSON.readTree(send(first, "GET", "/actuator/ratelimits", newKey()).body());
		assertThat(global.toString()).contains("globalBudgets");
	}

	@Test
	void theGlobalBudgetStopsEveryoneOnceSpent() throws Exception {
		String erin = newKey();
		assertThat(send(first, "POST", "/api/spend?cost=3.00", erin).statusCode()).isEqualTo(200);
		// One script call charges the caller's budget and the global one together.
		awaitSpent(erin, "global_spend", new BigDecimal("3.00"));
		HttpResponse<String> denied = send(second, "POST", "/api/spend?cost=0.01", newKey());
		assertThat(denied.statusCode()).isEqualTo(429);
		JsonNode problem = JSON.readTree(denied.body());
		assertThat(problem.path("scope").asString()).isEqualTo("global");
		assertThat(problem.path("budget").asString()).isEqualTo("usd");
		assertThat(problem.path("limit").decimalValue()).isEqualTo(new BigDecimal("3.00"));
	}

	@Test
	void aChargeFromAStreamingResponseLandsOnceWhenTheStreamCompletes() throws Exception {
		String carol = newKey();
		HttpResponse<String> stream = CLIENT.send(HttpRequest.newBuilder(uri(first, "/api/stream?cost=0.25"))
			.header("X-API-Key", carol)
			.header(HeaderTierResolver.HEADER, "free")
			.GET()
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(stream.statusCode()).isEqualTo(200);
		assertThat(stream.body()).contains("data:3");
		// Reported twice while streaming (0.10 + 0.15), charged once when it completed
		// (which the server sees after the client has the last event).
		awaitSpent(carol, "stream_query", new BigDecimal("0.25"));
	}

	@Test
	void aLateChargeIsChargedOnItsOwnAndAnUnknownBudgetIsRejected() throws Exception {
		String dave = newKey();
		assertThat(send(first, "POST", "/api/late?cost=0.40", dave).statusCode()).isEqualTo(200);
		awaitSpent(dave, "late_query", new BigDecimal("0.40"));
		Controller controller = first.getBean(Controller.class);
		// The response is complete: this charge goes to Redis at once, on its own.
		controller.lastCharge.charge("usd", new BigDecimal("0.40"));
		assertThatIllegalArgumentException().isThrownBy(() -> controller.lastCharge.charge("eur", BigDecimal.ONE));
		assertThat(spentToday(dave, "late_query")).isEqualTo(new BigDecimal("0.80"));
	}

	/**
	 * Wait until a charge has landed: it is sent when the server sees the response
	 * complete, which may be just after the client has it. Then the amount must be exact:
	 * never more.
	 */
	private static void awaitSpent(String key, String operation, BigDecimal amount) {
		await().atMost(Duration.ofSeconds(5))
			.pollInterval(Duration.ofMillis(10))
			.until(() -> spentToday(key, operation).compareTo(amount) >= 0);
		try {
			assertThat(spentToday(key, operation)).isEqualByComparingTo(amount);
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static BigDecimal spentToday(String key, String operation) throws Exception {
		return JSON.readTree(send(second, "GET", "/api/stats?operation=" + operation, key).body())
			.path("today")
			.decimalValue();
	}

	private static double charged(ConfigurableApplicationContext instance) {
		return instance.getBean(MeterRegistry.class)
			.find("ratelimit.budget.charged")
			.tag("operation", "assistant_query")
			.tag("budget", "usd")
			.counters()
			.stream()
			.mapToDouble((counter) -> counter.count())
			.sum();
	}

	private static HttpResponse<String> send(ConfigurableApplicationContext instance, String method, String path,
			String key) throws IOException, InterruptedException {
		return LocalHttp.send("localhost", TestInstances.port(instance), method, path,
				Map.of("X-API-Key", key, HeaderTierResolver.HEADER, "free"));
	}

	private static URI uri(ConfigurableApplicationContext instance, String path) {
		return URI.create("http://localhost:" + TestInstances.port(instance) + path);
	}

	private static String newKey() {
		return "key-" + UUID.randomUUID();
	}

	private static ConfigurableApplicationContext startInstance() {
		RedisServer redis = RedisServers.shared();
		return TestInstances.start(Application.class, "server.shutdown=immediate",
				"spring.data.redis.host=" + redis.host(), "spring.data.redis.port=" + redis.port(),
				"rate-limit.key-prefix=" + PREFIX, "rate-limit.redis.timeout=5s",
				"rate-limit.identity.api-key-header=X-API-Key", "rate-limit.budgets.zone=UTC",
				"management.endpoints.web.exposure.include=ratelimits",
				"rate-limit.operations.assistant_query.match=/api/assistant",
				"rate-limit.operations.assistant_query.limits=100/1h fixed-window",
				"rate-limit.operations.assistant_query.budgets.usd=5.00/1d",
				"rate-limit.operations.assistant_query.global.budgets.usd=100000.00/1d",
				"rate-limit.operations.stream_query.match=/api/stream",
				"rate-limit.operations.stream_query.budgets.usd=5.00/1d",
				"rate-limit.operations.late_query.match=/api/late",
				"rate-limit.operations.late_query.budgets.usd=5.00/1d",
				"rate-limit.operations.global_spend.match=/api/spend",
				"rate-limit.operations.global_spend.budgets.usd=1000.00/1d",
				"rate-limit.operations.global_spend.global.budgets.usd=3.00/1d",
				"rate-limit.tiers.free.limits.api_requests=1000/1h");
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import({ Controller.class, HeaderTierResolver.class })
	static class Application {

		@Bean
		Clock clock() {
			return Clock.fixed(NOON, ZoneOffset.UTC);
		}

	}

	@RestController
	static class Controller {

		private final RateLimitCharges charges;

		private final RateLimitUsage usage;

		private final ExecutorService executor = Executors.newCachedThreadPool();

		volatile RequestCharge lastCharge;

		Controller(RateLimitCharges charges, RateLimitUsage usage) {
			this.charges = charges;
			this.usage = usage;
		}

		@PostMapping({ "/api/assistant", "/api/spend" })
		String query(@RequestParam BigDecimal cost) {
			this.charges.charge("usd", cost);
			return "answer";
		}

		@PostMapping("/api/late")
		String late(@RequestParam BigDecimal cost) {
			this.lastCharge = this.charges.current();
			this.lastCharge.charge("usd", cost);
			return "answer";
		}

		@GetMapping("/api/stream")
		SseEmitter stream(@RequestParam BigDecimal cost) {
			RequestCharge charge = this.charges.current();
			SseEmitter emitter = new SseEmitter(30_000L);
			this.executor.execute(() -> {
				try {
					for (int i = 1; i <= 3; i++) {
						emitter.send(SseEmitter.event().data(Integer.toString(i)));
					}
					charge.charge("usd", new BigDecimal("0.10"));
					charge.charge("usd", cost.subtract(new BigDecimal("0.10")));
					emitter.complete();
				}
				catch (IOException ex) {
					emitter.completeWithError(ex);
				}
			});
			return emitter;
		}

		@GetMapping("/api/stats")
		Map<String, Object> stats(HttpServletRequest request,
				@RequestParam(defaultValue = "assistant_query") String operation) {
			RateLimitUsage.Usage usage = this.usage.current(request, operation);
			RateLimitUsage.LimitUsage hour = usage.limit("caller", "1h");
			RateLimitUsage.BudgetUsage usd = usage.budget("caller", "usd");
			Map<String, Object> stats = new LinkedHashMap<>();
			if (hour != null) {
				stats.put("hour", Map.of("current", hour.current(), "remaining", hour.remaining()));
			}
			stats.put("today", usd.spent());
			stats.put("limit", usd.limit());
			stats.put("remaining", usd.remaining());
			return stats;
		}

	}

}
