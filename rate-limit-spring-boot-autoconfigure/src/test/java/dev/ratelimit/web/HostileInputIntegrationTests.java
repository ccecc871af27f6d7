package dev.ratelimit.web;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.ratelimit.test.LocalHttp;
import dev.ratelimit.test.context.SharedRedis;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.Cursor;
import org.springframework.data.redis.core.ScanOptions;
import org.springframework.security.authentication.TestingAuthenticationToken;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.filter.OncePerRequestFilter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Callers that try to talk their way past a limit, or to break the filter, over real HTTP
 * against a real Redis. The peer is never a trusted proxy here.
 */
@ExtendWith(OutputCaptureExtension.class)
@SpringBootTest(classes = HostileInputIntegrationTests.TestApplication.class,
		webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "rate-limit.identity.api-key-header=X-API-Key",
				"rate-limit.tiers.free.limits.api_requests=1000/1h",
				"rate-limit.tiers.pro.limits.api_requests=10000/1h", "rate-limit.tiers.enterprise.unlimited=true",
				"rate-limit.operations.spoof.match=/spoof/**", "rate-limit.operations.spoof.limits=3/1h",
				"rate-limit.operations.concurrent.match=/concurrent/**", "rate-limit.operations.concurrent.limits=5/1h",
				"rate-limit.operations.logged.match=/logged/**", "rate-limit.operations.logged.limits=2/1h",
				"logging.level.dev.ratelimit=debug",
				// Generous: a loaded build machine must not move these checks to the
				// local fallback.
				"rate-limit.redis.timeout=5s" })
@SharedRedis
class HostileInputIntegrationTests {

	private static final String KEY_PREFIX = "hostile-" + UUID.randomUUID();

	@LocalServerPort
	private int port;

	@Autowired
	private RedisConnectionFactory connectionFactory;

	@DynamicPropertySource
	static void keyPrefix(DynamicPropertyRegistry registry) {
		registry.add("rate-limit.key-prefix", () -> KEY_PREFIX);
	}

	@Test
	void spoofedForwardingHeadersFromAnUntrustedPeerStayOnOneBudget() throws Exception {
		List<Integer> statuses = new ArrayList<>();
		for (int i = 1; i <= 8; i++) {
			statuses.add(send("/spoof/x",
					Map.of("X-Forwarded-For", "198.51.100." + i, "Forwarded", "for=203.0.113." + i, "X-Real-IP",
							"192.0.2." + i, "True-Client-IP", "192.0.2." + i, "CF-Connecting-IP", "192.0.2." + i))
				.statusCode());
		}
		assertThat(statuses).containsExactly(200, 200, 200, 429, 429, 429, 429, 429);
	}

	@Test
	void tierHeadersSentByTheClientChangeNothing() throws Exception {
		Map<String, String> claims = Map.of("X-Tier", "enterprise", "X-RateLimit-Tier", "enterprise", "Tier",
				"enterprise", "X-Plan", "enterprise", "X-User-Tier", "enterprise", "X-Test-Tier", "enterprise");
		assertThat(limit("/api/ping", claims)).isEqualTo("1000");
		assertThat(limit("/api/ping", with(claims, "X-API-Key", "k-" + UUID.randomUUID()))).isEqualTo("1000");
		assertThat(limit("/api/ping", with(claims, "Authorization", bearer(newUser(), "free")))).isEqualTo("1000");
		assertThat(limit("/api/ping", with(Map.of("X-Tier", "free"), "Authorization", bearer(newUser(), "pro"))))
			.isEqualTo("10000");
		// Only authentication moves a caller to another tier.
		HttpResponse<String> enterprise = send("/api/ping", Map.of("Authorization", bearer(newUser(), "enterprise")));
		assertThat(enterprise.statusCode()).isEqualTo(200);
		assertThat(enterprise.headers().firstValue("X-RateLimit-Limit")).isEmpty();
	}

