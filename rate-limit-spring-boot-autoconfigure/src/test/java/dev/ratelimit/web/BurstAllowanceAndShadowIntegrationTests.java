package dev.ratelimit.web;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.ratelimit.actuate.RateLimitMetrics;
import dev.ratelimit.redis.RedisRateLimiter;
import dev.ratelimit.test.LocalHttp;
import dev.ratelimit.test.MutableClock;
import dev.ratelimit.test.RedisServer;
import dev.ratelimit.test.RedisServers;
import dev.ratelimit.testfixtures.HeaderTierResolver;
import dev.ratelimit.testfixtures.TestApiController;
import dev.ratelimit.testfixtures.TestInstances;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The burst allowance of a tier and the shadow mode of an operation over real HTTP, on
 * two instances of an application that share a real Redis and one injected clock (the
 * check script takes "now" from it). The over-limit cache is off: it counts how long a
 * denial holds by the real (monotonic) time, which the injected clock does not move.
 */
class BurstAllowanceAndShadowIntegrationTests {

	private static final String PREFIX = "burst-it-" + UUID.randomUUID();

	private static final MutableClock CLOCK = MutableClock.startingAtMidnight();

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
	void theFreeTierAdmitsExactlyItsLimitAndTwoMoreFromItsBurstAllowanceAcrossTwoInstances() throws Exception {
		String alice = newKey();
		List<HttpResponse<String>> responses = concurrently(8, "/api/generate", alice, "free");
		List<HttpResponse<String>> admitted = responses.stream().filter((r) -> r.statusCode() == 200).toList();
		List<HttpResponse<String>> denied = responses.stream().filter((r) -> r.statusCode() == 429).toList();
		assertThat(admitted).hasSize(7);
		assertThat(denied).hasSize(1);
		List<HttpResponse<String>> burst = admitted.stream()
			.filter((r) -> r.headers().firstValue("X-RateLimit-Burst-Used").isPresent())
			.toList();
		assertThat(burst).hasSize(2).allSatisfy((response) -> {
			assertThat(response.headers().firstValue("X-RateLimit-Burst-Used")).hasValue("true");
			assertThat(response.headers().firstValue("X-RateLimit-Burst-Limit")).hasValue("2");
			// the exhausted hourly limit
			assertThat(response.headers().firstValue("X-RateLimit-Limit")).hasValue("5");
			assertThat(response.headers().firstValue("X-RateLimit-Remaining")).hasValue("0");
			assertThat(response.headers().firstValue("Retry-After")).isEmpty();
		});
		assertThat(admitted).filteredOn((r) -> !burst.contains(r))
			.allSatisfy((r) -> assertThat(r.headers().firstValue("X-RateLimit-Burst-Limit")).isEmpty());
		assertThat(denied.get(0).headers().firstValue("X-RateLimit-Burst-Used")).isEmpty();
		assertThat(burstUsed(first) + burstUsed(second)).isGreaterThanOrEqualTo(2);
	}

	@Test
	void theBurstAllowanceRefillsAfterItsWindow() throws Exception {
		String bob = newKey();
		for (int i = 0; i < 7; i++) {
			assertThat(send((i % 2 == 0) ? first : second, "/api/generate", bob, "free").statusCode())
				.as("request %d", i + 1)
				.isEqualTo(200);
		}
		HttpResponse<String> denied = send(first, "/api/generate", bob, "free");
		assertThat(denied.statusCode()).isEqualTo(429);
		// The allowance refills at the end of its five minutes, before the hour's limit.
		assertThat(Long.parseLong(denied.headers().firstValue("Retry-After").orElseThrow())).isLessThanOrEqualTo(300);
		CLOCK.advance(Duration.ofMinutes(5));
		HttpResponse<String> refilled = send(second, "/api/generate", bob, "free");
		assertThat(refilled.statusCode()).isEqualTo(200);
		assertThat(refilled.headers().firstValue("X-RateLimit-Burst-Used")).hasValue("true");
		assertThat(send(first, "/api/generate", bob, "free").statusCode()).isEqualTo(200);
		assertThat(send(second, "/api/generate", bob, "free").statusCode()).isEqualTo(429);
	}

