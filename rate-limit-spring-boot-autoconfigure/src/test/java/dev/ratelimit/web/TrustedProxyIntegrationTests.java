package dev.ratelimit.web;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;

import dev.ratelimit.test.LocalHttp;
import dev.ratelimit.test.context.SharedRedis;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Requests through a trusted proxy (the loopback address the tests connect from), over
 * real HTTP against a real Redis: the right-most address that is not a trusted proxy is
 * the client.
 */
@SpringBootTest(classes = TrustedProxyIntegrationTests.TestApplication.class,
		webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "rate-limit.identity.trusted-proxies=127.0.0.1, ::1, 10.0.0.0/8",
				"rate-limit.tiers.free.limits.api_requests=1000/1h", "rate-limit.operations.hop.match=/hop/**",
				"rate-limit.operations.hop.limits=3/1h",
				// Generous: a loaded build machine must not move these checks to the
				// local fallback.
				"rate-limit.redis.timeout=5s" })
@SharedRedis
class TrustedProxyIntegrationTests {

	private static final String KEY_PREFIX = "proxy-" + UUID.randomUUID();

	@LocalServerPort
	private int port;

	@Autowired
	private RedisConnectionFactory connectionFactory;

	@DynamicPropertySource
	static void keyPrefix(DynamicPropertyRegistry registry) {
		registry.add("rate-limit.key-prefix", () -> KEY_PREFIX);
	}

	@Test
	void rightMostUntrustedHopIsTheClient() throws Exception {
		List<String> remaining = new ArrayList<>();
		for (int i = 1; i <= 4; i++) {
			// Whatever the client wrote, then the client as the edge proxy saw it, then
			// an inner proxy.
			HttpResponse<String> response = send("/hop/x",
					Map.of("X-Forwarded-For", "203.0.113." + i + ", 198.51.100.1, 10.0.0.5"));
			remaining
				.add(response.statusCode() + "/" + response.headers().firstValue("X-RateLimit-Remaining").orElse(""));
		}
		assertThat(remaining).containsExactly("200/2", "200/1", "200/0", "429/0");
		assertThat(budgetExists("198.51.100.1")).isTrue();
		assertThat(budgetExists("203.0.113.1")).isFalse();
		assertThat(budgetExists("10.0.0.5")).isFalse();
		// Another client behind the same proxies has a budget of its own.
		HttpResponse<String> other = send("/hop/x", Map.of("X-Forwarded-For", "198.51.100.11"));
		assertThat(other.headers().firstValue("X-RateLimit-Remaining")).hasValue("2");
	}

	@Test
	void forwardedHeaderPassedThroughFromTheClientIsNotBelieved() throws Exception {
		List<Integer> statuses = new ArrayList<>();
		for (int i = 1; i <= 4; i++) {
			statuses.add(send("/hop/x", Map.of("X-Forwarded-For", "198.51.100.2", "Forwarded", "for=203.0.113." + i))
				.statusCode());
		}
		assertThat(statuses).containsExactly(200, 200, 200, 429);
		assertThat(budgetExists("198.51.100.2")).isTrue();
	}

	@Test
	void severalHeaderLinesAreReadAsOneListInOrder() throws Exception {
		RawHttp raw = new RawHttp(this.port);
		List<Integer> statuses = new ArrayList<>();
		for (int i = 1; i <= 4; i++) {
			// The client's own line first, then the line the proxy added.
			statuses.add(raw.request("GET", "/hop/x")
				.header("X-Forwarded-For", "203.0.113." + i)
				.header("X-Forwarded-For", "198.51.100.3")
				.send()
				.status());
		}
		assertThat(statuses).containsExactly(200, 200, 200, 429);
		assertThat(budgetExists("198.51.100.3")).isTrue();
	}

	@Test
	void ipv6HopsAreOneClientHoweverSpelled() throws Exception {
		List<String> remaining = new ArrayList<>();
		for (String hop : List.of("2001:db8::5", "[2001:db8::5]:4711", "2001:DB8:0:0:0:0:0:5")) {
			remaining.add(send("/hop/x", Map.of("X-Forwarded-For", hop)).headers()
				.firstValue("X-RateLimit-Remaining")
				.orElse(""));
		}
		assertThat(remaining).containsExactly("2", "1", "0");
		assertThat(budgetExists("2001:db8:0:0:0:0:0:5")).isTrue();
	}

	@Test
	void unreadableHopsAreChargedToTheProxy() throws Exception {
		for (String header : List.of("unknown", "_hidden", "evil.example.com", "", ",,,", "[::1", "1.2.3.4.5",
				"198.51.100.4, garbage", "\u00e9\u00ff")) {
			HttpResponse<String> response = send("/api/ping", Map.of("X-Forwarded-For", header));
			assertThat(response.statusCode()).as("'%s'", header).isEqualTo(200);
		}
		assertThat(budgetExists("127.0.0.1") || budgetExists("0:0:0:0:0:0:0:1")).isTrue();
		assertThat(budgetExists("198.51.100.4")).isFalse();
	}

	@Test
	void fuzzedForwardingHeadersFromATrustedProxyGetOnly2xxOr4xx() throws Exception {
		Random random = new Random(7239);
		RawHttp raw = new RawHttp(this.port);
		Map<Integer, Integer> statuses = new TreeMap<>();
		for (int i = 0; i < 200; i++) {
			RawHttp.Request request = raw.request("GET", "/api/ping");
			int headers = 1 + random.nextInt(3);
			for (int h = 0; h < headers; h++) {
				request.header(random.nextBoolean() ? "X-Forwarded-For" : "Forwarded",
						HostileValues.headerValue(random, Math.max(0, 7800 - request.size())));
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
		}
		assertThat(statuses).as("statuses %s", statuses).containsKey(200);
	}

	private boolean budgetExists(String address) {
		String key = KEY_PREFIX + ":{" + Identity.address(address).scope() + "}:";
		StringRedisTemplate redis = new StringRedisTemplate(this.connectionFactory);
		return Boolean.TRUE.equals(redis.hasKey(key + "hop:1h:tb"))
				|| Boolean.TRUE.equals(redis.hasKey(key + "apirequests:1h:tb"));
	}

	private HttpResponse<String> send(String path, Map<String, String> headers)
			throws IOException, InterruptedException {
		return LocalHttp.send("127.0.0.1", this.port, "GET", path, headers);
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import(TestController.class)
	static class TestApplication {

	}

	@RestController
	static class TestController {

		@GetMapping({ "/api/ping", "/hop/x" })
		String ping() {
			return "pong";
		}

	}

}
