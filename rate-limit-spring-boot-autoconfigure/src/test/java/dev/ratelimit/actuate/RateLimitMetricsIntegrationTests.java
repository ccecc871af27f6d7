package dev.ratelimit.actuate;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.UUID;

import dev.ratelimit.test.LocalHttp;
import dev.ratelimit.test.context.SharedRedis;
import dev.ratelimit.testfixtures.HeaderTierResolver;
import dev.ratelimit.testfixtures.TestApiController;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The metrics of requests over real HTTP against a real Redis.
 */
@SpringBootTest(classes = RateLimitMetricsIntegrationTests.TestApplication.class,
		webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "rate-limit.identity.api-key-header=X-API-Key",
				"rate-limit.tiers.free.limits.ai_generation=3/1h", "rate-limit.tiers.free.limits.api_requests=1000/1h",
				"rate-limit.tiers.enterprise.unlimited=true",
				// Long enough that a cold first call on a busy machine is not decided by
				// the fallback
				"rate-limit.redis.timeout=5s", "management.endpoints.web.exposure.include=health,prometheus",
				"rate-limit.key-prefix=metrics-${random.uuid}" })
@SharedRedis
class RateLimitMetricsIntegrationTests {

	@LocalServerPort
	private int port;

	@Autowired
	private MeterRegistry registry;

	@Test
	void countsAKnownSequenceOfRequests() throws Exception {
		Snapshot before = new Snapshot();
		Map<String, String> caller = Map.of("X-API-Key", "key-" + UUID.randomUUID());
		for (int i = 0; i < 5; i++) {
			// 3/1h: three allowed (the third leaves nothing: near the limit), two denied
			assertThat(send("POST", "/api/generate", caller).statusCode()).isEqualTo((i < 3) ? 200 : 429);
		}
		assertThat(send("POST", "/api/generate", Map.of("X-Test-Tier", "enterprise")).statusCode()).isEqualTo(200);
		assertThat(send("GET", "/actuator/health", Map.of()).statusCode()).isEqualTo(200);
		Snapshot after = new Snapshot();
		assertThat(after.allowed - before.allowed).isEqualTo(3);
		assertThat(after.denied - before.denied).isEqualTo(2);
		assertThat(after.fallback - before.fallback).isZero();
		assertThat(after.nearLimit - before.nearLimit).isEqualTo(1);
		assertThat(after.unlimited - before.unlimited).isEqualTo(1);
		assertThat(after.excluded - before.excluded).isEqualTo(1);
		// The unlimited request made no limiter call, so it is not timed.
		assertThat(after.checks - before.checks).isEqualTo(5);
	}

	@Test
	void prometheusExportsTheMetersUnderTheirDocumentedNames() throws Exception {
		Map<String, String> caller = Map.of("X-API-Key", "key-" + UUID.randomUUID());
		send("POST", "/api/generate", caller);
		HttpResponse<String> scrape = send("GET", "/actuator/prometheus", Map.of());
		assertThat(scrape.statusCode()).isEqualTo(200);
		assertThat(scrape.body())
			.contains("ratelimit_requests_total{operation=\"ai_generation\",outcome=\"allowed\",tier=\"free\"}")
			.contains("ratelimit_requests_total{operation=\"none\",outcome=\"excluded\",tier=\"none\"}")
			.contains("ratelimit_near_limit_total{operation=\"ai_generation\",tier=\"free\"}")
			// Boot's meter observation handler adds the error tag to the check's timer.
			.contains("ratelimit_check_seconds_bucket{backend=\"primary\",error=\"none\",le=\"1.0E-4\"}")
			.contains("ratelimit_check_seconds_count{backend=\"primary\",error=\"none\"}")
			.contains("ratelimit_fallback_active ")
			.contains("ratelimit_circuit_breaker_state{state=\"closed\"} 1");
	}

	private HttpResponse<String> send(String method, String path, Map<String, String> headers)
			throws IOException, InterruptedException {
		return LocalHttp.send("localhost", this.port, method, path, headers);
	}

	private final class Snapshot {

		final double allowed = requests("free", "ai_generation", "allowed");

		final double denied = requests("free", "ai_generation", "denied");

		final double fallback = requests("free", "ai_generation", "fallback");

		final double unlimited = requests("enterprise", "ai_generation", "allowed");

		final double excluded = requests("none", "none", "excluded");

		final double nearLimit = count(RateLimitMetricsIntegrationTests.this.registry.find(RateLimitMetrics.NEAR_LIMIT)
			.tags("tier", "free", "operation", "ai_generation")
			.counter());

		final long checks = checks("primary");

		private double requests(String tier, String operation, String outcome) {
			return count(RateLimitMetricsIntegrationTests.this.registry.find(RateLimitMetrics.REQUESTS)
				.tags("tier", tier, "operation", operation, "outcome", outcome)
				.counter());
		}

		private long checks(String backend) {
			Timer timer = RateLimitMetricsIntegrationTests.this.registry.find(RateLimitMetrics.CHECK)
				.tag("backend", backend)
				.timer();
			return (timer != null) ? timer.count() : 0;
		}

		private static double count(Counter counter) {
			return (counter != null) ? counter.count() : 0;
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import({ TestApiController.class, HeaderTierResolver.class })
	static class TestApplication {

	}

}
