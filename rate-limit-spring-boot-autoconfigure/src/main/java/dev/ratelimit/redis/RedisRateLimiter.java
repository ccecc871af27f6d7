package dev.ratelimit.redis;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import dev.ratelimit.core.AsyncRateLimiter;
import dev.ratelimit.core.Decision;
import dev.ratelimit.core.LimitSpec;
import dev.ratelimit.core.LimitState;
import dev.ratelimit.core.Micros;
import dev.ratelimit.core.RateLimitRequest;
import dev.ratelimit.core.RateLimiter;
import org.jspecify.annotations.Nullable;

import org.springframework.core.io.ClassPathResource;
import org.springframework.data.redis.connection.RedisConnectionCommands;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.util.Assert;

/**
 * A {@link RateLimiter} that keeps its state in Redis. Each check is one script call
 * ({@code EVALSHA}, falling back to {@code EVAL} only when Redis does not know the script yet) that
 * evaluates every limit of the request and consumes from all of them only when all admit it. The
 * arithmetic of each algorithm is specified in {@code docs/algorithms.md}.
 * <p>
 * The time is Redis {@code TIME}, so every instance of the application shares one clock. Tests may
 * inject a {@link Clock} instead.
 * <p>
 * Given a {@link ReactiveStringRedisTemplate} as well (Lettuce), the limiter can also
 * {@linkplain #checkAsync(RateLimitRequest) check without blocking}: the same script and the same
 * reading of its reply, sent through the non-blocking client.
 *
 * @author rate-limit-spring-boot
 */
public final class RedisRateLimiter implements AsyncRateLimiter {

	static final String SCRIPT_LOCATION = "META-INF/scripts/rate-limit/check.lua";

	/**
	 * The script's argument for "now" that tells it to read Redis {@code TIME}.
	 */
	private static final String REDIS_TIME = "0";

	// Our own class loader, not the thread's: the limiter may be created while an embedded
	// server's web application class loader is the context class loader.
	@SuppressWarnings("rawtypes")
	private static final RedisScript<List> SCRIPT = RedisScript
		.of(new ClassPathResource(SCRIPT_LOCATION, RedisRateLimiter.class.getClassLoader()), List.class);

	/**
	 * A peek (cost 0): reads one key that no caller has, writes nothing.
	 */
	private static final RateLimitRequest WARM_UP = new RateLimitRequest("warm-up", "warm-up",
			List.of(LimitSpec.of(1, Duration.ofSeconds(1))), 0);

	private final StringRedisTemplate template;

	private final String keyPrefix;

	private final @Nullable Clock clock;

	private final @Nullable ReactiveScriptCall reactiveCall;

	/**
	 * Create a limiter that reads the time from Redis.
	 * @param template the template to run the script with
	 * @param keyPrefix the prefix of every key this limiter writes
	 */
	public RedisRateLimiter(StringRedisTemplate template, String keyPrefix) {
		this(template, keyPrefix, null);
	}

	/**
	 * Create a limiter.
	 * @param template the template to run the script with
	 * @param keyPrefix the prefix of every key this limiter writes
	 * @param clock the clock to take "now" from, or {@code null} to read Redis {@code TIME} (tests
	 * inject a clock; applications should not, because instances' clocks drift apart)
	 */
	public RedisRateLimiter(StringRedisTemplate template, String keyPrefix, @Nullable Clock clock) {
		this(template, null, keyPrefix, clock);
	}

	/**
	 * Create a limiter that can also check without blocking.
	 * @param template the template to run the script with
	 * @param reactiveTemplate the template for {@link #checkAsync(RateLimitRequest)}, on the same
	 * Redis; {@code null} when the client has none (Jedis)
	 * @param keyPrefix the prefix of every key this limiter writes
	 * @param clock the clock to take "now" from, or {@code null} to read Redis {@code TIME}
	 */
	public RedisRateLimiter(StringRedisTemplate template, @Nullable ReactiveStringRedisTemplate reactiveTemplate,
			String keyPrefix, @Nullable Clock clock) {
		Assert.notNull(template, "'template' must not be null");
		Assert.hasText(keyPrefix, "'keyPrefix' must not be empty");
		this.template = template;
		this.reactiveCall = (reactiveTemplate != null) ? new ReactiveScriptCall(reactiveTemplate) : null;
		this.keyPrefix = keyPrefix;
		this.clock = clock;
		// Read the script now, so a broken build fails at startup rather than on the first request.
		SCRIPT.getSha1();
	}

	@Override
	public Decision check(RateLimitRequest request) {
		ScriptCall call = new ScriptCall(request);
		List<?> reply = this.template.execute(SCRIPT, call.keys, (Object[]) call.args);
		return call.toDecision(reply);
	}

	@Override
	public boolean canCheckAsync() {
		return this.reactiveCall != null;
	}