	@Test
	void aShadowOperationAdmitsEveryRequestAndCountsTheOnesItsLimitWouldHaveDenied() throws Exception {
		double allowedBefore = requests(first, "allowed") + requests(second, "allowed");
		double shadowedBefore = requests(first, "shadowed") + requests(second, "shadowed");
		List<HttpResponse<String>> responses = concurrently(10, "/api/shadowed", newKey(), "pro");
		assertThat(responses).allSatisfy((response) -> assertThat(response.statusCode()).isEqualTo(200));
		assertThat(requests(first, "allowed") + requests(second, "allowed") - allowedBefore).isEqualTo(3);
		assertThat(requests(first, "shadowed") + requests(second, "shadowed") - shadowedBefore).isEqualTo(7);
		assertThat(requests(first, "denied") + requests(second, "denied")).isZero();
		// The shadowed ones get the real headers, and are not told to retry.
		List<HttpResponse<String>> exhausted = responses.stream()
			.filter((r) -> r.headers().firstValue("X-RateLimit-Remaining").orElseThrow().equals("0"))
			.toList();
		assertThat(exhausted).hasSizeGreaterThanOrEqualTo(7);
		assertThat(responses).allSatisfy((r) -> assertThat(r.headers().firstValue("Retry-After")).isEmpty());
	}

	private static List<HttpResponse<String>> concurrently(int count, String path, String key, String tier)
			throws Exception {
		ExecutorService executor = Executors.newFixedThreadPool(count);
		CountDownLatch start = new CountDownLatch(1);
		try {
			List<Future<HttpResponse<String>>> futures = new ArrayList<>();
			for (int i = 0; i < count; i++) {
				ConfigurableApplicationContext instance = (i % 2 == 0) ? first : second;
				futures.add(executor.submit(() -> {
					start.await();
					return send(instance, path, key, tier);
				}));
			}
			start.countDown();
			List<HttpResponse<String>> responses = new ArrayList<>();
			for (Future<HttpResponse<String>> future : futures) {
				responses.add(future.get(30, TimeUnit.SECONDS));
			}
			return responses;
		}
		finally {
			executor.shutdownNow();
		}
	}

	private static double requests(ConfigurableApplicationContext instance, String outcome) {
		Counter counter = instance.getBean(MeterRegistry.class)
			.find(RateLimitMetrics.REQUESTS)
			.tags("tier", "pro", "operation", "shadowed_generation", "outcome", outcome)
			.counter();
		return (counter != null) ? counter.count() : 0;
	}

	private static double burstUsed(ConfigurableApplicationContext instance) {
		Counter counter = instance.getBean(MeterRegistry.class)
			.find(RateLimitMetrics.BURST_USED)
			.tags("tier", "free", "operation", "ai_generation")
			.counter();
		return (counter != null) ? counter.count() : 0;
	}

	private static HttpResponse<String> send(ConfigurableApplicationContext instance, String path, String key,
			String tier) throws IOException, InterruptedException {
		return LocalHttp.send("localhost", TestInstances.port(instance), "POST", path,
				Map.of("X-API-Key", key, HeaderTierResolver.HEADER, tier));
	}

	private static String newKey() {
		return "key-" + UUID.randomUUID();
	}

	private static ConfigurableApplicationContext startInstance() {
		RedisServer redis = RedisServers.shared();
		return TestInstances.start(Application.class, "server.shutdown=immediate",
				"spring.data.redis.host=" + redis.host(), "spring.data.redis.port=" + redis.port(),
				"rate-limit.key-prefix=" + PREFIX, "rate-limit.redis.timeout=5s",
				"rate-limit.over-limit-cache.enabled=false", "rate-limit.identity.api-key-header=X-API-Key",
				"rate-limit.tiers.free.limits.ai_generation=5/1h", "rate-limit.tiers.free.burst-allowance=2/5m",
				"rate-limit.tiers.pro.limits.api_requests=1000/1h",
				"rate-limit.operations.shadowed_generation.match=/api/shadowed",
				"rate-limit.operations.shadowed_generation.limits=3/1h",
				"rate-limit.operations.shadowed_generation.shadow=true");
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import({ TestApiController.class, HeaderTierResolver.class, ShadowedController.class })
	static class Application {

		@Bean
		RedisRateLimiter rateLimiter(RedisConnectionFactory connectionFactory) {
			return new RedisRateLimiter(connectionFactory, PREFIX, CLOCK);
		}

	}

	@RestController
	static class ShadowedController {

		@PostMapping("/api/shadowed")
		String generate() {
			return "generated";
		}

	}

}
