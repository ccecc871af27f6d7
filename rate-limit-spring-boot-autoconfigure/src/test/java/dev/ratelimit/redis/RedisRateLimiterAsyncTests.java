package dev.ratelimit.redis;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.Decision;
import dev.ratelimit.core.LimitSpec;
import dev.ratelimit.core.LimitState;
import dev.ratelimit.core.RateLimitRequest;
import dev.ratelimit.test.MutableClock;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Tests for {@link RedisRateLimiter#checkAsync(RateLimitRequest)}, the non-blocking check
 * on Lettuce's reactive client, against a real Redis.
 *
 * @author rate-limit-spring-boot
 */
class RedisRateLimiterAsyncTests {

	private static final StringRedisTemplate redis = TestRedisTemplate.get();

	private final MutableClock clock = MutableClock.startingAtMidnight();

	private final RedisRateLimiter limiter = new RedisRateLimiter(redis, TestRedisTemplate.reactive(),
			"rl-test-" + UUID.randomUUID(), this.clock);

	private final RateLimitRequest request = new RateLimitRequest("u:async", "op",
			List.of(LimitSpec.of(3, Duration.ofMinutes(1), Algorithm.FIXED_WINDOW),
					LimitSpec.of(5, Duration.ofHours(1), Algorithm.TOKEN_BUCKET)),
			1);

	@Test
	void asyncAndBlockingChecksShareTheLimitsAndReadTheReplyAlike() throws Exception {
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
		LimitState binding = denied.binding();
		assertThat(binding.limit()).isEqualTo(this.request.limits().get(0));
		assertThat(binding.retryAfter()).isEqualTo(Duration.ofMinutes(1));
	}

	@Test
	void asyncCheckReloadsTheScriptWhenRedisForgotIt() throws Exception {
		assertThat(await(this.limiter.checkAsync(this.request)).isAllowed()).isTrue();
		redis.execute((RedisCallback<Void>) (connection) -> {
			connection.scriptingCommands().scriptFlush();
			return null;
		});
		assertThat(this.limiter.isScriptLoaded()).isFalse();
		Decision decision = await(this.limiter.checkAsync(this.request));
		assertThat(decision.isAllowed()).isTrue();
		assertThat(decision.limits().get(0).remaining()).isEqualTo(1);
		assertThat(this.limiter.isScriptLoaded()).isTrue();
	}

	@Test
	void limiterWithoutAReactiveTemplateOnlyChecksBlocking() {
		RedisRateLimiter blocking = new RedisRateLimiter(redis, "rl-test-" + UUID.randomUUID());
		assertThat(blocking.canCheckAsync()).isFalse();
		assertThatIllegalStateException().isThrownBy(() -> blocking.checkAsync(this.request));
		assertThat(blocking.check(this.request).isAllowed()).isTrue();
	}

	private static Decision await(CompletableFuture<Decision> decision) throws Exception {
		return decision.get(10, TimeUnit.SECONDS);
	}

}
