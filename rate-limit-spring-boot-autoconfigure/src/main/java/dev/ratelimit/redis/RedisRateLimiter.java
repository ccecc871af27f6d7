package dev.ratelimit.redis;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import dev.ratelimit.core.AsyncRateLimiter;
import dev.ratelimit.core.Decision;
import dev.ratelimit.core.LimitSpec;
import dev.ratelimit.core.Micros;
import dev.ratelimit.core.RateLimitRequest;
import dev.ratelimit.core.RateLimiter;
import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.connection.RedisConnectionCommands;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.util.Assert;
import org.springframework.util.ClassUtils;

/**
 * A {@link RateLimiter} that keeps its state in Redis. Each check is one script call
 * ({@code EVALSHA}, falling back to {@code EVAL} only when Redis does not know the script
 * yet) that evaluates every limit of the request and consumes from all of them only when
 * all admit it. The arithmetic of each algorithm is specified in
 * {@code docs/algorithms.md}.
 * <p>
 * The time is Redis {@code TIME}, so every instance of the application shares one clock.
 * Tests may inject a {@link Clock} instead.
 * <p>
 * Created from a Lettuce connection factory (or given a
 * {@link ReactiveStringRedisTemplate}), the limiter can also
 * {@linkplain #checkAsync(RateLimitRequest) check without blocking}: the same script and
 * the same reading of its reply, sent through Lettuce's own asynchronous commands on the
 * factory's shared connection (or through the reactive template).
 * <p>
 * A check does no I/O but its one script call: the script is read from the class path
 * once, with its SHA1, when this class is initialised.
 *
 * @author rate-limit-spring-boot
 */
public final class RedisRateLimiter implements AsyncRateLimiter {

	static final String SCRIPT_LOCATION = "META-INF/scripts/rate-limit/check.lua";

	static final String BATCH_SCRIPT_LOCATION = "META-INF/scripts/rate-limit/check-batch.lua";

	/**
	 * The script's argument for "now" that tells it to read Redis {@code TIME}.
	 */
	private static final String REDIS_TIME = "0";

	@SuppressWarnings("rawtypes")
	private static final LuaScript<List> SCRIPT = LuaScript.load(SCRIPT_LOCATION, List.class);

	/**
	 * Several checks in one call, each by the check script's own text: see
	 * {@link ScriptBatcher}.
	 */
	@SuppressWarnings("rawtypes")
	private static final LuaScript<List> BATCH_SCRIPT = LuaScript.calling(SCRIPT, "check", BATCH_SCRIPT_LOCATION,
			List.class);

	// Neither client's classes may be touched without it: with Jedis alone, neither is
	// present.
	private static final boolean LETTUCE_PRESENT = ClassUtils.isPresent("io.lettuce.core.RedisClient",
			RedisRateLimiter.class.getClassLoader());

	private static final boolean REACTOR_PRESENT = ClassUtils.isPresent("reactor.core.publisher.Flux",
			RedisRateLimiter.class.getClassLoader());

	/**
	 * A peek (cost 0): reads one key that no caller has, writes nothing.
	 */
	private static final RateLimitRequest WARM_UP = new RateLimitRequest("warm-up", "warm-up",
			List.of(LimitSpec.of(1, Duration.ofSeconds(1))), 0);

	private final StringRedisTemplate template;

	private final String keyPrefix;

	private final @Nullable Clock clock;

	private final @Nullable AsyncScriptCall asyncCall;

	private final RedisChanges changes;

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
	 * @param clock the clock to take "now" from, or {@code null} to read Redis
	 * {@code TIME} (tests inject a clock; applications should not, because instances'
	 * clocks drift apart)
	 */
	public RedisRateLimiter(StringRedisTemplate template, String keyPrefix, @Nullable Clock clock) {
		this(template, (AsyncScriptCall) null, keyPrefix, clock);
	}

	/**
	 * Create a limiter that can also check without blocking through a reactive template.
	 * @param template the template to run the script with
	 * @param reactiveTemplate the template for {@link #checkAsync(RateLimitRequest)}, on
	 * the same Redis; {@code null} when the client has none (Jedis)
	 * @param keyPrefix the prefix of every key this limiter writes
	 * @param clock the clock to take "now" from, or {@code null} to read Redis
	 * {@code TIME}
	 */
	public RedisRateLimiter(StringRedisTemplate template, @Nullable ReactiveStringRedisTemplate reactiveTemplate,
			String keyPrefix, @Nullable Clock clock) {
		this(template, (reactiveTemplate != null) ? new ReactiveScriptCall(reactiveTemplate, SCRIPT) : null, keyPrefix,
				clock);
	}

