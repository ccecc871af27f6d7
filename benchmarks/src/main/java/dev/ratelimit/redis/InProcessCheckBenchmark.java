package dev.ratelimit.redis;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.ratelimit.actuate.RateLimitMetrics;
import dev.ratelimit.actuate.RateLimitTraffic;
import dev.ratelimit.core.Decision;
import dev.ratelimit.core.LimitSpec;
import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.local.InMemoryRateLimiter;
import dev.ratelimit.policy.KeyType;
import dev.ratelimit.policy.RateLimitPolicy;
import dev.ratelimit.resilience.BackendCallExecutor;
import dev.ratelimit.resilience.FailureMode;
import dev.ratelimit.resilience.OverLimitCachingRateLimiter;
import dev.ratelimit.resilience.ResilientRateLimiter;
import dev.ratelimit.web.AnnotatedOperations;
import dev.ratelimit.web.ClientAddressResolver;
import dev.ratelimit.web.DefaultIdentityResolver;
import dev.ratelimit.web.ProblemDetailRateLimitProblemWriter;
import dev.ratelimit.web.RateLimitFilter;
import dev.ratelimit.web.RateLimitHeaderWriter;
import dev.ratelimit.web.RateLimitListener;
import dev.ratelimit.web.RateLimited;
import dev.ratelimit.web.RequestPolicyResolver;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.servlet.FilterChain;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.mock.web.MockServletContext;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.support.StaticWebApplicationContext;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import org.springframework.web.util.pattern.PathPatternParser;

