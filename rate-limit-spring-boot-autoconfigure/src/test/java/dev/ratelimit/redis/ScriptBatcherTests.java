package dev.ratelimit.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.Decision;
import dev.ratelimit.core.LimitSpec;
import dev.ratelimit.core.LimitState;
import dev.ratelimit.core.RateLimitRequest;
import dev.ratelimit.test.RedisServers;
import dev.ratelimit.test.context.LettuceConnectionFactories;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.RedisConnectionFailureException;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link ScriptBatcher}: checks queued behind a call in flight go to Redis as
 * one call of the batch script and are decided exactly as one call each would decide
 * them, against a real Redis. The calls are held in flight by the test, not by timing.
 *
 * @author rate-limit-spring-boot
 */
class ScriptBatcherTests {

	@SuppressWarnings("rawtypes")
	private static final LuaScript<List> SCRIPT = LuaScript.load(RedisRateLimiter.SCRIPT_LOCATION, List.class);

	@SuppressWarnings("rawtypes")
	private static final LuaScript<List> BATCH_SCRIPT = LuaScript.calling(SCRIPT, "check",
			RedisRateLimiter.BATCH_SCRIPT_LOCATION, List.class);

	private static final long NOW = 1_700_000_000_000_000L;

	private final LettuceConnectionFactory connectionFactory = LettuceConnectionFactories
		.started(RedisServers.shared());

	private final String prefix = "rl-batch-" + UUID.randomUUID();

	private final List<Sent> sent = new CopyOnWriteArrayList<>();

	private final List<CompletableFuture<Void>> gates = new CopyOnWriteArrayList<>();

	private RedisClusterAsyncCommands<byte[], byte[]> async;

	@BeforeEach
	void load() {
		RedisConnection connection = this.connectionFactory.getConnection();
		this.async = ((LettuceConnection) connection).getNativeConnection();
		connection.scriptingCommands().scriptLoad(SCRIPT.getScriptAsBytes());
		connection.scriptingCommands().scriptLoad(BATCH_SCRIPT.getScriptAsBytes());
		connection.close();
	}

	@AfterEach
	void destroy() {
		this.connectionFactory.destroy();
	}

	@Test
	void aCheckWithNothingInFlightIsSentAtOnceAsThePlainScript() throws Exception {
		ScriptBatcher batcher = ScriptBatcher.batching(SCRIPT, BATCH_SCRIPT, this::execute);
		Decision decision = batcher.run(call("u:a", limit(3))).get(5, TimeUnit.SECONDS);
		assertThat(decision.isAllowed()).isTrue();
		assertThat(this.sent).extracting(Sent::batch).containsExactly(false);
	}

