package dev.ratelimit.redis;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.Decision;
import dev.ratelimit.core.LimitSpec;
import dev.ratelimit.core.RateLimitRequest;
import dev.ratelimit.test.CommandStats;
import dev.ratelimit.test.MutableClock;
import dev.ratelimit.test.RedisServer;
import dev.ratelimit.test.RedisServers;
import dev.ratelimit.test.context.LettuceConnectionFactories;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.RedisConnectionFailureException;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link RedisRateLimiter} created from a Lettuce connection factory: checks
 * without blocking on the factory's shared native connection, against a real Redis.
 *
 * @author rate-limit-spring-boot
 */
class RedisRateLimiterLettuceTests {

	private static final StringRedisTemplate redis = TestRedisTemplate.get();

	private final MutableClock clock = MutableClock.startingAtMidnight();

	private final LettuceConnectionFactory connectionFactory = connectionFactory(RedisServers.shared().port());

	private final RedisRateLimiter limiter = new RedisRateLimiter(this.connectionFactory,
			"rl-test-" + UUID.randomUUID(), this.clock);

	private final RateLimitRequest request = new RateLimitRequest("u:lettuce", "op",
			List.of(LimitSpec.of(3, Duration.ofMinutes(1), Algorithm.FIXED_WINDOW),
					LimitSpec.of(5, Duration.ofHours(1), Algorithm.TOKEN_BUCKET)),
			1);

	@AfterEach
	void destroy() {
		this.connectionFactory.destroy();
	}

	@Test
	void nativeAndBlockingChecksShareTheLimitsAndReadTheReplyAlike() throws Exception {
		assertThat(this.limiter.canCheckAsync()).isTrue();
		Decision first = await(this.limiter.checkAsync(this.request));
		Decision second = this.limiter.check(this.request);
		Decision third = await(this.limiter.checkAsync(this.request));
		Decision denied = await(this.limiter.checkAsync(this.request));
		assertThat(List.of(first, second, third, denied)).extracting(Decision::isAllowed)
			.containsExactly(true, true, true, false);
		assertThat(List.of(first, second, third)).extracting((decision) -> decision.limits().get(0).remaining())
			.containsExactly(2L, 1L, 0L);
		assertThat(third.limits().get(1).remaining()).isEqualTo(2);
		assertThat(denied.binding().limit()).isEqualTo(this.request.limits().get(0));
		assertThat(denied.binding().retryAfter()).isEqualTo(Duration.ofMinutes(1));
	}

	@Test
	void aCheckWithTheScriptLoadedIsOneEvalsha() throws Exception {
		await(this.limiter.checkAsync(this.request));
		Properties before = commandStats();
		for (int i = 0; i < 5; i++) {
			await(this.limiter.checkAsync(this.request));
		}
		Properties after = commandStats();
		// Other tests of this JVM may use the shared Redis, but not while this one runs.
		assertThat(CommandStats.calls(after, "cmdstat_evalsha") - CommandStats.calls(before, "cmdstat_evalsha"))
			.isEqualTo(5);
		assertThat(CommandStats.calls(after, "cmdstat_eval") - CommandStats.calls(before, "cmdstat_eval")).isZero();
	}

	@Test
	void nativeCheckReloadsTheScriptWhenRedisForgotIt() throws Exception {
		assertThat(await(this.limiter.checkAsync(this.request)).isAllowed()).isTrue();
		flushScripts();
		assertThat(this.limiter.isScriptLoaded()).isFalse();
		Decision decision = await(this.limiter.checkAsync(this.request));
		assertThat(decision.isAllowed()).isTrue();
		assertThat(decision.limits().get(0).remaining()).isEqualTo(1);
		assertThat(this.limiter.isScriptLoaded()).isTrue();
	}

