package dev.ratelimit.resilience;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.AsyncRateLimiter;
import dev.ratelimit.core.Decision;
import dev.ratelimit.core.LimitSpec;
import dev.ratelimit.core.RateLimitRequest;
import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.local.InMemoryRateLimiter;
import dev.ratelimit.redis.RedisRateLimiter;
import dev.ratelimit.test.CommandStats;
import dev.ratelimit.test.EmbeddedRedisServer;
import dev.ratelimit.test.context.LettuceConnectionFactories;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;
import io.github.resilience4j.core.EventProcessor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.data.redis.connection.RedisConnectionCommands;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatRuntimeException;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link ResilientRateLimiter} around a {@link RedisRateLimiter} on a real
 * redis-server of its own, which the tests stop, restart and freeze.
 *
 * @author rate-limit-spring-boot
 */
@ExtendWith(OutputCaptureExtension.class)
class ResilientRateLimiterTests {

	private static final Duration TIMEOUT = Duration.ofMillis(100);

	/**
	 * How far a check may overrun the timeout: scheduling on a busy machine, and the
	 * first use of the fallback path loading its classes. Far below Lettuce's own command
	 * timeout.
	 */
	private static final Duration MARGIN = Duration.ofMillis(250);

	private static final Duration OPEN_WAIT = Duration.ofMillis(300);

	private static EmbeddedRedisServer server;

	private static LettuceConnectionFactory connectionFactory;

	private static StringRedisTemplate redis;

	private final List<ResilientRateLimiter> limiters = new ArrayList<>();

	private final String prefix = "rl-test-" + UUID.randomUUID();

	private boolean disturbed;

	@BeforeAll
	static void startRedis() {
		server = new EmbeddedRedisServer();
		// Lettuce's own command timeout is far longer than the limiter's, as with Boot's
		// defaults.
		connectionFactory = LettuceConnectionFactories.started(server, Duration.ofSeconds(5));
		redis = new StringRedisTemplate(connectionFactory);
	}

	@AfterAll
	static void closeRedis() {
		connectionFactory.destroy();
		server.close();
	}

	@BeforeEach
	void awaitRedis() {
		// After a test stopped or froze the server, Lettuce reconnects on its own
		// schedule.
		await().atMost(Duration.ofSeconds(15)).ignoreExceptions().until(() -> "PONG".equals(ping()));
	}

	@AfterEach
	void restoreRedis() {
		this.limiters.forEach(ResilientRateLimiter::close);
		if (this.disturbed) {
			// stop() also ends a frozen server
			server.stop();
			server.start();
		}
	}

	@Test
	void stoppedRedisIsReplacedByEachInstancesShareOfTheLimitInLocalMode() {
		ResilientRateLimiter limiter = limiter(FailureMode.LOCAL, 2, breaker(OPEN_WAIT));
		awaitOnRedis(limiter);
		stopRedis();
		RateLimitRequest request = request("u:" + UUID.randomUUID(), 10);
		List<Decision> decisions = new ArrayList<>();
		for (int i = 0; i < 8; i++) {
			decisions.add(timed(() -> limiter.check(request)));
		}
		assertThat(decisions).allMatch(Decision::isFallback);
		assertThat(decisions).extracting(Decision::isAllowed)
			.containsExactly(true, true, true, true, true, false, false, false);
		assertThat(decisions.get(7).binding().limit().limit()).isEqualTo(5);
		assertThat(decisions.get(7).retryAfter()).isPositive();
		assertThat(limiter.getCircuitBreaker().getState()).isEqualTo(CircuitBreaker.State.OPEN);
		assertThat(limiter.isOnFallback()).isTrue();
	}

	@Test
	void whileRedisIsDownLocalModeHoldsEachInstancesShareOfTheLeasesLocallyAndReleasesThemThere() {
		ResilientRateLimiter limiter = limiter(FailureMode.LOCAL, 2, breaker(OPEN_WAIT));
		awaitOnRedis(limiter);
		String caller = "u:" + UUID.randomUUID();
		RateLimitRequest streams = new RateLimitRequest(caller, "streams",
				List.of(LimitSpec.concurrency(4, Duration.ofSeconds(30))), 1);
		Decision onRedis = limiter.check(streams);
		assertThat(onRedis.isFallback()).isFalse();
		assertThat(onRedis.leases()).hasSize(1);
		stopRedis();
		// A release while Redis is down is dropped without failing: the lease expires by
		// itself.
		limiter.release(onRedis);
		Decision first = timed(() -> limiter.check(streams));
		Decision second = timed(() -> limiter.check(streams));
		assertThat(first.isFallback()).isTrue();
		assertThat(first.leases()).hasSize(1);
		assertThat(second.isAllowed()).isTrue();
		// Two instances share the limit of 4: this one holds 2 while on the fallback.
		Decision third = timed(() -> limiter.check(streams));
		assertThat(third.isAllowed()).isFalse();
		assertThat(third.isConcurrencyDenied()).isTrue();
		limiter.release(first);
		assertThat(timed(() -> limiter.check(streams)).isAllowed()).isTrue();
	}

