package dev.ratelimit.sample;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.ratelimit.actuate.RateLimitMetrics;
import dev.ratelimit.test.EmbeddedRedisServer;
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
 * Keeps the Grafana dashboard honest: every metric its queries use must be one the sample
 * app exports at /actuator/prometheus once it has served allowed, denied and excluded
 * requests and lived through a Redis outage. A renamed meter or a typo in a query fails
 * here, not in an operator's empty panel.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "rate-limit.redis.timeout=5s", "spring.data.redis.timeout=1s" })
class DashboardTests {

	static final Path DASHBOARD = Path.of("docs", "grafana", "rate-limit-dashboard.json");

	/**
	 * Its own Redis: this test stops it.
	 */
	private static final EmbeddedRedisServer redis = new EmbeddedRedisServer();

	private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w.$])[a-zA-Z_:][a-zA-Z0-9_:]*");

	private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "atan2", "inf", "nan");

	private final HttpClient http = HttpClient.newHttpClient();

	@LocalServerPort
	private int port;

	@Autowired
	private MeterRegistry registry;

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
	void everyMetricTheDashboardQueriesIsExported() throws Exception {
		Set<String> queried = dashboardMetricNames();
		assertThat(queried).isNotEmpty().allSatisfy((name) -> assertThat(name).startsWith("ratelimit_"));
		awaitRedisDecides();
		String key = "demo-free-" + UUID.randomUUID();
		for (int i = 0; i < 6; i++) {
			// free: 5 generations an hour (the fifth leaves nothing: near the limit),
			// then 429
			assertThat(send("POST", "/api/v2/generation/generate", key).statusCode()).isEqualTo((i < 5) ? 200 : 429);
		}
		assertThat(send("GET", "/actuator/health", null).statusCode()).isEqualTo(200);
		redis.stop();
		// Decided by the failure mode after a failed call: a backend error and a fallback
		// decision.
		assertThat(send("GET", "/api/ping", key).statusCode()).isEqualTo(200);
		HttpResponse<String> scrape = send("GET", "/actuator/prometheus", null);
		assertThat(scrape.statusCode()).isEqualTo(200);
		assertThat(exportedNames(scrape.body())).containsAll(queried);
	}

	@Test
	void metricNamesAreFoundInQueries() {
		assertThat(metricNames("sum by (tier, operation) (rate(ratelimit_requests_total{job=~\"$job\", "
				+ "outcome=\"denied\"}[$__rate_interval])) / clamp_min(sum(rate(other_total[5m])), 1e-9)"))
			.containsExactlyInAnyOrder("ratelimit_requests_total", "other_total");
		assertThat(metricNames("histogram_quantile(0.99, sum(rate(a_bucket[1m])) by (le)) or vector(0)"))
			.containsExactly("a_bucket");
		assertThat(metricNames("max(ratelimit_fallback_active) and on (instance) up == 1"))
			.containsExactlyInAnyOrder("ratelimit_fallback_active", "up");
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

	static Set<String> dashboardMetricNames() throws IOException {
		JsonNode dashboard = JsonMapper.shared().readTree(Files.readString(locate(DASHBOARD)));
		List<String> queries = new ArrayList<>();
		collectExpressions(dashboard.get("panels"), queries);
		for (JsonNode variable : dashboard.get("templating").get("list")) {
			if (variable.path("type").asString().equals("query")) {
				String query = variable.get("query").isObject() ? variable.get("query").get("query").asString()
						: variable.get("query").asString();
				// label_values(<selector>, <label>): the label is not a metric
				queries.add(query.replaceAll("^label_values\\((.*),\\s*\\w+\\)$", "$1"));
			}
		}
		assertThat(queries).hasSizeGreaterThan(10);
		Set<String> names = new TreeSet<>();
		queries.forEach((query) -> names.addAll(metricNames(query)));
		return names;
	}

	private static void collectExpressions(JsonNode panels, List<String> queries) {
		for (JsonNode panel : panels) {
			for (JsonNode target : panel.path("targets")) {
				queries.add(target.get("expr").asString());
			}
			collectExpressions(panel.path("panels"), queries);
		}
	}

	/**
	 * The metric names a PromQL expression selects: identifiers that remain once strings,
	 * label matchers, ranges, grouping clauses and Grafana variables are removed, other
	 * than functions (followed by a parenthesis) and keywords.
	 */
	static Set<String> metricNames(String expression) {
		String stripped = expression.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"")
			.replaceAll("\\{[^}]*}", " ")
			.replaceAll("\\[[^]]*]", " ")
			.replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ")
			.replaceAll("\\$\\w+", " ");
		Set<String> names = new TreeSet<>();
		Matcher matcher = IDENTIFIER.matcher(stripped);
		while (matcher.find()) {
			String identifier = matcher.group();
			boolean function = stripped.substring(matcher.end()).stripLeading().startsWith("(");
			if (!function && !KEYWORDS.contains(identifier.toLowerCase())) {
				names.add(identifier);
			}
		}
		return names;
	}

	static Set<String> exportedNames(String scrape) {
		Set<String> names = new TreeSet<>();
		for (String line : scrape.split("\n")) {
			if (!line.isBlank() && !line.startsWith("#")) {
				names.add(line.split("[{ ]", 2)[0]);
			}
		}
		return names;
	}

	static Path locate(Path relative) {
		// Tests run in the module's directory; the docs live at the root of the
		// repository.
		for (Path directory = Path.of("").toAbsolutePath(); directory != null; directory = directory.getParent()) {
			Path candidate = directory.resolve(relative);
			if (Files.isRegularFile(candidate)) {
				return candidate;
			}
		}
		throw new IllegalStateException(relative + " not found above " + Path.of("").toAbsolutePath());
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