	@Test
	void cancellingACheckAbandonsItsCommandAndLeavesTheConnectionUsable() throws Exception {
		await(this.limiter.checkAsync(this.request));
		// A Redis that does not answer for a while: the check is waiting when it is
		// cancelled.
		redis.execute(
				(RedisCallback<Object>) (connection) -> connection.execute("CLIENT", bytes("PAUSE"), bytes("500")));
		CompletableFuture<Decision> pending = this.limiter.checkAsync(this.request);
		assertThat(pending.cancel(true)).isTrue();
		assertThat(pending).isCancelled();
		// The abandoned command's reply, when it comes, is not taken for the next
		// check's.
		Decision next = await(this.limiter.checkAsync(this.request));
		assertThat(next.limits()).hasSize(2);
		assertThat(next.limits().get(1).limit()).isEqualTo(this.request.limits().get(1));
	}

	@Test
	void aResetConnectionFactoryIsUsedWithItsNewConnection() throws Exception {
		assertThat(await(this.limiter.checkAsync(this.request)).isAllowed()).isTrue();
		this.connectionFactory.resetConnection();
		assertThat(await(this.limiter.checkAsync(this.request)).limits().get(0).remaining()).isEqualTo(1);
		this.connectionFactory.stop();
		this.connectionFactory.start();
		assertThat(await(this.limiter.checkAsync(this.request)).limits().get(0).remaining()).isZero();
	}

	@Test
	void aRedisThatCannotBeReachedFailsTheCheckAsAConnectionFailure() throws Exception {
		LettuceConnectionFactory unreachable = connectionFactory(closedPort());
		try {
			RedisRateLimiter limiter = new RedisRateLimiter(unreachable, "rl-test-" + UUID.randomUUID());
			CompletableFuture<Decision> check = limiter.checkAsync(this.request);
			assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> check.get(10, TimeUnit.SECONDS))
				.withCauseInstanceOf(RedisConnectionFailureException.class);
		}
		finally {
			unreachable.destroy();
		}
	}

	@Test
	void connectingNeverBlocksTheCaller() {
		// A blackholed address: connecting waits for the connect timeout (or fails at
		// once where the network says it is unreachable); either way not on the caller's
		// thread.
		LettuceConnectionFactory blackholed = LettuceConnectionFactories.started("10.255.255.1", 6379, null);
		try {
			RedisRateLimiter limiter = new RedisRateLimiter(blackholed, "rl-test-" + UUID.randomUUID());
			long start = System.nanoTime();
			CompletableFuture<Decision> check = limiter.checkAsync(this.request);
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
			check.cancel(true);
			assertThat(check).isCancelled();
		}
		finally {
			blackholed.destroy();
		}
	}

	@Test
	void aFactoryThatDoesNotShareItsConnectionChecksOnTheReactiveClient() throws Exception {
		LettuceConnectionFactory dedicated = connectionFactory(RedisServers.shared().port());
		dedicated.setShareNativeConnection(false);
		try {
			RedisRateLimiter limiter = new RedisRateLimiter(dedicated, "rl-test-" + UUID.randomUUID());
			assertThat(limiter.canCheckAsync()).isTrue();
			assertThat(await(limiter.checkAsync(this.request)).isAllowed()).isTrue();
		}
		finally {
			dedicated.destroy();
		}
	}

	private static LettuceConnectionFactory connectionFactory(int port) {
		RedisServer server = RedisServers.shared();
		return LettuceConnectionFactories.started(server.host(), port, null);
	}

	private static int closedPort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

	private static void flushScripts() {
		redis.execute((RedisCallback<Void>) (connection) -> {
			connection.scriptingCommands().scriptFlush();
			return null;
		});
	}

	private static Properties commandStats() {
		return redis
			.execute((RedisCallback<Properties>) (connection) -> connection.serverCommands().info("commandstats"));
	}

	private static byte[] bytes(String value) {
		return value.getBytes();
	}

	private static Decision await(CompletableFuture<Decision> decision) throws Exception {
		return decision.get(10, TimeUnit.SECONDS);
	}

}