	/**
	 * Create a limiter on a connection factory that reads the time from Redis. With
	 * Lettuce it can also check without blocking, on the factory's shared native
	 * connection (or, when the factory does not share its connection, on a reactive
	 * template); with Jedis it only blocks.
	 * @param connectionFactory the connection factory
	 * @param keyPrefix the prefix of every key this limiter writes
	 */
	public RedisRateLimiter(RedisConnectionFactory connectionFactory, String keyPrefix) {
		this(connectionFactory, keyPrefix, null);
	}

	/**
	 * Create a limiter on a connection factory. With Lettuce it can also check without
	 * blocking, on the factory's shared native connection (or, when the factory does not
	 * share its connection, on a reactive template); with Jedis it only blocks.
	 * @param connectionFactory the connection factory
	 * @param keyPrefix the prefix of every key this limiter writes
	 * @param clock the clock to take "now" from, or {@code null} to read Redis
	 * {@code TIME}
	 */
	public RedisRateLimiter(RedisConnectionFactory connectionFactory, String keyPrefix, @Nullable Clock clock) {
		this(new StringRedisTemplate(connectionFactory), asyncCall(connectionFactory), keyPrefix, clock);
	}

	RedisRateLimiter(StringRedisTemplate template, @Nullable AsyncScriptCall asyncCall, String keyPrefix,
			@Nullable Clock clock) {
		Assert.notNull(template, "'template' must not be null");
		Assert.hasText(keyPrefix, "'keyPrefix' must not be empty");
		this.template = template;
		this.asyncCall = asyncCall;
		this.keyPrefix = keyPrefix;
		this.clock = clock;
		this.changes = new RedisChanges(template, keyPrefix);
	}

	private static @Nullable AsyncScriptCall asyncCall(RedisConnectionFactory connectionFactory) {
		AsyncScriptCall call = LETTUCE_PRESENT ? LettuceScriptCall.of(connectionFactory, SCRIPT, BATCH_SCRIPT) : null;
		if (call == null && REACTOR_PRESENT) {
			call = ReactiveScriptCall.of(connectionFactory, SCRIPT);
		}
		return call;
	}

	@Override
	public Decision check(RateLimitRequest request) {
		ScriptCall call = call(request);
		List<?> reply = this.template.execute(SCRIPT, call.keys(), (Object[]) call.args());
		return call.toDecision(reply);
	}

	@Override
	public boolean canCheckAsync() {
		return this.asyncCall != null;
	}

	/**
	 * Run the check on the non-blocking client. Cancelling the future cancels the Redis
	 * command, so a caller that stops waiting (a Redis that hangs) leaves nothing running
	 * for it.
	 * @param request the caller, the operation and the limits to check
	 * @return the decision
	 * @throws IllegalStateException when the limiter's client cannot check without
	 * blocking
	 */
	@Override
	public CompletableFuture<Decision> checkAsync(RateLimitRequest request) {
		AsyncScriptCall asyncCall = this.asyncCall;
		Assert.state(asyncCall != null, "This limiter's Redis client cannot check without blocking");
		return asyncCall.run(call(request));
	}

	private ScriptCall call(RateLimitRequest request) {
		return new ScriptCall(request, this.keyPrefix, now());
	}

	@Override
	public void reset(RateLimitRequest request) {
		// All keys of one scope share a hash slot, so one DEL serves on Redis Cluster
		// too.
		this.template.delete(request.limits().stream().map((limit) -> request.key(this.keyPrefix, limit)).toList());
		// What other instances remember of the scope (denials in their over-limit caches)
		// would otherwise outlive the reset.
		this.changes.reset(request.scope());
	}

	/**
	 * Whether Redis has this limiter's script cached, so that checks run with
	 * {@code EVALSHA} alone. A limiter whose script is missing still works: it loads the
	 * script on its next check.
	 * @return {@code true} when the script is loaded
	 */
	public boolean isScriptLoaded() {
		List<Boolean> exists = this.template
			.execute((RedisCallback<List<Boolean>>) (connection) -> connection.scriptingCommands()
				.scriptExists(SCRIPT.getSha1()));
		return exists != null && !exists.isEmpty() && Boolean.TRUE.equals(exists.get(0));
	}

	/**
	 * Open the connection, load the scripts into Redis's script cache and run it once
	 * without consuming anything, so that the first real check does not pay for a cold
	 * start (class loading and connecting can take a second in a fresh JVM).
	 */
	public void warmUp() {
		for (LuaScript<?> script : List.of(SCRIPT, BATCH_SCRIPT)) {
			this.template.execute((RedisCallback<String>) (connection) -> connection.scriptingCommands()
				.scriptLoad(script.getScriptAsBytes()));
		}
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
		// "0" would mean "read Redis TIME", so the epoch itself is nudged by a
		// microsecond.
		return Long.toString(Math.max(1, micros));
	}

	@Override
	public String toString() {
		return "RedisRateLimiter[prefix=" + this.keyPrefix + ", clock=" + ((this.clock != null) ? this.clock : "redis")
				+ ((this.asyncCall != null) ? ", async" : "") + "]";
	}

}
