package dev.ratelimit.redis;

import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import dev.ratelimit.core.AsyncRateLimiter;
import dev.ratelimit.core.BudgetCalendar;
import dev.ratelimit.core.Decision;
import dev.ratelimit.core.Lease;
import dev.ratelimit.core.LimitSpec;
import dev.ratelimit.core.LimitState;
import dev.ratelimit.core.Micros;
import dev.ratelimit.core.RateLimitRequest;
import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.core.ScopeKind;
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
 * <p>
 * A request of several scopes (the caller's and the global one) is one script call over
 * the keys of all of them, atomic, except on Redis Cluster, where each scope is a slot:
 * there every scope is taken by a call of its own, sent at once, and a partial denial is
 * refunded exactly ({@code refund.lua}). The concurrency leases a check takes are held
 * until {@linkplain #release(Decision) released} and {@linkplain #renewLeases() renewed}
 * in one batched call per interval meanwhile.
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

	private static final LuaScript<Long> CHARGE = LuaScript.load("META-INF/scripts/rate-limit/charge.lua", Long.class);

	/**
	 * Several checks in one call, each by the check script's own text: see
	 * {@link ScriptBatcher}.
	 */
	@SuppressWarnings("rawtypes")
	private static final LuaScript<List> BATCH_SCRIPT = LuaScript.calling(SCRIPT, "check", BATCH_SCRIPT_LOCATION,
			List.class);

	private static final LuaScript<Long> REFUND = LuaScript.load("META-INF/scripts/rate-limit/refund.lua", Long.class);

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

	private final RedisLeases leases;

	private final boolean cluster;

	private volatile BudgetCalendar budgets;

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
		this(new StringRedisTemplate(connectionFactory), asyncCall(connectionFactory), keyPrefix, clock,
				ClusterMode.isCluster(connectionFactory));
	}

	RedisRateLimiter(StringRedisTemplate template, @Nullable AsyncScriptCall asyncCall, String keyPrefix,
			@Nullable Clock clock) {
		this(template, asyncCall, keyPrefix, clock,
				template.getConnectionFactory() != null && ClusterMode.isCluster(template.getConnectionFactory()));
	}

	RedisRateLimiter(StringRedisTemplate template, @Nullable AsyncScriptCall asyncCall, String keyPrefix,
			@Nullable Clock clock, boolean cluster) {
		Assert.notNull(template, "'template' must not be null");
		Assert.hasText(keyPrefix, "'keyPrefix' must not be empty");
		this.template = template;
		this.asyncCall = asyncCall;
		this.keyPrefix = keyPrefix;
		this.clock = clock;
		this.changes = new RedisChanges(template, keyPrefix);
		this.cluster = cluster;
		this.leases = new RedisLeases(template, keyPrefix, cluster);
		this.budgets = (clock != null) ? new BudgetCalendar(ZoneId.of("UTC"), clock) : BudgetCalendar.UTC;
	}

	/**
	 * Set what decides the window of each budget (the zone of calendar windows and the
	 * clock). By default UTC, by this limiter's clock when it was given one, else the
	 * system clock.
	 * @param budgets the calendar
	 */
	public void setBudgetCalendar(BudgetCalendar budgets) {
		Assert.notNull(budgets, "'budgets' must not be null");
		this.budgets = budgets;
	}

	/**
	 * What decides the window of each budget.
	 * @return the calendar
	 */
	public BudgetCalendar getBudgetCalendar() {
		return this.budgets;
	}

	/**
	 * Charge an admitted request's real cost to its budgets: one script call
	 * ({@code charge.lua}) for every budget of every scope, or one per scope on Redis
	 * Cluster, where each scope is a slot of its own. Each amount goes into the window
	 * the budget is in now (when the response completed). Throws when Redis fails; the
	 * {@code ResilientRateLimiter} around it drops such a charge.
	 * @param request the admitted request
	 * @param micros the amount per budget name, in micro-units
	 */
	@Override
	public void charge(RateLimitRequest request, Map<String, Long> micros) {
		List<String> keys = new ArrayList<>();
		List<String> args = new ArrayList<>();
		BudgetCalendar budgets = this.budgets;
		for (RateLimitRequest scope : request.scopes()) {
			for (LimitSpec limit : scope.limits()) {
				Long amount = limit.isBudget() ? micros.get(limit.name()) : null;
				if (amount == null || amount <= 0) {
					continue;
				}
				BudgetCalendar.Window window = budgets.current(limit.window());
				keys.add(scope.key(this.keyPrefix, limit));
				args.add(Long.toString(window.start()));
				args.add(Long.toString(amount));
				args.add(Long.toString(Math.max(1, (window.resetMicros() + 999) / 1000)));
			}
			if (this.cluster && !keys.isEmpty()) {
				chargeKeys(keys, args);
				keys.clear();
				args.clear();
			}
		}
		if (!keys.isEmpty()) {
			chargeKeys(keys, args);
		}
	}

	private void chargeKeys(List<String> keys, List<String> args) {
		this.template.execute(CHARGE, keys, args.toArray());
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
		if (this.cluster && !request.additional().isEmpty()) {
			return checkAcrossSlots(request);
		}
		ScriptCall call = call(request);
		List<?> reply = this.template.execute(SCRIPT, call.keys(), (Object[]) call.args());
		return leased(call, call.toDecision(reply));
	}

	/**
	 * A check of several scopes on Redis Cluster, where each scope is a hash slot of its
	 * own and no script may touch two: take in every scope with its own script call (sent
	 * at once on the non-blocking client), and when some scope denies, give back exactly
	 * what the others took with a compensating refund. One round trip when all admit (or
	 * all deny), two on a partial denial. Never over-admits; a denied request holds
	 * another scope's units until its refund, so a request checked meanwhile may be
	 * denied where a single atomic check would have admitted it.
	 */
	private Decision checkAcrossSlots(RateLimitRequest request) {
		AsyncScriptCall asyncCall = this.asyncCall;
		if (asyncCall != null) {
			return checkAcrossSlotsAsync(asyncCall, request).join();
		}
		List<RateLimitRequest> scopes = request.scopes();
		List<ScriptCall> calls = new ArrayList<>(scopes.size());
		List<Decision> decisions = new ArrayList<>(scopes.size());
		for (RateLimitRequest scope : scopes) {
			ScriptCall call = new ScriptCall(scope, this.keyPrefix, now(), this.leases, true, this.budgets);
			calls.add(call);
			decisions.add(call.toDecision(this.template.execute(SCRIPT, call.keys(), (Object[]) call.args())));
		}
		return combine(scopes, calls, decisions);
	}

	private CompletableFuture<Decision> checkAcrossSlotsAsync(AsyncScriptCall asyncCall, RateLimitRequest request) {
		List<RateLimitRequest> scopes = request.scopes();
		List<ScriptCall> calls = new ArrayList<>(scopes.size());
		List<CompletableFuture<Decision>> futures = new ArrayList<>(scopes.size());
		for (RateLimitRequest scope : scopes) {
			ScriptCall call = new ScriptCall(scope, this.keyPrefix, now(), this.leases, true, this.budgets);
			calls.add(call);
			futures.add(asyncCall.run(call));
		}
		// Off the client's event loop: a refund blocks.
		return CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0])).handleAsync((done, failure) -> {
			if (failure != null) {
				// Some scope's call failed: what the others took goes back.
				refundTaken(calls, futures);
				throw (failure instanceof RuntimeException ex) ? ex : new IllegalStateException(failure);
			}
			return combine(scopes, calls, futures.stream().map(CompletableFuture::join).toList());
		});
	}

	private void refundTaken(List<ScriptCall> calls, List<CompletableFuture<Decision>> futures) {
		for (int i = 0; i < calls.size(); i++) {
			CompletableFuture<Decision> future = futures.get(i);
			if (future.isDone() && !future.isCompletedExceptionally() && future.join().isAllowed()) {
				refund(calls.get(i));
			}
		}
	}

	private Decision combine(List<RateLimitRequest> scopes, List<ScriptCall> calls, List<Decision> decisions) {
		boolean allowed = decisions.stream().allMatch(Decision::isAllowed);
		List<LimitState> states = new ArrayList<>();
		List<ScopeKind> kinds = new ArrayList<>();
		List<Lease> leases = new ArrayList<>();
		// Only the caller's scope has a burst allowance: its call consulted it when its
		// own
		// rate limits denied. Another scope's denial refunds what that call took (the
		// allowance too), so the request is denied.
		LimitState burst = null;
		boolean othersAllowed = true;
		for (int i = 0; i < decisions.size(); i++) {
			Decision decision = decisions.get(i);
			if (decision.burstAllowance() != null) {
				burst = decision.burstAllowance();
			}
			else {
				othersAllowed &= decision.isAllowed();
			}
			ScopeKind kind = ScopeKind.of(scopes.get(i).scope());
			states.addAll(decision.limits());
			decision.limits().forEach((state) -> kinds.add(kind));
			this.leases.freedByExpiry(calls.get(i).freed());
			if (allowed) {
				leases.addAll(decision.leases());
			}
			else if (decision.isAllowed() && scopes.get(i).cost() > 0) {
				refund(calls.get(i));
			}
		}
		this.leases.acquired(leases);
		if (!othersAllowed) {
			// Denied by another scope, which no allowance overrides (a single atomic call
			// would not have consulted it); what the allowance admitted was refunded
			// above.
			burst = null;
		}
		return Decision.of(states, kinds, leases, burst);
	}

	/**
	 * Give back exactly what one admitted call took in its scope.
	 */
	private void refund(ScriptCall call) {
		if ("0".equals(call.args()[1])) {
			return;
		}
		this.template.execute(REFUND, call.keys(), (Object[]) call.refundArgs());
	}

	/**
	 * Note the leases a decision took, so that they are renewed until released.
	 */
	private Decision leased(ScriptCall call, Decision decision) {
		if (!decision.leases().isEmpty()) {
			this.leases.acquired(decision.leases());
		}
		this.leases.freedByExpiry(call.freed());
		return decision;
	}

	/**
	 * Release the leases of an admitted request: one script call (one per scope on Redis
	 * Cluster). Never throws; while Redis cannot answer, the release is dropped and the
	 * leases expire by themselves within the lease timeout.
	 * @param decision a decision of this limiter
	 */
	@Override
	public void release(Decision decision) {
		if (!decision.leases().isEmpty()) {
			this.leases.release(decision.leases());
		}
	}

	/**
	 * Renew every lease this limiter holds, in one script call (one per scope on Redis
	 * Cluster). Called in the background every third of the lease timeout (see
	 * {@link RedisLeaseRenewal}), never on a request's thread. Never throws.
	 * @return how many leases were renewed
	 */
	public int renewLeases() {
		return this.leases.renew(now());
	}

	/**
	 * How many leases this limiter holds now.
	 * @return the number of held leases
	 */
	public int heldLeases() {
		return this.leases.held().size();
	}

	/**
	 * How many requests of an operation hold leases of this limiter now: this instance's
	 * requests in flight under a concurrency limit.
	 * @param operation the canonical operation name
	 * @return the number of requests
	 */
	public long inFlight(String operation) {
		return this.leases.inFlight(operation);
	}

	/**
	 * How many expired leases this limiter's checks have removed: leases whose instance
	 * neither released nor renewed them (it died, or lost Redis for the lease timeout).
	 * @return the count since startup
	 */
	public long leasesFreedByExpiry() {
		return this.leases.freedByExpiry();
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
		if (this.cluster && !request.additional().isEmpty()) {
			return checkAcrossSlotsAsync(asyncCall, request);
		}
		ScriptCall call = call(request);
		CompletableFuture<Decision> decision = asyncCall.run(call);
		if (request.isSimple()) {
			return decision;
		}
		CompletableFuture<Decision> leased = decision.thenApply((taken) -> leased(call, taken));
		// A caller that stops waiting abandons the call itself, not only what follows it.
		leased.whenComplete((taken, failure) -> {
			if (leased.isCancelled()) {
				decision.cancel(false);
			}
		});
		return leased;
	}

	private ScriptCall call(RateLimitRequest request) {
		if (request.isSimple()) {
			return new ScriptCall(request, this.keyPrefix, now());
		}
		return new ScriptCall(request, this.keyPrefix, now(), this.leases, false, this.budgets);
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