/**
 * The in-process cost of one allowed request: everything the rate limit filter does but
 * the Redis round trip. One {@code GET /api/ping} through the {@link RateLimitFilter} as
 * the auto-configuration builds it (the policy of the sample application with the
 * business tier raised so that every check is allowed; an {@code @RateLimited} controller
 * method elsewhere, so that the annotation look-up is on the path; the API key header;
 * the over-limit cache, the resilient limiter, the Redis limiter; request metrics and the
 * traffic recorder), with the Redis command replaced by a canned script reply: the keys
 * and arguments are still built and encoded and the reply is still read.
 * <p>
 * In this package because the reply is canned at the limiter's asynchronous script call,
 * which is not public. Run with {@code benchmarks/run-jmh.sh}.
 *
 * @author rate-limit-spring-boot
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 10, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgs = { "-Xms512m", "-Xmx512m", "-XX:+UseG1GC" })
public class InProcessCheckBenchmark {

	private static final int CALLERS = 1000;

	private static final FilterChain CHAIN = (request, response) -> {
	};

	private RateLimitFilter filter;

	private RateLimitFilter filterWithoutListeners;

	private ResilientRateLimiter resilient;

	private MockHttpServletRequest[] requests;

	private final MockHttpServletResponse response = new MockHttpServletResponse();

	private int next;

	@Setup(Level.Trial)
	public void setUp() throws Exception {
		RateLimitPolicy policy = policy();
		AnnotatedOperations annotated = annotatedOperations(policy);
		ClientAddressResolver addresses = new ClientAddressResolver(List.of(), "X-Forwarded-For");
		RequestPolicyResolver resolver = new RequestPolicyResolver(policy, annotated,
				new DefaultIdentityResolver("X-API-Key", addresses), (request, identity) -> "business", addresses);
		RedisRateLimiter redis = new RedisRateLimiter(new StringRedisTemplate(), new CannedReply(), "rate-limit", null);
		this.resilient = new ResilientRateLimiter(redis, FailureMode.LOCAL, new InMemoryRateLimiter(), 1,
				CircuitBreaker.ofDefaults("ratelimit"), BackendCallExecutor.create(64), Duration.ofMillis(500));
		RateLimiter limiter = new OverLimitCachingRateLimiter(this.resilient);
		RateLimitHeaderWriter headers = new RateLimitHeaderWriter(true, false);
		ProblemDetailRateLimitProblemWriter problems = new ProblemDetailRateLimitProblemWriter(
				URI.create("about:blank"), JsonMapper.shared());
		List<RateLimitListener> listeners = List.of(new RateLimitMetrics(new SimpleMeterRegistry(), 0.2),
				new RateLimitTraffic(Clock.systemUTC(), Duration.ofMinutes(5), 100));
		this.filter = new RateLimitFilter(resolver, limiter, headers, problems, listeners);
		this.filterWithoutListeners = new RateLimitFilter(resolver, limiter, headers, problems);
		this.requests = new MockHttpServletRequest[CALLERS];
		for (int i = 0; i < CALLERS; i++) {
			MockHttpServletRequest request = new MockHttpServletRequest("GET", "/api/ping");
			request.addHeader("X-API-Key", "demo-business-bench-key-" + (i + 1));
			this.requests[i] = request;
		}
		// Measure what is meant: an allowed check of the business tier's api_requests
		// limit.
		request(this.filter);
		if (!"1000000000".equals(this.response.getHeader("X-RateLimit-Limit")) || this.response.getStatus() != 200) {
			throw new IllegalStateException("Not an allowed business check: " + this.response.getStatus() + " "
					+ this.response.getHeader("X-RateLimit-Limit"));
		}
	}

	@TearDown(Level.Trial)
	public void tearDown() {
		this.resilient.close();
	}

	/**
	 * One allowed request of one of 1,000 callers, as the auto-configuration builds the
	 * filter.
	 */
	@Benchmark
	public MockHttpServletResponse allowedRequest() throws Exception {
		return request(this.filter);
	}

	/**
	 * The same without the metrics and the traffic recorder.
	 */
	@Benchmark
	public MockHttpServletResponse allowedRequestWithoutListeners() throws Exception {
		return request(this.filterWithoutListeners);
	}

	private MockHttpServletResponse request(RateLimitFilter filter) throws Exception {
		MockHttpServletRequest request = this.requests[this.next];
		this.next = (this.next + 1 == CALLERS) ? 0 : this.next + 1;
		this.response.reset();
		filter.doFilter(request, this.response, CHAIN);
		return this.response;
	}

	/**
	 * The sample application's rules, its business tier raised so that every check is
	 * allowed (as {@code compare-project.sh} runs it).
	 */
	private static RateLimitPolicy policy() {
		PathPatternParser paths = PathPatternParser.defaultInstance;
		Duration hour = Duration.ofHours(1);
		return RateLimitPolicy.builder()
			.operation("file_operations", KeyType.IDENTITY, 1, List.of())
			.operation("auth_operations", KeyType.IP, 1, List.of(LimitSpec.of(5, Duration.ofMinutes(1))))
			.tier("free", false, null,
					Map.of("ai_generation", List.of(LimitSpec.of(5, hour), LimitSpec.of(20, Duration.ofDays(1))),
							"file_operations", List.of(LimitSpec.of(100, hour)), "api_requests",
							List.of(LimitSpec.of(1000, hour))))
			.tier("business", false, null,
					Map.of("ai_generation", List.of(LimitSpec.of(200, hour), LimitSpec.of(2000, Duration.ofDays(1))),
							"file_operations", List.of(LimitSpec.of(5000, hour)), "api_requests",
							List.of(LimitSpec.of(1_000_000_000, hour))))
			.endpointRule("GET", paths.parse("/generations/{id}/files"), "file_operations")
			.endpointRule("GET", paths.parse("/generations/{id}/download"), "file_operations")
			.endpointRule("POST", paths.parse("/auth/login"), "auth_operations")
			.exclude(paths.parse("/actuator/**"))
			.exclude(paths.parse("/error"))
			.build();
	}

	private static AnnotatedOperations annotatedOperations(RateLimitPolicy policy) {
		StaticWebApplicationContext context = new StaticWebApplicationContext();
		context.setServletContext(new MockServletContext());
		context.registerSingleton("generationController", GenerationController.class);
		context.registerSingleton("pingController", PingController.class);
		context.refresh();
		RequestMappingHandlerMapping mapping = new RequestMappingHandlerMapping();
		mapping.setApplicationContext(context);
		mapping.afterPropertiesSet();
		DefaultListableBeanFactory beanFactory = new DefaultListableBeanFactory();
		beanFactory.registerSingleton("requestMappingHandlerMapping", mapping);
		AnnotatedOperations operations = new AnnotatedOperations(policy,
				beanFactory.getBeanProvider(RequestMappingHandlerMapping.class));
		operations.afterSingletonsInstantiated();
		return operations;
	}

	/**
	 * What Redis would answer for an allowed check, without asking it; the keys and
	 * arguments are built and encoded as for Lettuce.
	 */
	static final class CannedReply implements AsyncScriptCall {

		@Override
		public CompletableFuture<Decision> run(ScriptCall call) {
			byte[][] keys = call.encodedKeys();
			byte[][] args = call.encodedArgs();
			List<Long> reply = new ArrayList<>(1 + 4 * keys.length);
			reply.add(1L);
			for (int i = 0; i < keys.length; i++) {
				reply.add(1L);
				reply.add(999_999_999L);
				reply.add(3_600_000_000L - args.length);
				reply.add(0L);
			}
			return CompletableFuture.completedFuture(call.toDecision(reply));
		}

	}

	@RestController
	static class GenerationController {

		@PostMapping("/api/v2/generation/generate")
		@RateLimited(operation = "ai_generation")
		Map<String, Object> generate() {
			return Map.of();
		}

		@GetMapping("/generations/{id}/files")
		Map<String, Object> files() {
			return Map.of();
		}

	}

	@RestController
	static class PingController {

		@GetMapping("/api/ping")
		Map<String, Object> ping() {
			return Map.of("pong", true);
		}

	}

}
