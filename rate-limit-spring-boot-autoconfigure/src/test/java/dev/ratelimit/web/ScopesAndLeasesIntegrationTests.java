package dev.ratelimit.web;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.ratelimit.actuate.RateLimitLeaseMetrics;
import dev.ratelimit.autoconfigure.RateLimitProperties;
import dev.ratelimit.core.Decision;
import dev.ratelimit.core.RateLimitRequest;
import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.redis.RedisLeaseRenewal;
import dev.ratelimit.redis.RedisRateLimiter;
import dev.ratelimit.test.LocalHttp;
import dev.ratelimit.testfixtures.HeaderTierResolver;
import io.micrometer.core.instrument.MeterRegistry;
import dev.ratelimit.testfixtures.TestInstances;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestInstance.Lifecycle;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Global limits and concurrency leases over real HTTP, on two instances of an application
 * that share a real Redis: a standalone one
 * ({@link StandaloneScopesAndLeasesIntegrationTests}) and a three-master cluster
 * ({@link ClusterScopesAndLeasesIntegrationTests}).
 */
@TestInstance(Lifecycle.PER_CLASS)
abstract class ScopesAndLeasesIntegrationTests {

	private final String prefix = "scopes-it-" + UUID.randomUUID();

	private static final HttpClient CLIENT = HttpClient.newHttpClient();

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private ConfigurableApplicationContext first;

	private ConfigurableApplicationContext second;

	/**
	 * The properties that point an instance at the Redis under test.
	 * @return the properties
	 */
	protected abstract String[] redisProperties();

	@BeforeAll
	void startInstances() {
		first = startInstance(Application.class);
		second = startInstance(Application.class);
	}

	@AfterAll
	void stopInstances() {
		first.close();
		second.close();
	}