	@Test
	void concurrentRequestsOfOneNewCallerAdmitExactlyTheLimit() throws Exception {
		assertThat(statusesOfConcurrentRequests(Map.of("X-API-Key", "k-" + UUID.randomUUID()))).containsEntry(200, 5L)
			.containsEntry(429, 19L)
			.hasSize(2);
		assertThat(statusesOfConcurrentRequests(Map.of("Authorization", bearer(newUser(), "pro"))))
			.containsEntry(200, 5L)
			.containsEntry(429, 19L)
			.hasSize(2);
	}

	@Test
	void malformedApiKeysGetAProblemAndNoBudget() throws Exception {
		List<String> rejected = new ArrayList<>();
		rejected.add("Bearer " + UUID.randomUUID());
		rejected.add("k".repeat(257));
		for (String key : rejected) {
			HttpResponse<String> response = send("/api/ping", Map.of("X-API-Key", key));
			assertThat(response.statusCode()).isEqualTo(400);
			assertThat(response.headers().firstValue("Content-Type"))
				.hasValueSatisfying((type) -> assertThat(type).startsWith("application/problem+json"));
			assertThat(response.body()).contains("\"status\":400")
				.contains("X-API-Key header")
				.contains("\"instance\":\"/api/ping\"")
				.doesNotContain(key);
			assertThat(response.headers().firstValue("X-RateLimit-Limit")).isEmpty();
		}
		String longest = "k".repeat(256);
		assertThat(send("/api/ping", Map.of("X-API-Key", longest)).statusCode()).isEqualTo(200);
		RawHttp raw = new RawHttp(this.port);
		// Bytes that are not UTF-8, and a value just under the server's 8 KB header
		// limit: both reach the filter, which answers for itself.
		for (byte[] key : List.of(new byte[] { 'k', (byte) 0xFF, (byte) 0xFE, 'k' },
				"k\u00e9".getBytes(StandardCharsets.UTF_8), "k".repeat(7000).getBytes(StandardCharsets.US_ASCII))) {
			RawHttp.Response response = raw.request("GET", "/api/ping").header("X-API-Key", key).send();
			assertThat(response.status()).isEqualTo(400);
			assertThat(response.isProblem()).isTrue();
			rejected.add(new String(key, StandardCharsets.ISO_8859_1));
		}
		// Control characters and values over the header limit never get past the server
		// itself.
		for (byte[] key : List.of("k\u0001k".getBytes(StandardCharsets.US_ASCII), new byte[] { 'k', 0, 'k' },
				"k\u007Fk".getBytes(StandardCharsets.US_ASCII),
				"k".repeat(10 * 1024).getBytes(StandardCharsets.US_ASCII))) {
			assertThat(raw.request("GET", "/api/ping").header("X-API-Key", key).send().status()).isEqualTo(400);
			rejected.add(new String(key, StandardCharsets.ISO_8859_1));
		}
		List<String> keys = redisKeys();
		assertThat(keys).contains(KEY_PREFIX + ":{" + Identity.apiKey(longest).scope() + "}:apirequests:1h:tb");
		for (String key : rejected) {
			assertThat(keys).noneMatch((redisKey) -> redisKey.contains(Identity.apiKey(key.trim()).scope()));
		}
	}