	/**
	 * Run the check on the non-blocking client. Cancelling the future cancels the Redis command,
	 * so a caller that stops waiting (a Redis that hangs) leaves nothing running for it.
	 * @param request the caller, the operation and the limits to check
	 * @return the decision
	 * @throws IllegalStateException when the limiter was created without a reactive template
	 */
	@Override
	public CompletableFuture<Decision> checkAsync(RateLimitRequest request) {
		Assert.state(this.reactiveCall != null, "This limiter was created without a reactive template");
		ScriptCall call = new ScriptCall(request);
		return this.reactiveCall.run(SCRIPT, call.keys, Arrays.asList(call.args), call::toDecision);
	}

	@Override
	public void reset(RateLimitRequest request) {
		// All keys of one scope share a hash slot, so one DEL serves on Redis Cluster too.
		this.template.delete(request.limits().stream().map((limit) -> request.key(this.keyPrefix, limit)).toList());
	}

	/**
	 * Whether Redis has this limiter's script cached, so that checks run with {@code EVALSHA}
	 * alone. A limiter whose script is missing still works: it loads the script on its next check.
	 * @return {@code true} when the script is loaded
	 */
	public boolean isScriptLoaded() {
		List<Boolean> exists = this.template
			.execute((RedisCallback<List<Boolean>>) (connection) -> connection.scriptingCommands()
				.scriptExists(SCRIPT.getSha1()));
		return exists != null && !exists.isEmpty() && Boolean.TRUE.equals(exists.get(0));
	}

	/**
	 * Open the connection, load the script into Redis's script cache and run it once without
	 * consuming anything, so that the first real check does not pay for a cold start (class
	 * loading and connecting can take a second in a fresh JVM).
	 */
	public void warmUp() {
		this.template.execute((RedisCallback<String>) (connection) -> connection.scriptingCommands()
			.scriptLoad(SCRIPT.getScriptAsString().getBytes(StandardCharsets.UTF_8)));
		check(WARM_UP);
	}

	/**
	 * Send a {@code PING} to Redis.
	 * @return how long the round trip took
	 */
	public Duration ping() {
		long start = System.nanoTime();
		this.template.execute((RedisCallback<String>) RedisConnectionCommands::ping);
		return Duration.ofNanos(System.nanoTime() - start);
	}

	/**
	 * The prefix of every key this limiter writes.
	 * @return the key prefix
	 */
	public String getKeyPrefix() {
		return this.keyPrefix;
	}

	private String now() {
		if (this.clock == null) {
			return REDIS_TIME;
		}
		long micros = Micros.now(this.clock);
		// "0" would mean "read Redis TIME", so the epoch itself is nudged by a microsecond.
		return Long.toString(Math.max(1, micros));
	}

	/**
	 * The keys and arguments of one script call, and the reading of its reply: one piece of code
	 * for the blocking and the non-blocking check.
	 */
	private final class ScriptCall {

		private final List<LimitSpec> limits;

		private final List<String> keys;

		private final String[] args;

		ScriptCall(RateLimitRequest request) {
			this.limits = request.limits();
			this.keys = new ArrayList<>(this.limits.size());
			this.args = new String[2 + 4 * this.limits.size()];
			this.args[0] = now();
			this.args[1] = Long.toString(request.cost());
			int i = 2;
			for (LimitSpec limit : this.limits) {
				this.keys.add(request.key(RedisRateLimiter.this.keyPrefix, limit));
				this.args[i++] = limit.algorithm().code();
				this.args[i++] = Long.toString(limit.limit());
				this.args[i++] = Long.toString(limit.windowMicros());
				this.args[i++] = Long.toString(limit.burst());
			}
		}

		Decision toDecision(@Nullable List<?> result) {
			if (result == null || result.size() != 1 + 4 * this.limits.size()) {
				throw new IllegalStateException("Unexpected reply from the rate limit script: " + result);
			}
			List<LimitState> states = new ArrayList<>(this.limits.size());
			for (int i = 0; i < this.limits.size(); i++) {
				int offset = 1 + 4 * i;
				states.add(LimitState.ofMicros(this.limits.get(i), toLong(result.get(offset)) == 1,
						toLong(result.get(offset + 1)), toLong(result.get(offset + 2)),
						toLong(result.get(offset + 3))));
			}
			return Decision.of(states);
		}

	}

	private static long toLong(@Nullable Object value) {
		if (value instanceof Number number) {
			return number.longValue();
		}
		throw new IllegalStateException("Unexpected value in the rate limit script's reply: " + value);
	}

	@Override
	public String toString() {
		return "RedisRateLimiter[prefix=" + this.keyPrefix + ", clock=" + ((this.clock != null) ? this.clock : "redis")
				+ ((this.reactiveCall != null) ? ", async" : "") + "]";
	}

}
