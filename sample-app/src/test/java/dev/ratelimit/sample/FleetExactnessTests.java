package dev.ratelimit.sample;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.ratelimit.resilience.ResilientRateLimiter;
import dev.ratelimit.test.RedisServer;
import dev.ratelimit.test.RedisServers;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two instances of the sample on one Redis, with the starter's default settings, under
 * concurrent load on a machine kept busy: every limit admits exactly its number across
 * both instances, on cold instances and on warm ones, and no check is decided by the
 * failure mode while Redis answers.
 *
 * @author rate-limit-spring-boot
 */
class FleetExactnessTests {

	private static final int CLIENTS = 32;

	private static final List<ConfigurableApplicationContext> instances = new ArrayList<>();

	private static final List<Integer> ports = new ArrayList<>();

	private final HttpClient http = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(4)).build();

	@BeforeAll
	static void startInstances() {
		RedisServer redis = RedisServers.shared();
		String prefix = "fleet-" + UUID.randomUUID();
		for (int i = 0; i < 2; i++) {
			ConfigurableApplicationContext context = new SpringApplicationBuilder(SampleApplication.class).run(
					"--server.port=0", "--spring.data.redis.host=" + redis.host(),
					"--spring.data.redis.port=" + redis.port(), "--rate-limit.key-prefix=" + prefix,
					"--spring.main.banner-mode=off", "--logging.level.root=warn");
			instances.add(context);
			ports.add(((WebServerApplicationContext) context).getWebServer().getPort());
		}
	}

	@AfterAll
	static void stopInstances() {
		instances.forEach(ConfigurableApplicationContext::close);
	}

	@Test
	void limitsAreExactAcrossInstancesColdAndWarm() throws Exception {
		try (CpuLoad load = new CpuLoad()) {
			// The first requests these instances see: cold code, one busy machine.
			assertThat(admitted("demo-free-" + UUID.randomUUID(), 100)).isEqualTo(5);
			assertThat(admitted("demo-pro-" + UUID.randomUUID(), 200)).isEqualTo(50);
		}
		assertThat(admitted("demo-enterprise-" + UUID.randomUUID(), 2_200)).isEqualTo(2_200);
		try (CpuLoad load = new CpuLoad()) {
			for (int round = 0; round < 3; round++) {
				assertThat(admitted("demo-free-" + UUID.randomUUID(), 100)).isEqualTo(5);
				assertThat(admitted("demo-pro-" + UUID.randomUUID(), 200)).isEqualTo(50);
			}
		}
		assertNoCheckFellBack();
	}

	/**
	 * Send {@code requests} generations for one caller from {@link #CLIENTS} concurrent
	 * clients, alternating between the instances.
	 * @return how many were admitted
	 */
	private int admitted(String key, int requests) throws Exception {
		ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
		try {
			List<Future<Integer>> statuses = new ArrayList<>();
			for (int i = 0; i < requests; i++) {
				int port = ports.get(i % ports.size());
				statuses.add(clients.submit(() -> generate(port, key)));
			}
			int admitted = 0;
			for (Future<Integer> status : statuses) {
				int code = status.get(60, TimeUnit.SECONDS);
				assertThat(code).isIn(200, 429);
				admitted += (code == 200) ? 1 : 0;
			}
			return admitted;
		}
		finally {
			clients.shutdownNow();
		}
	}

	private int generate(int port, String key) throws Exception {
		HttpRequest request = HttpRequest
			.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v2/generation/generate"))
			.header("X-API-Key", key)
			.timeout(Duration.ofSeconds(30))
			.POST(HttpRequest.BodyPublishers.noBody())
			.build();
		return this.http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
	}

	private static void assertNoCheckFellBack() {
		for (ConfigurableApplicationContext context : instances) {
			ResilientRateLimiter resilient = context.getBean(ResilientRateLimiter.class);
			assertThat(resilient).isNotNull();
			CircuitBreaker.Metrics metrics = resilient.getCircuitBreaker().getMetrics();
			assertThat(resilient.getCircuitBreaker().getState()).isEqualTo(CircuitBreaker.State.CLOSED);
			assertThat(metrics.getNumberOfFailedCalls()).isZero();
			assertThat(metrics.getNumberOfNotPermittedCalls()).isZero();
		}
	}

	/**
	 * Threads that keep every core busy, so that the instances compete for the CPU as on
	 * a loaded machine.
	 */
	private static final class CpuLoad implements AutoCloseable {

		private final AtomicBoolean running = new AtomicBoolean(true);

		private final List<Thread> threads = new ArrayList<>();

		CpuLoad() {
			for (int i = 0; i < Runtime.getRuntime().availableProcessors(); i++) {
				Thread thread = new Thread(this::spin, "cpu-load-" + i);
				thread.setDaemon(true);
				thread.start();
				this.threads.add(thread);
			}
		}

		private void spin() {
			long x = 0;
			while (this.running.get()) {
				x += System.nanoTime() % 7;
			}
			if (x == 42) {
				System.out.println();
			}
		}

		@Override
		public void close() throws InterruptedException {
			this.running.set(false);
			for (Thread thread : this.threads) {
				thread.join();
			}
		}

	}

}