	@Test
	void allowModeAdmitsLeasedRequestsWithoutLeasesWhileRedisIsDown() {
		ResilientRateLimiter limiter = limiter(FailureMode.ALLOW, 1, breaker(OPEN_WAIT));
		awaitOnRedis(limiter);
		stopRedis();
		Decision decision = timed(() -> limiter.check(new RateLimitRequest("u:" + UUID.randomUUID(), "streams",
				List.of(LimitSpec.concurrency(1, Duration.ofSeconds(30))), 1)));
		assertThat(decision.isAllowed()).isTrue();
		assertThat(decision.leases()).isEmpty();
		limiter.release(decision);
	}

	@Test
	void checksRunningWhileRedisStopsNeitherFailNorWaitBeyondTheTimeoutAndReturnToRedisByThemselves() throws Exception {
		ResilientRateLimiter limiter = limiter(FailureMode.LOCAL, 1, breaker(OPEN_WAIT));
		Load load = new Load(limiter, 4);
		try {
			await().atMost(Duration.ofSeconds(5)).until(() -> load.onRedis.get() > 50);
			stopRedis();
			await().atMost(Duration.ofSeconds(5)).until(() -> load.fallbacks.get() > 50);
			server.start();
			long started = System.nanoTime();
			long onRedis = load.onRedis.get();
			await().atMost(Duration.ofSeconds(20)).until(() -> load.onRedis.get() > onRedis + 50);
			System.out.printf("Back on Redis %d ms after it started again%n",
					TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
		}
		finally {
			load.stop();
		}
		assertThat(load.failures).isEmpty();
		assertThat(Duration.ofNanos(load.slowest.get())).isLessThanOrEqualTo(TIMEOUT.plus(MARGIN));
		assertThat(limiter.isOnFallback()).isFalse();
	}

	@Test
	void frozenRedisIsHandledLikeAStoppedOne() {
		ResilientRateLimiter limiter = limiter(FailureMode.LOCAL, 1, breaker(OPEN_WAIT));
		awaitOnRedis(limiter);
		this.disturbed = true;
		server.suspend();
		RateLimitRequest request = request("u:" + UUID.randomUUID(), 3);
		List<Decision> decisions = new ArrayList<>();
		for (int i = 0; i < 4; i++) {
			decisions.add(timed(() -> limiter.check(request)));
		}
		assertThat(decisions).allMatch(Decision::isFallback);
		assertThat(decisions).extracting(Decision::isAllowed).containsExactly(true, true, true, false);
		assertThat(limiter.getCircuitBreaker().getState()).isEqualTo(CircuitBreaker.State.OPEN);
		server.resume();
		await().atMost(Duration.ofSeconds(10))
			.pollInterval(Duration.ofMillis(50))
			.until(() -> !timed(() -> limiter.check(request("u:probe", 1_000_000))).isFallback());
	}

	@Test
	void aStallOpensTheBreakerAtOnceAndItsCallIsCancelledSoAFrozenRedisDoesNotHoldTheThreads() {
		// A breaker whose failure rate could never open it, and one thread: the stall
		// opens it, and the thread is free again for the probes.
		CircuitBreaker breaker = CircuitBreaker.of("test",
				CircuitBreakerConfig.custom()
					.slidingWindow(100, 100, SlidingWindowType.COUNT_BASED)
					.waitDurationInOpenState(OPEN_WAIT)
					.build());
		ThreadPoolExecutor executor = (ThreadPoolExecutor) BackendCallExecutor.create(1);
		ResilientRateLimiter limiter = limiter(FailureMode.ALLOW, 1, breaker, executor);
		awaitOnRedis(limiter);
		this.disturbed = true;
		server.suspend();
		for (int i = 0; i < 5; i++) {
			assertThat(timed(() -> limiter.check(request("u:frozen", 10))).isFallback()).isTrue();
		}
		assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);
		assertThat(breaker.getMetrics().getNumberOfFailedCalls()).isEqualTo(1);
		await().atMost(Duration.ofSeconds(5)).until(() -> executor.getActiveCount() == 0);
	}