	@Test
	void rawKeysAndUserIdsReachNeitherLogsNorRedisKeys(CapturedOutput output) throws Exception {
		String marker = UUID.randomUUID().toString();
		String apiKey = "key-" + marker;
		String user = "user-" + marker;
		String rejectedKey = "long-" + marker + "-".repeat(300);
		List<Integer> statuses = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			statuses.add(send("/logged/x", Map.of("X-API-Key", apiKey)).statusCode());
			statuses.add(send("/logged/x", Map.of("Authorization", bearer(user, "free"))).statusCode());
		}
		statuses.add(send("/logged/x", Map.of("X-API-Key", rejectedKey)).statusCode());
		statuses.add(new RawHttp(this.port).request("GET", "/logged/x")
			.header("X-API-Key", ("bad-" + marker + "\u00ff").getBytes(StandardCharsets.ISO_8859_1))
			.send()
			.status());
		assertThat(statuses).containsExactly(200, 200, 200, 200, 429, 429, 400, 400);
		assertThat(output).contains("Rejected a request with 400").doesNotContain(marker);
		List<String> keys = redisKeys();
		assertThat(keys).contains(KEY_PREFIX + ":{" + Identity.apiKey(apiKey).scope() + "}:logged:1h:tb",
				KEY_PREFIX + ":{" + Identity.user(user).scope() + "}:logged:1h:tb");
		assertThat(keys).isNotEmpty().noneMatch((key) -> key.contains(marker));
	}

	@Test
	void oddRequestTargetsGetOnly2xxOr4xx() throws Exception {
		RawHttp raw = new RawHttp(this.port);
		Map<String, Integer> statuses = new TreeMap<>();
		for (String target : List.of("/api/ping;b=%zz", "/api/ping;%", "/api/ping;x=%FF", "/api;%zz/ping", "/api/%zz",
				"/api/ping%", "/api/ping%2", "/api/ping?q=%zz", "/api/ping?%", "/%2e%2e/api/ping", "/api/./ping",
				"/api/../api/ping", "//api//ping", "/api/ping#x", "/api/ping%00", "/api/ping%2F", "/api/p%C3%A9ng",
				"/api/ping%FF", "/api/ping%C0%AF", "*", "http://localhost/api/ping", "api/ping", "/api/ping\\x",
				"/" + "a".repeat(7000))) {
			RawHttp.Response response = raw.request("GET", target).send();
			statuses.put(target.substring(0, Math.min(target.length(), 40)), response.status());
		}
		assertThat(statuses).allSatisfy((target, status) -> assertThat(status).as(target).isBetween(200, 499));
		// The server passes undecodable path parameters on: the filter answers for
		// itself.
		RawHttp.Response undecodable = raw.request("GET", "/api/ping;b=%zz").send();
		assertThat(undecodable.status()).isEqualTo(400);
		assertThat(undecodable.isProblem()).isTrue();
		assertThat(undecodable.body()).contains("percent-encoding").contains("\"instance\":\"about:blank\"");
	}

	@Test
	void fuzzedHeadersAndTargetsGetOnly2xxOr4xx() throws Exception {
		Random random = new Random(20261122);
		RawHttp raw = new RawHttp(this.port);
		Map<Integer, Integer> statuses = new TreeMap<>();
		int problems = 0;
		for (int i = 0; i < 300; i++) {
			byte[] target = random.nextInt(3) == 0 ? HostileValues.target(random, "/fuzz")
					: "/api/ping".getBytes(StandardCharsets.US_ASCII);
			RawHttp.Request request = raw.request(HostileValues.method(random).getBytes(StandardCharsets.US_ASCII),
					target);
			int headers = random.nextInt(5);
			for (int h = 0; h < headers; h++) {
				String name = HostileValues.HEADERS.get(random.nextInt(HostileValues.HEADERS.size()));
				request.header(name, HostileValues.headerValue(random, Math.max(0, 7800 - request.size())));
			}
			RawHttp.Response response;
			try {
				response = request.send();
			}
			catch (IOException ex) {
				throw new AssertionError("No response to request " + i + " [" + request + "]", ex);
			}
			if (response.status() < 200 || response.status() >= 500) {
				fail("Request %d [%s] got %d: %s", i, request, response.status(), response.body());
			}
			statuses.merge(response.status(), 1, Integer::sum);
			problems += (response.status() == 400 && response.isProblem()) ? 1 : 0;
		}
		// The fuzz must have reached the limiter and our own rejection, not only the
		// server's.
		assertThat(statuses).as("statuses %s", statuses).containsKeys(200, 400, 404);
		assertThat(problems).as("400 problems of the filter").isPositive();
	}

	private Map<Integer, Long> statusesOfConcurrentRequests(Map<String, String> headers) throws Exception {
		int requests = 24;
		ExecutorService executor = Executors.newFixedThreadPool(12);
		try {
			CountDownLatch start = new CountDownLatch(1);
			List<Future<Integer>> results = new ArrayList<>();
			for (int i = 0; i < requests; i++) {
				results.add(executor.submit(() -> {
					start.await();
					return send("/concurrent/x", headers).statusCode();
				}));
			}
			start.countDown();
			Map<Integer, Long> statuses = new TreeMap<>();
			for (Future<Integer> result : results) {
				statuses.merge(result.get(), 1L, Long::sum);
			}
			return statuses;
		}
		finally {
			executor.shutdownNow();
		}
	}

	private List<String> redisKeys() {
		List<String> keys = new ArrayList<>();
		try (RedisConnection connection = this.connectionFactory.getConnection();
				Cursor<byte[]> cursor = connection.keyCommands()
					.scan(ScanOptions.scanOptions().match(KEY_PREFIX + ":*").count(1000).build())) {
			cursor.forEachRemaining((key) -> keys.add(new String(key, StandardCharsets.UTF_8)));
		}
		return keys;
	}

	private String limit(String path, Map<String, String> headers) throws Exception {
		HttpResponse<String> response = send(path, headers);
		assertThat(response.statusCode()).isEqualTo(200);
		return response.headers().firstValue("X-RateLimit-Limit").orElseThrow();
	}

	private HttpResponse<String> send(String path, Map<String, String> headers)
			throws IOException, InterruptedException {
		return LocalHttp.send("127.0.0.1", this.port, "GET", path, headers);
	}

	private static Map<String, String> with(Map<String, String> headers, String name, String value) {
		Map<String, String> result = new TreeMap<>(headers);
		result.put(name, value);
		return result;
	}

	private static String newUser() {
		return "user-" + UUID.randomUUID();
	}

	private static String bearer(String user, String tier) {
		return "Bearer " + user + "@" + tier;
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import(TestController.class)
	static class TestApplication {

		@Bean
		FilterRegistrationBean<TestAuthenticationFilter> testAuthentication() {
			FilterRegistrationBean<TestAuthenticationFilter> registration = new FilterRegistrationBean<>(
					new TestAuthenticationFilter());
			registration.setOrder(-100);
			return registration;
		}

	}

	/**
	 * Stands in for Spring Security: {@code Authorization: Bearer <user>@<tier>}
	 * authenticates the user with the authority {@code TIER_<tier>}. Any other value
	 * leaves the caller anonymous.
	 */
	static final class TestAuthenticationFilter extends OncePerRequestFilter {

		private static final Pattern TOKEN = Pattern.compile("Bearer (user-[a-z0-9-]{1,64})@(free|pro|enterprise)");

		@Override
		protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
				throws ServletException, IOException {
			String header = request.getHeader("Authorization");
			Matcher token = (header != null) ? TOKEN.matcher(header) : null;
			if (token == null || !token.matches()) {
				chain.doFilter(request, response);
				return;
			}
			TestingAuthenticationToken authentication = new TestingAuthenticationToken(token.group(1), null,
					"TIER_" + token.group(2));
			SecurityContextHolder.getContext().setAuthentication(authentication);
			try {
				chain.doFilter(new HttpServletRequestWrapper(request) {

					@Override
					public Principal getUserPrincipal() {
						return authentication;
					}

				}, response);
			}
			finally {
				SecurityContextHolder.clearContext();
			}
		}

	}

	@RestController
	static class TestController {

		@GetMapping({ "/api/ping", "/spoof/x", "/concurrent/x", "/logged/x" })
		String ping() {
			return "pong";
		}

	}

}