	@Test
	void theGlobalLimitIsExactAcrossTwoInstancesAndManyCallersUnderConcurrentLoad() throws Exception {
		int callers = 12;
		int perCaller = 5;
		ExecutorService executor = Executors.newFixedThreadPool(16);
		try {
			List<Future<HttpResponse<String>>> responses = new ArrayList<>();
			List<String> keys = new ArrayList<>();
			for (int i = 0; i < callers; i++) {
				keys.add(newKey());
			}
			for (int request = 0; request < perCaller; request++) {
				for (int caller = 0; caller < callers; caller++) {
					String key = keys.get(caller);
					ConfigurableApplicationContext instance = ((request + caller) % 2 == 0) ? first : second;
					responses.add(executor.submit(() -> send(instance, "POST", "/api/assistant", key, "free")));
				}
			}
			Map<String, Integer> admittedByCaller = new HashMap<>();
			Map<String, Integer> deniedByScope = new HashMap<>();
			for (int i = 0; i < responses.size(); i++) {
				HttpResponse<String> response = responses.get(i).get(30, TimeUnit.SECONDS);
				String key = keys.get(i % callers);
				if (response.statusCode() == 200) {
					admittedByCaller.merge(key, 1, Integer::sum);
				}
				else {
					assertThat(response.statusCode()).isEqualTo(429);
					deniedByScope.merge(JSON.readTree(response.body()).path("scope").asString(), 1, Integer::sum);
				}
			}
			// 12 callers of 3 each could take 36, the service admits 20 in all: exactly.
			assertThat(admittedByCaller.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(20);
			assertThat(admittedByCaller.values()).allMatch((admitted) -> admitted <= 3);
			assertThat(deniedByScope.keySet()).containsAnyOf("global", "caller").isSubsetOf("global", "caller");
			assertThat(deniedByScope.get("global")).isPositive();
		}
		finally {
			executor.shutdownNow();
		}
	}

	@ParameterizedTest
	@CsvSource({ "free, 1", "pro, 3", "business, 10" })
	void streamsAreAdmittedByPlanAndTheNextAsSoonAsOneEnds(String tier, int streams) throws Exception {
		String key = newKey();
		List<InputStream> open = new ArrayList<>();
		List<String> ids = new ArrayList<>();
		for (int i = 0; i < streams; i++) {
			String id = UUID.randomUUID().toString();
			HttpResponse<InputStream> stream = openStream((i % 2 == 0) ? first : second, id, key, tier);
			assertThat(stream.statusCode()).as("stream %d of %d", i + 1, streams).isEqualTo(200);
			open.add(stream.body());
			ids.add(id);
		}
		HttpResponse<String> denied = send(first, "GET", "/streams/" + UUID.randomUUID(), key, tier);
		assertThat(denied.statusCode()).isEqualTo(429);
		assertThat(Long.parseLong(denied.headers().firstValue("Retry-After").orElseThrow())).isGreaterThanOrEqualTo(1);
		JsonNode problem = JSON.readTree(denied.body());
		assertThat(problem.path("detail").asString()).startsWith("Concurrency limit exceeded")
			.contains("at most " + streams + ((streams == 1) ? " request" : " requests") + " in flight");
		assertThat(problem.path("scope").asString()).isEqualTo("caller");
		// Another caller on the same plan is not affected.
		String otherId = UUID.randomUUID().toString();
		HttpResponse<InputStream> other = openStream(second, otherId, newKey(), tier);
		assertThat(other.statusCode()).isEqualTo(200);
		longRequests(second).end(otherId);
		other.body().readAllBytes();
		// One stream ends: the next is admitted.
		longRequests(first).end(ids.get(0));
		open.get(0).readAllBytes();
		String nextId = UUID.randomUUID().toString();
		await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20)).until(() -> {
			HttpResponse<InputStream> next = openStream(first, nextId, key, tier);
			if (next.statusCode() != 200) {
				next.body().close();
			}
			return next.statusCode() == 200;
		});
		ids.add(nextId);
		for (String id : ids) {
			longRequests(first).end(id);
			longRequests(second).end(id);
		}
	}

	@ParameterizedTest
	@ValueSource(strings = { "body", "deferred", "callable" })
	void anAsynchronousResponseHoldsItsLeaseUntilItIsComplete(String style) throws Exception {
		String key = newKey();
		String id = UUID.randomUUID().toString();
		CompletableFuture<HttpResponse<String>> slow = sendAsync(first, "/slow/" + style + "/" + id, key);
		// Its handler runs: the filter admitted it, and it holds its lease.
		await().atMost(Duration.ofSeconds(5)).until(() -> longRequests(first).started(id));
		assertThat(send(second, "GET", "/slow/" + style + "/" + UUID.randomUUID(), key, "free").statusCode())
			.isEqualTo(429);
		longRequests(first).end(id);
		HttpResponse<String> done = slow.get(10, TimeUnit.SECONDS);
		assertThat(done.statusCode()).isEqualTo(200);
		assertThat(done.body()).contains("done");
		// Released once the response is complete: the caller's next request is admitted.
		String next = UUID.randomUUID().toString();
		longRequests(second).end(next);
		await().atMost(Duration.ofSeconds(5))
			.pollInterval(Duration.ofMillis(20))
			.until(() -> send(second, "GET", "/slow/deferred/" + next, key, "free").statusCode() == 200);
	}

	@Test
	void aFailingHandlerReleasesItsLease() throws Exception {
		String key = newKey();
		// One request in flight at once: each would be denied had the last kept its
		// lease.
		for (int i = 0; i < 3; i++) {
			assertThat(send(first, "POST", "/slow/fails", key, "free").statusCode()).isEqualTo(500);
		}
	}

	@Test
	void aStreamWhoseClientWentAwayReleasesItsLease() throws Exception {
		String key = newKey();
		String id = UUID.randomUUID().toString();
		HttpResponse<InputStream> stream = openStream(first, id, key, "free");
		assertThat(stream.statusCode()).isEqualTo(200);
		stream.body().close();
		// The server notices at its next writes, and the stream's lease is released.
		String nextId = UUID.randomUUID().toString();
		await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20)).until(() -> {
			longRequests(first).send(id);
			HttpResponse<InputStream> next = openStream(second, nextId, key, "free");
			if (next.statusCode() != 200) {
				next.body().close();
			}
			return next.statusCode() == 200;
		});
		longRequests(second).end(nextId);
	}

	@Test
	void theLeaseOfAKilledInstanceIsFreedWithinTheLeaseTimeout() throws Exception {
		ConfigurableApplicationContext doomed = startInstance(DoomedApplication.class);
		String key = newKey();
		String id = UUID.randomUUID().toString();
		HttpResponse<InputStream> stream = openStream(doomed, id, key, "free");
		assertThat(stream.statusCode()).isEqualTo(200);
		HttpResponse<InputStream> denied = openStream(first, UUID.randomUUID().toString(), key, "free");
		assertThat(denied.statusCode()).isEqualTo(429);
		denied.body().close();
		// Killed: no release and no renewal from it ever again.
		long killed = System.nanoTime();
		doomed.getBean(KillSwitch.class).kill();
		doomed.close();
		stream.body().close();
		String nextId = UUID.randomUUID().toString();
		await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50)).until(() -> {
			HttpResponse<InputStream> next = openStream(first, nextId, key, "free");
			next.body().close();
			return next.statusCode() == 200;
		});
		longRequests(first).end(nextId);
		assertThat(Duration.ofNanos(System.nanoTime() - killed)).isLessThan(Duration.ofSeconds(3));
		assertThat(first.getBean(RedisRateLimiter.class).leasesFreedByExpiry()
				+ second.getBean(RedisRateLimiter.class).leasesFreedByExpiry())
			.isPositive();
	}

	@Test
	void operatorsSeeGlobalUsageAndRequestsInFlight() throws Exception {
		String key = newKey();
		assertThat(send(first, "POST", "/api/assistant", newKey(), "free").statusCode()).isIn(200, 429);
		String id = UUID.randomUUID().toString();
		HttpResponse<InputStream> stream = openStream(first, id, key, "pro");
		assertThat(stream.statusCode()).isEqualTo(200);
		HttpResponse<String> endpoint = LocalHttp.send("localhost", TestInstances.port(first), "GET",
				"/actuator/ratelimits", Map.of());
		JsonNode operations = JSON.readTree(endpoint.body()).path("operations");
		JsonNode assistant = operations.path("assistant_query");
		assertThat(assistant.path("global")).hasSize(2);
		assertThat(assistant.path("global").get(0).path("limit").asLong()).isEqualTo(20);
		assertThat(assistant.path("global").get(0).path("used").asLong()).isPositive();
		assertThat(assistant.path("global").get(1).path("algorithm").asString()).isEqualTo("concurrency");
		assertThat(assistant.path("inFlight").asLong()).isZero();
		assertThat(operations.path("generation_stream").path("inFlightHere").asLong()).isPositive();
		MeterRegistry registry = first.getBean(MeterRegistry.class);
		assertThat(registry.get(RateLimitLeaseMetrics.IN_FLIGHT).tag("operation", "generation_stream").gauge().value())
			.isPositive();
		assertThat(registry.get(RateLimitLeaseMetrics.IN_FLIGHT).gauges()).hasSize(3);
		assertThat(registry.get(RateLimitLeaseMetrics.LEASES_EXPIRED).functionCounter()).isNotNull();
		longRequests(first).end(id);
		stream.body().readAllBytes();
	}

	private static LongRequests longRequests(ConfigurableApplicationContext instance) {
		return instance.getBean(LongRequests.class);
	}

	private static HttpResponse<InputStream> openStream(ConfigurableApplicationContext instance, String id, String key,
			String tier) throws IOException, InterruptedException {
		HttpRequest request = HttpRequest.newBuilder(uri(instance, "/streams/" + id))
			.header("X-API-Key", key)
			.header(HeaderTierResolver.HEADER, tier)
			.GET()
			.build();
		return CLIENT.send(request, HttpResponse.BodyHandlers.ofInputStream());
	}

	private static CompletableFuture<HttpResponse<String>> sendAsync(ConfigurableApplicationContext instance,
			String path, String key) {
		HttpRequest request = HttpRequest.newBuilder(uri(instance, path))
			.header("X-API-Key", key)
			.header(HeaderTierResolver.HEADER, "free")
			.GET()
			.build();
		return CLIENT.sendAsync(request, HttpResponse.BodyHandlers.ofString());
	}

	private static HttpResponse<String> send(ConfigurableApplicationContext instance, String method, String path,
			String key, String tier) throws IOException, InterruptedException {
		return LocalHttp.send("localhost", TestInstances.port(instance), method, path,
				Map.of("X-API-Key", key, HeaderTierResolver.HEADER, tier));
	}

	private static URI uri(ConfigurableApplicationContext instance, String path) {
		return URI.create("http://localhost:" + TestInstances.port(instance) + path);
	}

	private static String newKey() {
		return "key-" + UUID.randomUUID();
	}

	private ConfigurableApplicationContext startInstance(Class<?> application) {
		List<String> properties = new ArrayList<>(List.of(redisProperties()));
		// A killed instance waits for nothing.
		properties.add("server.shutdown=immediate");
		properties.addAll(List.of("rate-limit.key-prefix=" + this.prefix, "rate-limit.redis.timeout=5s",
				"rate-limit.identity.api-key-header=X-API-Key", "rate-limit.concurrency.lease-timeout=1s",
				"management.endpoints.web.exposure.include=ratelimits", "spring.mvc.async.request-timeout=60s",
				"rate-limit.operations.assistant_query.match=POST /api/assistant",
				"rate-limit.operations.assistant_query.limits=3/1h",
				"rate-limit.operations.assistant_query.global.limits=20/1h",
				"rate-limit.operations.assistant_query.global.concurrent=100",
				"rate-limit.operations.generation_stream.match=GET /streams/{id}",
				"rate-limit.operations.slow_requests.match=/slow/**",
				"rate-limit.tiers.free.limits.api_requests=1000/1h",
				"rate-limit.tiers.free.concurrent.generation_stream=1",
				"rate-limit.tiers.free.concurrent.slow_requests=1",
				"rate-limit.tiers.pro.concurrent.generation_stream=3",
				"rate-limit.tiers.business.concurrent.generation_stream=10"));
		return TestInstances.start(application, properties.toArray(String[]::new));
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import({ LongRequests.class, AssistantController.class, HeaderTierResolver.class })
	static class Application {

	}

	/**
	 * An instance whose death the test decides: its limiter stops releasing and renewing
	 * leases when killed, as a process that is gone would.
	 */
	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import({ LongRequests.class, HeaderTierResolver.class, KillableLimiter.class })
	static class DoomedApplication {

	}

	@RestController
	static class AssistantController {

		@PostMapping("/api/assistant")
		String query() {
			return "answer";
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class KillableLimiter {

		@Bean
		RedisRateLimiter doomedRedisRateLimiter(RedisConnectionFactory connectionFactory,
				RateLimitProperties properties) {
			return new RedisRateLimiter(connectionFactory, properties.getKeyPrefix());
		}

		@Bean
		RedisLeaseRenewal doomedLeaseRenewal(RedisRateLimiter limiter) {
			return new RedisLeaseRenewal(limiter, Duration.ofSeconds(1));
		}

		@Bean
		@Primary
		KillSwitch killSwitch(RedisRateLimiter limiter, RedisLeaseRenewal renewal) {
			return new KillSwitch(limiter, renewal);
		}

	}

	static final class KillSwitch implements RateLimiter {

		private final RedisRateLimiter limiter;

		private final RedisLeaseRenewal renewal;

		private volatile boolean killed;

		KillSwitch(RedisRateLimiter limiter, RedisLeaseRenewal renewal) {
			this.limiter = limiter;
			this.renewal = renewal;
		}

		void kill() {
			this.killed = true;
			this.renewal.stop();
		}

		@Override
		public Decision check(RateLimitRequest request) {
			return this.limiter.check(request);
		}

		@Override
		public void release(Decision decision) {
			if (!this.killed) {
				this.limiter.release(decision);
			}
		}

	}

}