	@Test
	void withTheDefaultTimeoutAFrozenRedisIsLeftWithinASecondAndNoCheckWaitsBeyondTheTimeoutAnd250ms()
			throws Exception {
		Duration timeout = Duration.ofMillis(750);
		ResilientRateLimiter limiter = limiter(FailureMode.LOCAL, breaker(OPEN_WAIT), BackendCallExecutor.create(1),
				asyncRedis(), timeout);
		awaitOnRedis(limiter);
		Load load = new Load(limiter, 4);
		try {
			await().atMost(Duration.ofSeconds(5)).until(() -> load.onRedis.get() > 50);
			this.disturbed = true;
			server.suspend();
			long frozenAt = System.nanoTime();
			await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(5)).until(limiter::isOnFallback);
			Duration left = Duration.ofNanos(System.nanoTime() - frozenAt);
			await().atMost(Duration.ofSeconds(5)).until(() -> load.fallbacks.get() > 50);
			server.resume();
			long onRedis = load.onRedis.get();
			await().atMost(Duration.ofSeconds(20)).until(() -> load.onRedis.get() > onRedis + 50);
			assertThat(left).isLessThanOrEqualTo(timeout.plus(MARGIN));
		}
		finally {
			load.stop();
		}
		assertThat(load.failures).isEmpty();
		assertThat(Duration.ofNanos(load.slowest.get())).isLessThanOrEqualTo(timeout.plus(MARGIN));
		assertThat(limiter.isOnFallback()).isFalse();
	}

	@Test
	void aLostConnectionFallsBackAtOnceWithoutWaitingForTheTimeout() {
		// A timeout no check should come near: a broken connection must not wait for it.
		Duration timeout = Duration.ofSeconds(5);
		ResilientRateLimiter limiter = limiter(FailureMode.LOCAL, breaker(OPEN_WAIT), BackendCallExecutor.create(1),
				new RedisRateLimiter(connectionFactory, this.prefix), timeout);
		awaitOnRedis(limiter);
		stopRedis();
		// Lettuce notices the closed socket by itself and reports the connection down:
		// from then on no check waits, and the first that fails opens the breaker.
		AtomicLong slowest = new AtomicLong();
		await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20)).until(() -> {
			long start = System.nanoTime();
			boolean fallback = limiter.check(request("u:lost", 10)).isFallback();
			slowest.accumulateAndGet(System.nanoTime() - start, Math::max);
			return fallback;
		});
		assertThat(Duration.ofNanos(slowest.get())).isLessThan(Duration.ofSeconds(1));
		assertThat(limiter.getCircuitBreaker().getState()).isEqualTo(CircuitBreaker.State.OPEN);
	}

	@Test
	void asyncPrimaryIsWaitedForOnTheCallingThreadWithoutTheExecutor() {
		ThreadPoolExecutor executor = (ThreadPoolExecutor) BackendCallExecutor.create(1);
		ResilientRateLimiter limiter = limiter(FailureMode.LOCAL, breaker(OPEN_WAIT), executor, asyncRedis());
		awaitOnRedis(limiter);
		RateLimitRequest request = request("u:" + UUID.randomUUID(), 2);
		assertThat(limiter.check(request).binding().remaining()).isEqualTo(1);
		assertThat(limiter.check(request).binding().remaining()).isEqualTo(0);
		Decision denied = limiter.check(request);
		assertThat(denied.isFallback()).isFalse();
		assertThat(denied.isAllowed()).isFalse();
		assertThat(executor.getTaskCount()).isZero();
	}

	@Test
	void frozenRedisBoundsAsyncChecksToTheTimeoutAndTheirCallsAreCancelled() {
		// A breaker whose failure rate could never open it: the stall does, after one
		// call.
		CircuitBreaker breaker = CircuitBreaker.of("test",
				CircuitBreakerConfig.custom()
					.slidingWindow(100, 100, SlidingWindowType.COUNT_BASED)
					.waitDurationInOpenState(OPEN_WAIT)
					.permittedNumberOfCallsInHalfOpenState(1)
					.build());
		RecordingAsyncLimiter primary = new RecordingAsyncLimiter(asyncRedis());
		ThreadPoolExecutor executor = (ThreadPoolExecutor) BackendCallExecutor.create(1);
		ResilientRateLimiter limiter = limiter(FailureMode.ALLOW, breaker, executor, primary);
		awaitOnRedis(limiter);
		primary.calls.clear();
		this.disturbed = true;
		server.suspend();
		for (int i = 0; i < 5; i++) {
			assertThat(timed(() -> limiter.check(request("u:frozen", 10))).isFallback()).isTrue();
		}
		assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);
		// A probe after the open wait stalls as well.
		await().atMost(Duration.ofSeconds(5))
			.until(() -> breaker.getState() == CircuitBreaker.State.OPEN
					&& timed(() -> limiter.check(request("u:frozen", 10))).isFallback() && primary.calls.size() == 2);
		// Cancelling the future cancels the Redis command.
		assertThat(primary.calls).allMatch(CompletableFuture::isCancelled);
		assertThat(executor.getTaskCount()).isZero();
	}

	@Test
	void aBusyRedisThatKeepsAnsweringIsWaitedForSoNoCheckFallsBackAndTheLimitHoldsExactly() throws Exception {
		// Answers reach the limiter late and one after another, as on a starved machine:
		// the last of ten arrives three timeouts after it was sent, while others keep
		// arriving.
		DelayedAnswers primary = new DelayedAnswers(asyncRedis(), Duration.ofMillis(30));
		ResilientRateLimiter limiter = limiter(FailureMode.LOCAL, breaker(OPEN_WAIT), BackendCallExecutor.create(1),
				primary);
		awaitOnRedis(limiter);
		RateLimitRequest request = request("u:" + UUID.randomUUID(), 5);
		ExecutorService callers = Executors.newFixedThreadPool(10);
		try {
			List<Future<Decision>> decisions = new ArrayList<>();
			for (int i = 0; i < 10; i++) {
				decisions.add(callers.submit(() -> limiter.check(request)));
			}
			List<Decision> answered = new ArrayList<>();
			for (Future<Decision> decision : decisions) {
				answered.add(decision.get(10, TimeUnit.SECONDS));
			}
			assertThat(answered).noneMatch(Decision::isFallback);
			assertThat(answered).filteredOn(Decision::isAllowed).hasSize(5);
			assertThat(primary.latest.get()).isGreaterThan(TIMEOUT.toNanos() * 2);
		}
		finally {
			callers.shutdownNow();
		}
		assertThat(limiter.getCircuitBreaker().getState()).isEqualTo(CircuitBreaker.State.CLOSED);
	}

	@Test
	void theBreakerOpeningAndClosingIsLoggedAndEveryBackendErrorReportedWithoutSubscribingToItsEvents(
			CapturedOutput output) {
		// Open long enough that the second check below is refused without a probe.
		ResilientRateLimiter limiter = limiter(FailureMode.LOCAL, 1, breaker(Duration.ofSeconds(2)));
		List<Throwable> errors = new CopyOnWriteArrayList<>();
		limiter.addBackendErrorListener(errors::add);
		// A subscriber to any of the breaker's events would make it build an event for
		// every successful call.
		assertThat(((EventProcessor<?>) limiter.getCircuitBreaker().getEventPublisher()).hasConsumers()).isFalse();
		awaitOnRedis(limiter);
		// A first check on a busy machine may have timed out.
		errors.clear();
		stopRedis();
		Decision fallback = timed(() -> limiter.check(request("u:logged", 10)));
		assertThat(fallback.isFallback()).isTrue();
		assertThat(limiter.getCircuitBreaker().getState()).isEqualTo(CircuitBreaker.State.OPEN);
		assertThat(errors).hasSize(1);
		assertThat(output).containsOnlyOnce("is failing");
		timed(() -> limiter.check(request("u:logged", 10)));
		// Refused by the open breaker: no call, no error, no second warning.
		assertThat(errors).hasSize(1);
		assertThat(output).containsOnlyOnce("is failing");
		server.start();
		await().atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(50))
			.until(() -> !limiter.check(request("u:warm", 1_000_000)).isFallback());
		assertThat(limiter.getCircuitBreaker().getState()).isEqualTo(CircuitBreaker.State.CLOSED);
		assertThat(output).contains("answers again; checks are back on it");
		assertThat(((EventProcessor<?>) limiter.getCircuitBreaker().getEventPublisher()).hasConsumers()).isFalse();
	}

	@Test
	void allowModeLetsEveryRequestThroughWhileRedisIsDown() {
		ResilientRateLimiter limiter = limiter(FailureMode.ALLOW, 1, breaker(OPEN_WAIT));
		stopRedis();
		for (int i = 0; i < 5; i++) {
			Decision decision = timed(() -> limiter.check(request("u:allow", 1)));
			assertThat(decision.isAllowed()).isTrue();
			assertThat(decision.isFallback()).isTrue();
			assertThat(decision.isUnlimited()).isTrue();
		}
	}

	@Test
	void denyModeRefusesAsUnavailableUntilTheBreakerLetsAProbeThrough() {
		ResilientRateLimiter limiter = limiter(FailureMode.DENY, 1, breaker(Duration.ofSeconds(5)));
		stopRedis();
		// A stopped Redis answers nothing: the first check stalls and opens the breaker
		// at once.
		Decision first = timed(() -> limiter.check(request("u:deny", 10)));
		assertThat(first.isAllowed()).isFalse();
		assertThat(first.isUnavailable()).isTrue();
		assertThat(first.isFallback()).isTrue();
		assertThat(limiter.getCircuitBreaker().getState()).isEqualTo(CircuitBreaker.State.OPEN);
		assertThat(first.retryAfter()).isBetween(Duration.ofSeconds(4), Duration.ofSeconds(5));
		Decision whileOpen = timed(() -> limiter.check(request("u:deny", 10)));
		assertThat(whileOpen.isUnavailable()).isTrue();
		assertThat(whileOpen.retryAfter()).isBetween(Duration.ofSeconds(4), Duration.ofSeconds(5));
	}

	@Test
	void aProbeThatFindsRedisStillDownOpensTheBreakerAgainAndRetryAfterCountsFromThen() {
		ResilientRateLimiter limiter = limiter(FailureMode.DENY, 1, breaker(Duration.ofSeconds(3)));
		stopRedis();
		assertThat(timed(() -> limiter.check(request("u:reopen", 10))).isUnavailable()).isTrue();
		assertThat(limiter.getCircuitBreaker().getState()).isEqualTo(CircuitBreaker.State.OPEN);
		// The wait in the open state ends; the next check is the probe, and it fails.
		await().atMost(Duration.ofSeconds(10))
			.pollDelay(Duration.ofSeconds(3))
			.until(() -> limiter.getCircuitBreaker().tryAcquirePermission());
		limiter.getCircuitBreaker().releasePermission();
		Decision probe = timed(() -> limiter.check(request("u:reopen", 10)));
		assertThat(probe.isUnavailable()).isTrue();
		assertThat(limiter.getCircuitBreaker().getState()).isEqualTo(CircuitBreaker.State.OPEN);
		// Counted from the second opening, not the first (which would leave the minimum
		// of
		// a second).
		Decision refused = timed(() -> limiter.check(request("u:reopen", 10)));
		assertThat(refused.retryAfter()).isBetween(Duration.ofSeconds(2), Duration.ofSeconds(3));
	}

	@Test
	void anErrorReplyWhileClosedAsksForARetryInASecond() {
		ResilientRateLimiter limiter = limiter(FailureMode.DENY, 1, breaker(Duration.ofSeconds(5)));
		RateLimitRequest request = new RateLimitRequest("u:wrongtype-deny", "op",
				List.of(LimitSpec.of(5, Duration.ofMinutes(1), Algorithm.FIXED_WINDOW)), 1);
		// A live Redis that answers with an error: counted, but one failure leaves it
		// closed.
		redis.opsForValue().set(request.key(this.prefix, request.limits().get(0)), "not a hash");
		Decision first = limiter.check(request);
		assertThat(first.isUnavailable()).isTrue();
		assertThat(first.retryAfter()).isEqualTo(Duration.ofSeconds(1));
		assertThat(limiter.getCircuitBreaker().getState()).isEqualTo(CircuitBreaker.State.CLOSED);
	}

	@Test
	void restartedRedisHasForgottenTheScriptAndTheLimiterReloadsIt() {
		RedisRateLimiter primary = new RedisRateLimiter(redis, this.prefix);
		assertThat(primary.check(request("u:restart", 10)).isAllowed()).isTrue();
		assertThat(primary.isScriptLoaded()).isTrue();
		stopRedis();
		server.start();
		await().atMost(Duration.ofSeconds(15)).ignoreExceptions().until(() -> "PONG".equals(ping()));
		assertThat(primary.isScriptLoaded()).isFalse();
		// EVALSHA answers NOSCRIPT; the template sends the script with EVAL, which caches
		// it.
		Decision decision = primary.check(request("u:restart", 10));
		assertThat(decision.isAllowed()).isTrue();
		assertThat(decision.binding().remaining()).isEqualTo(9);
		assertThat(primary.isScriptLoaded()).isTrue();
		assertThat(calls("cmdstat_eval")).isEqualTo(1);
		primary.check(request("u:restart", 10));
		assertThat(calls("cmdstat_eval")).isEqualTo(1);
		assertThat(calls("cmdstat_evalsha")).isEqualTo(2);
	}

	@Test
	void breakerReturnsToARestartedRedisWithoutItsScript() {
		ResilientRateLimiter limiter = limiter(FailureMode.LOCAL, 1, breaker(OPEN_WAIT));
		awaitOnRedis(limiter);
		stopRedis();
		timed(() -> limiter.check(request("u:down", 10)));
		timed(() -> limiter.check(request("u:down", 10)));
		assertThat(limiter.getCircuitBreaker().getState()).isEqualTo(CircuitBreaker.State.OPEN);
		server.start();
		await().atMost(Duration.ofSeconds(15))
			.pollInterval(Duration.ofMillis(50))
			.until(() -> !timed(() -> limiter.check(request("u:back", 10))).isFallback());
		assertThat(limiter.getCircuitBreaker().getState()).isEqualTo(CircuitBreaker.State.CLOSED);
		assertThat(limiter.isOnFallback()).isFalse();
		assertThat(((RedisRateLimiter) limiter.getDelegate()).isScriptLoaded()).isTrue();
	}

	@Test
	void anErrorReplyCountsAsAFailureAndIsDecidedByTheFailureMode() {
		ResilientRateLimiter limiter = limiter(FailureMode.ALLOW, 1, breaker(OPEN_WAIT));
		RateLimitRequest request = new RateLimitRequest("u:wrongtype", "op",
				List.of(LimitSpec.of(5, Duration.ofMinutes(1), Algorithm.FIXED_WINDOW)), 1);
		// A string where the script expects a hash: Redis answers WRONGTYPE.
		redis.opsForValue().set(request.key(this.prefix, request.limits().get(0)), "not a hash");
		Decision decision = limiter.check(request);
		assertThat(decision.isFallback()).isTrue();
		assertThat(decision.isAllowed()).isTrue();
		assertThat(limiter.getCircuitBreaker().getMetrics().getNumberOfFailedCalls()).isEqualTo(1);
	}

	@Test
	void interruptedCallerIsDecidedLocallyWithoutChargingTheBreaker() {
		ResilientRateLimiter limiter = limiter(FailureMode.LOCAL, 1, breaker(OPEN_WAIT));
		Thread.currentThread().interrupt();
		Decision decision;
		try {
			decision = limiter.check(request("u:interrupted", 10));
		}
		finally {
			assertThat(Thread.interrupted()).as("interrupt status kept").isTrue();
		}
		assertThat(decision.isFallback()).isTrue();
		assertThat(decision.isAllowed()).isTrue();
		assertThat(limiter.getCircuitBreaker().getMetrics().getNumberOfBufferedCalls()).isZero();
		awaitOnRedis(limiter);
	}

	@Test
	void saturatedExecutorIsDecidedLocallyWithoutChargingTheBreaker() throws Exception {
		CountDownLatch release = new CountDownLatch(1);
		CountDownLatch entered = new CountDownLatch(1);
		RedisRateLimiter redisLimiter = new RedisRateLimiter(redis, this.prefix);
		RateLimiter slowPrimary = (request) -> {
			entered.countDown();
			awaitLatch(release);
			return redisLimiter.check(request);
		};
		CircuitBreaker breaker = breaker(OPEN_WAIT);
		ThreadPoolExecutor executor = (ThreadPoolExecutor) BackendCallExecutor.create(1);
		ResilientRateLimiter limiter = new ResilientRateLimiter(slowPrimary, FailureMode.LOCAL,
				new InMemoryRateLimiter(), 1, breaker, executor, Duration.ofSeconds(10));
		this.limiters.add(limiter);
		ExecutorService callers = Executors.newFixedThreadPool(2);
		try {
			// one call runs, one waits in the queue of one: the executor is full
			Future<Decision> running = callers.submit(() -> limiter.check(request("u:a", 10)));
			assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();
			Future<Decision> queued = callers.submit(() -> limiter.check(request("u:b", 10)));
			await().atMost(Duration.ofSeconds(5)).until(() -> executor.getQueue().size() == 1);
			Decision rejected = limiter.check(request("u:c", 10));
			assertThat(rejected.isFallback()).isTrue();
			assertThat(rejected.isAllowed()).isTrue();
			release.countDown();
			assertThat(running.get(5, TimeUnit.SECONDS).isFallback()).isFalse();
			assertThat(queued.get(5, TimeUnit.SECONDS).isFallback()).isFalse();
			assertThat(breaker.getMetrics().getNumberOfSuccessfulCalls()).isEqualTo(2);
			assertThat(breaker.getMetrics().getNumberOfFailedCalls()).isZero();
		}
		finally {
			release.countDown();
			callers.shutdownNow();
		}
	}

	@Test
	void closeStopsTheBackendThreadsAndLaterChecksFallBack() throws Exception {
		ExecutorService executor = BackendCallExecutor.create(2);
		ResilientRateLimiter limiter = limiter(FailureMode.LOCAL, 1, breaker(OPEN_WAIT), executor);
		awaitOnRedis(limiter);
		limiter.close();
		assertThat(executor.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
		Decision decision = timed(() -> limiter.check(request("u:close", 10)));
		assertThat(decision.isFallback()).isTrue();
		assertThat(decision.isAllowed()).isTrue();
	}

	@Test
	void resetForgetsWhatTheScopeConsumedInRedisAndLocally() {
		// a time limit no busy machine exceeds: every check below must reach Redis while
		// it is up
		ResilientRateLimiter limiter = limiter(FailureMode.LOCAL, 1, breaker(OPEN_WAIT), BackendCallExecutor.create(8),
				Duration.ofSeconds(1));
		RateLimitRequest request = request("u:reset", 1);
		assertThat(limiter.check(request).isAllowed()).isTrue();
		assertThat(limiter.check(request).isAllowed()).isFalse();
		limiter.reset(request);
		Decision afterReset = limiter.check(request);
		assertThat(afterReset.isFallback()).isFalse();
		assertThat(afterReset.isAllowed()).isTrue();
		limiter.getCircuitBreaker().transitionToForcedOpenState();
		assertThat(limiter.check(request).isAllowed()).isTrue();
		assertThat(limiter.check(request).isAllowed()).isFalse();
		stopRedis();
		// The local limiter is reset even though Redis cannot be.
		assertThatRuntimeException().isThrownBy(() -> limiter.reset(request));
		Decision afterLocalReset = limiter.check(request);
		assertThat(afterLocalReset.isFallback()).isTrue();
		assertThat(afterLocalReset.isAllowed()).isTrue();
	}

	private ResilientRateLimiter limiter(FailureMode mode, CircuitBreaker breaker, ExecutorService executor,
			RateLimiter primary) {
		return limiter(mode, breaker, executor, primary, TIMEOUT);
	}

	private ResilientRateLimiter limiter(FailureMode mode, CircuitBreaker breaker, ExecutorService executor,
			RateLimiter primary, Duration timeout) {
		ResilientRateLimiter limiter = new ResilientRateLimiter(primary, mode, new InMemoryRateLimiter(), 1, breaker,
				executor, timeout);
		this.limiters.add(limiter);
		return limiter;
	}

	/**
	 * The Redis limiter as the auto-configuration creates it on Lettuce: with the
	 * reactive client.
	 */
	private RedisRateLimiter asyncRedis() {
		return new RedisRateLimiter(redis, new ReactiveStringRedisTemplate(connectionFactory), this.prefix, null);
	}

	private ResilientRateLimiter limiter(FailureMode mode, int instances, CircuitBreaker breaker) {
		return limiter(mode, instances, breaker, BackendCallExecutor.create(8));
	}

	private ResilientRateLimiter limiter(FailureMode mode, int instances, CircuitBreaker breaker,
			ExecutorService executor) {
		return limiter(mode, instances, breaker, executor, TIMEOUT);
	}

	private ResilientRateLimiter limiter(FailureMode mode, int instances, CircuitBreaker breaker,
			ExecutorService executor, Duration timeout) {
		ResilientRateLimiter limiter = new ResilientRateLimiter(new RedisRateLimiter(redis, this.prefix), mode,
				new InMemoryRateLimiter(), instances, breaker, executor, timeout);
		this.limiters.add(limiter);
		return limiter;
	}

	/**
	 * A breaker that opens after two failed calls out of four, and lets one probe
	 * through.
	 */
	private static CircuitBreaker breaker(Duration openWait) {
		return CircuitBreaker.of("test",
				CircuitBreakerConfig.custom()
					.slidingWindow(4, 2, SlidingWindowType.COUNT_BASED)
					.failureRateThreshold(50)
					.waitDurationInOpenState(openWait)
					.permittedNumberOfCallsInHalfOpenState(1)
					.build());
	}

	private static RateLimitRequest request(String scope, long limit) {
		return new RateLimitRequest(scope, "op", List.of(LimitSpec.of(limit, Duration.ofHours(1))), 1);
	}

	/**
	 * Wait until a check is answered by Redis: on a busy machine one may exceed the
	 * timeout.
	 */
	private static void awaitOnRedis(ResilientRateLimiter limiter) {
		await().atMost(Duration.ofSeconds(10))
			.pollInterval(Duration.ofMillis(20))
			.until(() -> !limiter.check(request("u:warm", 1_000_000)).isFallback());
	}

	private void stopRedis() {
		this.disturbed = true;
		server.stop();
	}

	/**
	 * Run a check and assert that it took no longer than the timeout plus the margin.
	 */
	private static Decision timed(Supplier<Decision> check) {
		long start = System.nanoTime();
		Decision decision = check.get();
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThanOrEqualTo(TIMEOUT.plus(MARGIN));
		return decision;
	}

	private static String ping() {
		return redis.execute((RedisCallback<String>) RedisConnectionCommands::ping);
	}

	private static long calls(String command) {
		Properties stats = redis
			.execute((RedisCallback<Properties>) (connection) -> connection.serverCommands().info("commandstats"));
		return CommandStats.calls(stats, command);
	}

	private static void awaitLatch(CountDownLatch latch) {
		try {
			latch.await(10, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * An asynchronous limiter that keeps the futures of its calls.
	 */
	private static final class RecordingAsyncLimiter extends ForwardingAsyncLimiter {

		private final List<CompletableFuture<Decision>> calls = new CopyOnWriteArrayList<>();

		RecordingAsyncLimiter(AsyncRateLimiter delegate) {
			super(delegate);
		}

		@Override
		public CompletableFuture<Decision> checkAsync(RateLimitRequest request) {
			CompletableFuture<Decision> call = this.delegate.checkAsync(request);
			this.calls.add(call);
			return call;
		}

	}

	/**
	 * An asynchronous limiter that hands its checks to another.
	 */
	private abstract static class ForwardingAsyncLimiter implements AsyncRateLimiter {

		protected final AsyncRateLimiter delegate;

		ForwardingAsyncLimiter(AsyncRateLimiter delegate) {
			this.delegate = delegate;
		}

		@Override
		public Decision check(RateLimitRequest request) {
			return this.delegate.check(request);
		}

		@Override
		public boolean canCheckAsync() {
			return true;
		}

	}

	/**
	 * Redis's answers handed over late, one every {@code spacing} in the order they
	 * arrive, as a starved client's I/O thread would: Redis decides, only the hand-over
	 * is slow.
	 */
	private static final class DelayedAnswers extends ForwardingAsyncLimiter {

		private final long spacingNanos;

		private final AtomicLong nextAt = new AtomicLong();

		private final AtomicLong latest = new AtomicLong();

		private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "delayed-answers");
			thread.setDaemon(true);
			return thread;
		});

		DelayedAnswers(AsyncRateLimiter delegate, Duration spacing) {
			super(delegate);
			this.spacingNanos = spacing.toNanos();
		}

		@Override
		public CompletableFuture<Decision> checkAsync(RateLimitRequest request) {
			long sent = System.nanoTime();
			CompletableFuture<Decision> delayed = new CompletableFuture<>();
			this.delegate.checkAsync(request).whenComplete((decision, failure) -> {
				long now = System.nanoTime();
				long at = this.nextAt.accumulateAndGet(now,
						(last, current) -> Math.max(last, current) + this.spacingNanos);
				this.scheduler.schedule(() -> {
					this.latest.accumulateAndGet(System.nanoTime() - sent, Math::max);
					if (failure != null) {
						delayed.completeExceptionally(failure);
					}
					else {
						delayed.complete(decision);
					}
				}, at - now, TimeUnit.NANOSECONDS);
			});
			return delayed;
		}

	}

	/**
	 * Callers that check back to back on a few threads, recording how each check went.
	 */
	private static final class Load {

		private final AtomicBoolean running = new AtomicBoolean(true);

		private final AtomicLong onRedis = new AtomicLong();

		private final AtomicLong fallbacks = new AtomicLong();

		private final AtomicLong slowest = new AtomicLong();

		private final List<Throwable> failures = new CopyOnWriteArrayList<>();

		private final List<Thread> threads = new ArrayList<>();

		Load(RateLimiter limiter, int threads) {
			AtomicInteger ids = new AtomicInteger();
			for (int t = 0; t < threads; t++) {
				Thread thread = new Thread(() -> {
					String scope = "u:load-" + ids.incrementAndGet();
					while (this.running.get()) {
						long start = System.nanoTime();
						try {
							Decision decision = limiter.check(request(scope, 1_000_000));
							(decision.isFallback() ? this.fallbacks : this.onRedis).incrementAndGet();
						}
						catch (Throwable ex) {
							this.failures.add(ex);
						}
						this.slowest.accumulateAndGet(System.nanoTime() - start, Math::max);
					}
				}, "load-" + t);
				thread.start();
				this.threads.add(thread);
			}
		}

		void stop() throws InterruptedException {
			this.running.set(false);
			for (Thread thread : this.threads) {
				thread.join(5_000);
			}
		}

	}

}