	@Test
	void checksQueuedBehindACallInFlightAreSentAsOneBatchAndDecidedInOrder() throws Exception {
		ScriptBatcher batcher = ScriptBatcher.batching(SCRIPT, BATCH_SCRIPT, held());
		CompletableFuture<Decision> first = batcher.run(call("u:a", limit(3)));
		List<CompletableFuture<Decision>> queued = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			queued.add(batcher.run(call("u:a", limit(3))));
		}
		assertThat(this.sent).hasSize(1);
		release(0);
		assertThat(first.get(5, TimeUnit.SECONDS).isAllowed()).isTrue();
		release(1);
		List<Boolean> allowed = new ArrayList<>();
		List<Long> remaining = new ArrayList<>();
		for (CompletableFuture<Decision> check : queued) {
			Decision decision = check.get(5, TimeUnit.SECONDS);
			allowed.add(decision.isAllowed());
			remaining.add(decision.limits().get(0).remaining());
		}
		assertThat(this.sent).extracting(Sent::batch).containsExactly(false, true);
		assertThat(this.sent.get(1).keys()).isEqualTo(5);
		assertThat(allowed).containsExactly(true, true, false, false, false);
		assertThat(remaining).containsExactly(1L, 0L, 0L, 0L, 0L);
	}

	@Test
	void aBatchDecidesExactlyAsOneCallPerCheck() throws Exception {
		List<RateLimitRequest> requests = new ArrayList<>();
		Algorithm[] algorithms = { Algorithm.TOKEN_BUCKET, Algorithm.SLIDING_WINDOW, Algorithm.FIXED_WINDOW,
				Algorithm.SLIDING_LOG };
		for (int i = 0; i < 24; i++) {
			Algorithm algorithm = algorithms[i % algorithms.length];
			requests.add(new RateLimitRequest("u:" + (i % 3), "op",
					List.of(LimitSpec.of(4, Duration.ofSeconds(10), algorithm), LimitSpec.of(6, Duration.ofMinutes(1))),
					1 + (i % 2)));
		}
		ScriptBatcher single = ScriptBatcher.unbatched(SCRIPT, this::execute);
		List<Decision> expected = new ArrayList<>();
		for (RateLimitRequest request : requests) {
			expected.add(single.run(new ScriptCall(request, this.prefix + ":single", Long.toString(NOW)))
				.get(5, TimeUnit.SECONDS));
		}
		ScriptBatcher batching = ScriptBatcher.batching(SCRIPT, BATCH_SCRIPT, held());
		CompletableFuture<Decision> first = batching
			.run(new ScriptCall(requests.get(0), this.prefix + ":batched", Long.toString(NOW)));
		List<CompletableFuture<Decision>> rest = new ArrayList<>();
		for (RateLimitRequest request : requests.subList(1, requests.size())) {
			rest.add(batching.run(new ScriptCall(request, this.prefix + ":batched", Long.toString(NOW))));
		}
		release(0);
		release(1);
		List<Decision> actual = new ArrayList<>();
		actual.add(first.get(5, TimeUnit.SECONDS));
		for (CompletableFuture<Decision> check : rest) {
			actual.add(check.get(5, TimeUnit.SECONDS));
		}
		assertThat(this.sent.get(this.sent.size() - 1).batch()).isTrue();
		assertThat(actual).extracting(ScriptBatcherTests::states)
			.isEqualTo(expected.stream().map(ScriptBatcherTests::states).toList());
		assertThat(actual).extracting(Decision::isAllowed).contains(true, false);
	}

	@Test
	void aCheckAbandonedWhileQueuedIsNotSent() throws Exception {
		ScriptBatcher batcher = ScriptBatcher.batching(SCRIPT, BATCH_SCRIPT, held());
		CompletableFuture<Decision> first = batcher.run(call("u:a", limit(1)));
		CompletableFuture<Decision> abandoned = batcher.run(call("u:a", limit(1)));
		CompletableFuture<Decision> next = batcher.run(call("u:a", limit(1)));
		abandoned.cancel(false);
		release(0);
		assertThat(first.get(5, TimeUnit.SECONDS).isAllowed()).isTrue();
		release(1);
		// The abandoned check consumed nothing: the next one sees the limit as the first
		// left it.
		assertThat(next.get(5, TimeUnit.SECONDS).isAllowed()).isFalse();
		assertThat(this.sent).extracting(Sent::batch).containsExactly(false, false);
	}

	@Test
	void aCallWhoseChecksAreAllAbandonedFreesItsPlaceForTheQueuedOnes() throws Exception {
		ScriptBatcher batcher = ScriptBatcher.batching(SCRIPT, BATCH_SCRIPT, held());
		// The first call never comes back (a frozen Redis) until its caller stops
		// waiting.
		CompletableFuture<Decision> stuck = batcher.run(call("u:a", limit(5)));
		CompletableFuture<Decision> probe = batcher.run(call("u:b", limit(5)));
		assertThat(this.sent).hasSize(1);
		stuck.cancel(false);
		assertThat(this.sent).hasSize(2);
		release(1);
		assertThat(probe.get(5, TimeUnit.SECONDS).isAllowed()).isTrue();
		assertThat(this.sent.get(0).reply()).isCancelled();
	}

	@Test
	void aFailedBatchFailsEachOfItsChecks() throws Exception {
		AtomicInteger calls = new AtomicInteger();
		ScriptBatcher batcher = ScriptBatcher.batching(SCRIPT, BATCH_SCRIPT,
				held((script, keys, args) -> (calls.incrementAndGet() == 1) ? execute(script, keys, args)
						: CompletableFuture.failedFuture(new RedisConnectionFailureException("gone"))));
		CompletableFuture<Decision> first = batcher.run(call("u:a", limit(5)));
		CompletableFuture<Decision> second = batcher.run(call("u:a", limit(5)));
		CompletableFuture<Decision> third = batcher.run(call("u:b", limit(5)));
		release(0);
		assertThat(first.get(5, TimeUnit.SECONDS).isAllowed()).isTrue();
		release(1);
		for (CompletableFuture<Decision> failed : List.of(second, third)) {
			assertThatExceptionOfType(Exception.class).isThrownBy(() -> failed.get(5, TimeUnit.SECONDS))
				.havingCause()
				.isInstanceOf(RedisConnectionFailureException.class);
		}
	}

	@Test
	void concurrentChecksFromManyThreadsAdmitExactlyTheLimit() throws Exception {
		ScriptBatcher batcher = ScriptBatcher.batching(SCRIPT, BATCH_SCRIPT, this::execute);
		ExecutorService threads = Executors.newFixedThreadPool(16);
		try {
			List<CompletableFuture<Decision>> checks = new CopyOnWriteArrayList<>();
			List<CompletableFuture<?>> submitted = new ArrayList<>();
			for (int i = 0; i < 400; i++) {
				submitted
					.add(CompletableFuture.runAsync(() -> checks.add(batcher.run(call("u:hot", limit(150)))), threads));
			}
			CompletableFuture.allOf(submitted.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
			long admitted = 0;
			for (CompletableFuture<Decision> check : checks) {
				admitted += check.get(10, TimeUnit.SECONDS).isAllowed() ? 1 : 0;
			}
			assertThat(admitted).isEqualTo(150);
		}
		finally {
			threads.shutdownNow();
		}
	}

	private static List<String> states(Decision decision) {
		return decision.limits()
			.stream()
			.map((LimitState state) -> state.allowed() + "/" + state.remaining() + "/" + state.resetAfter() + "/"
					+ state.retryAfter())
			.toList();
	}

	private ScriptCall call(String scope, LimitSpec limit) {
		return new ScriptCall(new RateLimitRequest(scope, "op", List.of(limit), 1), this.prefix, Long.toString(NOW));
	}

	private static LimitSpec limit(long limit) {
		return LimitSpec.of(limit, Duration.ofMinutes(1), Algorithm.FIXED_WINDOW);
	}

	@SuppressWarnings("rawtypes")
	private CompletableFuture<?> execute(LuaScript<List> script, byte[][] keys, byte[][] args) {
		CompletableFuture<?> reply = evalsha(script, keys, args);
		this.sent.add(new Sent(script == BATCH_SCRIPT, keys.length, reply));
		return reply;
	}

	@SuppressWarnings("rawtypes")
	private CompletableFuture<?> evalsha(LuaScript<List> script, byte[][] keys, byte[][] args) {
		return this.async.evalsha(script.getSha1(), ScriptOutputType.MULTI, keys, args).toCompletableFuture();
	}

	/**
	 * An execution whose calls are held back until the test releases them, so that the
	 * calls in flight are the test's choice.
	 */
	private ScriptBatcher.Execution held() {
		return held(this::evalsha);
	}

	private ScriptBatcher.Execution held(ScriptBatcher.Execution execution) {
		return (script, keys, args) -> {
			CompletableFuture<Void> gate = new CompletableFuture<>();
			CompletableFuture<Object> reply = new CompletableFuture<>();
			gate.thenCompose((ignored) -> execution.execute(script, keys, args)).whenComplete((value, failure) -> {
				if (failure != null) {
					reply.completeExceptionally(failure);
				}
				else {
					reply.complete(value);
				}
			});
			this.sent.add(new Sent(script == BATCH_SCRIPT, keys.length, reply));
			this.gates.add(gate);
			return reply;
		};
	}

	/**
	 * Let the given held call go to Redis. The batcher sends a call when the one before
	 * it has come back, on the client's thread: wait for it to be sent first.
	 */
	private void release(int call) throws InterruptedException {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
		while (this.gates.size() <= call && System.nanoTime() < deadline) {
			Thread.sleep(1);
		}
		assertThat(this.gates).as("calls sent").hasSizeGreaterThan(call);
		this.gates.get(call).complete(null);
	}

	private record Sent(boolean batch, int keys, CompletableFuture<?> reply) {
	}

}
