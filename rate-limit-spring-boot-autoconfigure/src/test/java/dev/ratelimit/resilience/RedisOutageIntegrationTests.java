package dev.ratelimit.resilience;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import dev.ratelimit.core.Decision;
import dev.ratelimit.test.CommandStats;
import dev.ratelimit.test.EmbeddedRedisServer;
import dev.ratelimit.testfixtures.TestApiController;
import dev.ratelimit.web.RateLimitListener;
import dev.ratelimit.web.ResolvedRequest;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import jakarta.servlet.http.HttpServletRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The filter over real HTTP while its redis-server (one of its own) stops, hangs and
 * comes back: no server errors, no check waiting beyond the timeout, limits still
 * enforced, and traffic back on Redis by itself. The breaker is configured through
 * resilience4j's keys to open and probe quickly.
 *
 * @author rate-limit-spring-boot
 */
@SpringBootTest(classes = RedisOutageIntegrationTests.TestApplication.class,
		webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "rate-limit.identity.api-key-header=X-API-Key", "rate-limit.redis.timeout=100ms",
				"rate-limit.tiers.free.limits.api_requests=100000/1h",
				"rate-limit.tiers.free.limits.ai_generation=4/1h", "rate-limit.fallback.instances=2",
				"rate-limit.circuit-breaker.sliding-window-size=4",
				"rate-limit.circuit-breaker.minimum-number-of-calls=2",
				"rate-limit.circuit-breaker.wait-duration-in-open-state=300ms",
				"rate-limit.circuit-breaker.permitted-number-of-calls-in-half-open-state=1" })
@DirtiesContext
class RedisOutageIntegrationTests {

	/**
	 * The default rate-limit.redis.timeout, set here because the module's tests use a
	 * longer one.
	 */
	private static final Duration TIMEOUT = Duration.ofMillis(100);

	/**
	 * How far a check may overrun the timeout: scheduling on a busy machine, and the
	 * first use of the fallback path loading its classes. Far below Lettuce's own command
	 * timeout.
	 */
	private static final Duration MARGIN = Duration.ofMillis(250);

	private static final EmbeddedRedisServer redis = new EmbeddedRedisServer();

	private final HttpClient http = HttpClient.newHttpClient();

	@LocalServerPort
	private int port;

	@Autowired
	private ResilientRateLimiter resilient;

	@Autowired
	private RedisConnectionFactory connectionFactory;

	@Autowired
	private Checks checks;

	private boolean disturbed;

	@DynamicPropertySource
	static void redis(DynamicPropertyRegistry registry) {
		registry.add("spring.data.redis.host", redis::host);
		registry.add("spring.data.redis.port", redis::port);
	}

	@AfterAll
	static void closeRedis() {
		redis.close();
	}

	@AfterEach
	void backOnRedis() {
		if (!this.disturbed) {
			return;
		}
		// stop() also ends a frozen server
		redis.stop();
		redis.start();
		CircuitBreaker breaker = resilient().getCircuitBreaker();
		await().atMost(Duration.ofSeconds(20))
			.pollInterval(Duration.ofMillis(50))
			.until(() -> send("GET", "/api/ping", newKey()).statusCode() == 200
					&& breaker.getState() == CircuitBreaker.State.CLOSED);
	}

	@BeforeEach
	void onRedis() {
		// On a cold start the first checks may time out and open the breaker.
		CircuitBreaker breaker = resilient().getCircuitBreaker();
		await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> {
			this.checks.clear();
			send("GET", "/api/ping", newKey());
			return this.checks.onRedis.get() == 1 && breaker.getState() == CircuitBreaker.State.CLOSED;
		});
		this.checks.clear();
	}

	@Test
	void noServerErrorWhileRedisStopsAndTrafficReturnsToRedisByItself() throws Exception {
		Callers callers = new Callers(3);
		try {
			await().atMost(Duration.ofSeconds(10)).until(() -> this.checks.onRedis.get() > 30);
			stopRedis();
			await().atMost(Duration.ofSeconds(10)).until(() -> this.checks.fallbacks.get() > 30);
			assertThat(resilient().isOnFallback()).isTrue();
			redis.start();
			long onRedis = this.checks.onRedis.get();
			await().atMost(Duration.ofSeconds(20)).until(() -> this.checks.onRedis.get() > onRedis + 30);
		}
		finally {
			callers.stop();
		}
		assertThat(callers.failures).isEmpty();
		assertThat(callers.statuses).containsOnly(200);
		assertThat(Duration.ofNanos(this.checks.slowest.get())).isLessThanOrEqualTo(TIMEOUT.plus(MARGIN));
		assertThat(resilient().isOnFallback()).isFalse();
	}

	@Test
	void hangingRedisIsHandledLikeAStoppedOne() throws Exception {
		Callers callers = new Callers(3);
		try {
			await().atMost(Duration.ofSeconds(10)).until(() -> this.checks.onRedis.get() > 30);
			this.disturbed = true;
			redis.suspend();
			await().atMost(Duration.ofSeconds(10)).until(() -> this.checks.fallbacks.get() > 30);
			redis.resume();
			long onRedis = this.checks.onRedis.get();
			await().atMost(Duration.ofSeconds(20)).until(() -> this.checks.onRedis.get() > onRedis + 30);
		}
		finally {
			callers.stop();
		}
		assertThat(callers.failures).isEmpty();
		assertThat(callers.statuses).containsOnly(200);
		assertThat(Duration.ofNanos(this.checks.slowest.get())).isLessThanOrEqualTo(TIMEOUT.plus(MARGIN));
	}

	@Test
	void eachInstanceEnforcesItsShareOfTheLimitWhileRedisIsDown() throws Exception {
		stopRedis();
		String key = newKey();
		List<Integer> statuses = new ArrayList<>();
		HttpResponse<String> last = null;
		for (int i = 0; i < 4; i++) {
			last = send("POST", "/api/generate", key);
			statuses.add(last.statusCode());
		}
		// 4/1h shared by two instances: 2 here
		assertThat(statuses).containsExactly(200, 200, 429, 429);
		assertThat(header(last, "X-RateLimit-Limit")).isEqualTo("2");
		assertThat(Long.parseLong(header(last, "Retry-After"))).isPositive();
		assertThat(this.checks.fallbacks.get()).isEqualTo(4);
	}

	@Test
	void deniedCallerMakesNoRedisCallUntilRetryAfter() throws Exception {
		String key = newKey();
		for (int i = 0; i < 4; i++) {
			assertThat(send("POST", "/api/generate", key).statusCode()).isEqualTo(200);
		}
		HttpResponse<String> denied = send("POST", "/api/generate", key);
		assertThat(denied.statusCode()).isEqualTo(429);
		long calls = scriptCalls();
		for (int i = 0; i < 5; i++) {
			HttpResponse<String> again = send("POST", "/api/generate", key);
			assertThat(again.statusCode()).isEqualTo(429);
			assertThat(header(again, "X-RateLimit-Remaining")).isEqualTo("0");
			assertThat(Long.parseLong(header(again, "Retry-After"))).isBetween(
					Long.parseLong(header(denied, "Retry-After")) - 1, Long.parseLong(header(denied, "Retry-After")));
		}
		assertThat(scriptCalls()).isEqualTo(calls);
		// another caller still goes to Redis
		assertThat(send("POST", "/api/generate", newKey()).statusCode()).isEqualTo(200);
		assertThat(scriptCalls()).isEqualTo(calls + 1);
	}

	private void stopRedis() {
		this.disturbed = true;
		redis.stop();
	}

	private ResilientRateLimiter resilient() {
		return this.resilient;
	}

	private long scriptCalls() {
		try (RedisConnection connection = this.connectionFactory.getConnection()) {
			Properties stats = connection.serverCommands().info("commandstats");
			return CommandStats.scriptCalls(stats);
		}
	}

	private HttpResponse<String> send(String method, String path, String apiKey)
			throws IOException, InterruptedException {
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path))
			.method(method, HttpRequest.BodyPublishers.noBody())
			.header("X-API-Key", apiKey)
			.build();
		return this.http.send(request, HttpResponse.BodyHandlers.ofString());
	}

	private static String header(HttpResponse<?> response, String name) {
		return response.headers().firstValue(name).orElseThrow(() -> new AssertionError("no header " + name));
	}

	private static String newKey() {
		return "key-" + UUID.randomUUID();
	}

	/**
	 * HTTP clients that call back to back, each with its own API key, recording every
	 * status.
	 */
	private final class Callers {

		private final AtomicBoolean running = new AtomicBoolean(true);

		private final Set<Integer> statuses = ConcurrentHashMap.newKeySet();

		private final List<Throwable> failures = new CopyOnWriteArrayList<>();

		private final List<Thread> threads = new ArrayList<>();

		Callers(int count) {
			for (int i = 0; i < count; i++) {
				String key = newKey();
				Thread thread = new Thread(() -> {
					while (this.running.get()) {
						try {
							this.statuses.add(send("GET", "/api/ping", key).statusCode());
						}
						catch (Exception ex) {
							this.failures.add(ex);
						}
					}
				}, "caller-" + i);
				thread.start();
				this.threads.add(thread);
			}
		}

		void stop() throws InterruptedException {
			this.running.set(false);
			for (Thread thread : this.threads) {
				thread.join(10_000);
			}
		}

	}

	/**
	 * Records every decision the filter reports, and the slowest check.
	 */
	static final class Checks implements RateLimitListener {

		private final AtomicLong onRedis = new AtomicLong();

		private final AtomicLong fallbacks = new AtomicLong();

		private final AtomicLong slowest = new AtomicLong();

		@Override
		public void onDecision(HttpServletRequest request, ResolvedRequest resolved, Decision decision,
				long checkNanos) {
			(decision.isFallback() ? this.fallbacks : this.onRedis).incrementAndGet();
			this.slowest.accumulateAndGet(checkNanos, Math::max);
		}

		void clear() {
			this.onRedis.set(0);
			this.fallbacks.set(0);
			this.slowest.set(0);
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import(TestApiController.class)
	static class TestApplication {

		@Bean
		Checks checks() {
			return new Checks();
		}

	}

}
