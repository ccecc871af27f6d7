package dev.ratelimit.redis;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.BudgetCalendar;
import dev.ratelimit.core.Decision;
import dev.ratelimit.core.Lease;
import dev.ratelimit.core.LimitSpec;
import dev.ratelimit.core.LimitState;
import dev.ratelimit.core.RateLimitRequest;
import dev.ratelimit.core.ScopeKind;
import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

/**
 * The keys and arguments of one call of the check script, and the reading of its reply:
 * one piece of code for the blocking and both non-blocking clients. The script's protocol
 * is specified in {@code docs/algorithms.md}: one key per limit, then {@code now} and the
 * cost, then four arguments per limit; the reply is the overall verdict followed by four
 * numbers per limit.
 * <p>
 * A request of several scopes (or with concurrency limits) puts the keys of every scope
 * into the one call, in the order of {@link RateLimitRequest#scopes()}, and a lease id
 * into the fourth argument of each concurrency limit; the reply then ends with the number
 * of expired leases the call removed per concurrency limit. A request of one scope
 * without concurrency limits is sent exactly as before scopes existed.
 * <p>
 * A burst allowance is the last limit of its scope; its fourth argument is the number of
 * limits just before it that it stands behind, and its reply tells whether it was
 * consulted and whether it admitted the request.
 *
 * @author rate-limit-spring-boot
 */
final class ScriptCall {

	private static final Supplier<String> NO_LEASES = () -> {
		throw new IllegalStateException("no lease ids for this call");
	};

	private final List<LimitSpec> limits;

	private final String[] keys;

	private final String[] args;

	/** The kind of scope of each limit; {@code null} for a request of one scope. */
	private final ScopeKind @Nullable [] scopes;

	/** The lease of each limit, {@code null} where it is a rate; {@code null} if none. */
	private final Lease @Nullable [] leases;

	private final int leaseCount;

	private final boolean withNow;

	/** The index of the burst allowance among the limits, -1 when there is none. */
	private final int burstIndex;

	/** The number of limits the burst allowance stands behind. */
	private final int burstCovers;

	/** What the reply said about expired leases, once read. */
	private long freed;

	/** The "now" the script used, once read, when asked for. */
	private long scriptNow;

	/** The states of the reply, once read, when "now" was asked for (for a refund). */
	private LimitState @Nullable [] states;

	/**
	 * Build the call of one check of a request without concurrency limits.
	 * @param request the request to check
	 * @param keyPrefix the prefix of every key
	 * @param now the script's "now" argument: microseconds since the epoch, or
	 * {@code "0"} to read Redis {@code TIME}
	 */
	ScriptCall(RateLimitRequest request, String keyPrefix, String now) {
		this(request, keyPrefix, now, NO_LEASES, false);
	}

	/**
	 * Build the call of one check.
	 * @param request the request to check
	 * @param keyPrefix the prefix of every key
	 * @param now the script's "now" argument: microseconds since the epoch, or
	 * {@code "0"} to read Redis {@code TIME}
	 * @param leaseIds a new lease id for each concurrency limit
	 * @param withNow whether to ask the script for the "now" it used (its last reply
	 * element)
	 */
	ScriptCall(RateLimitRequest request, String keyPrefix, String now, Supplier<String> leaseIds, boolean withNow) {
		this(request, keyPrefix, now, leaseIds, withNow, BudgetCalendar.UTC);
	}

	/**
	 * Build the call of one check.
	 * @param request the request to check
	 * @param keyPrefix the prefix of every key
	 * @param now the script's "now" argument: microseconds since the epoch, or
	 * {@code "0"} to read Redis {@code TIME}
	 * @param leaseIds a new lease id for each concurrency limit
	 * @param withNow whether to ask the script for the "now" it used (its last reply
	 * element)
	 * @param budgets decides the current window of each budget
	 */
	ScriptCall(RateLimitRequest request, String keyPrefix, String now, Supplier<String> leaseIds, boolean withNow,
			BudgetCalendar budgets) {
		this.withNow = withNow;
		if (request.isSimple()) {
			this.limits = request.limits();
			this.scopes = null;
			this.leases = null;
			this.leaseCount = 0;
			this.burstIndex = (request.burstAllowance() != null) ? this.limits.size() - 1 : -1;
			this.burstCovers = this.burstIndex;
			this.keys = new String[this.limits.size()];
			for (int i = 0; i < this.keys.length; i++) {
				this.keys[i] = request.key(keyPrefix, this.limits.get(i));
			}
		}
		else {
			List<LimitSpec> limits = new ArrayList<>();
			List<String> keys = new ArrayList<>();
			List<ScopeKind> scopes = new ArrayList<>();
			List<@Nullable Lease> leases = new ArrayList<>();
			// One id for every lease of the request (they are in different sets), so that
			// the leases held tell how many requests are in flight.
			String leaseId = null;
			int burstIndex = -1;
			int burstCovers = 0;
			for (RateLimitRequest scope : request.scopes()) {
				if (scope.burstAllowance() != null) {
					burstIndex = limits.size() + scope.limits().size() - 1;
					burstCovers = scope.limits().size() - 1;
				}
				ScopeKind kind = ScopeKind.of(scope.scope());
				for (LimitSpec limit : scope.limits()) {
					limits.add(limit);
					keys.add(scope.key(keyPrefix, limit));
					scopes.add(kind);
					if (limit.isConcurrency() && leaseId == null) {
						leaseId = leaseIds.get();
					}
					leases.add(
							limit.isConcurrency() ? new Lease(scope.scope(), scope.operation(), limit, leaseId) : null);
				}
			}
			this.limits = List.copyOf(limits);
			this.keys = keys.toArray(new String[0]);
			this.scopes = scopes.toArray(new ScopeKind[0]);
			this.leases = leases.toArray(new Lease[0]);
			this.leaseCount = (int) leases.stream().filter((lease) -> lease != null).count();
			this.burstIndex = burstIndex;
			this.burstCovers = burstCovers;
		}
		int size = this.limits.size();
		this.args = new String[2 + 4 * size + (withNow ? 1 : 0)];
		this.args[0] = now;
		this.args[1] = Long.toString(request.cost());
		int arg = 2;
		for (int i = 0; i < size; i++) {
			LimitSpec limit = this.limits.get(i);
			Lease lease = (this.leases != null) ? this.leases[i] : null;
			this.args[arg++] = limit.algorithm().code();
			this.args[arg++] = Long.toString(limit.limit());
			if (limit.isBudget()) {
				BudgetCalendar.Window window = budgets.current(limit.window());
				this.args[arg++] = Long.toString(window.start());
				this.args[arg++] = Long.toString(window.resetMicros());
				continue;
			}
			this.args[arg++] = Long.toString(limit.windowMicros());
			if (i == this.burstIndex) {
				this.args[arg++] = Integer.toString(this.burstCovers);
				continue;
			}
			this.args[arg++] = (lease != null) ? lease.id() : Long.toString(limit.burst());
		}
		if (withNow) {
			this.args[this.args.length - 1] = "t";
		}
	}

	/**
	 * The keys, for a template.
	 * @return the keys, one per limit
	 */
	List<String> keys() {
		return Arrays.asList(this.keys);
	}

	/**
	 * The arguments, for a template. The array itself, not a copy.
	 * @return the arguments
	 */
	String[] args() {
		return this.args;
	}

	/**
	 * The keys as UTF-8, as a template's string serializer would write them.
	 * @return the keys' bytes
	 */
	byte[][] encodedKeys() {
		return encode(this.keys);
	}

	/**
	 * The arguments as UTF-8.
	 * @return the arguments' bytes
	 */
	byte[][] encodedArgs() {
		return encode(this.args);
	}

	private static byte[][] encode(String[] values) {
		byte[][] encoded = new byte[values.length][];
		for (int i = 0; i < values.length; i++) {
			encoded[i] = values[i].getBytes(StandardCharsets.UTF_8);
		}
		return encoded;
	}

	/**
	 * Read the script's reply.
	 * @param reply the reply: a list of integers
	 * @return the decision
	 * @throws IllegalStateException when the reply is not what the script returns
	 */
	Decision toDecision(@Nullable List<?> reply) {
		int size = this.limits.size();
		if (reply == null || reply.size() != 1 + 4 * size + this.leaseCount + (this.withNow ? 1 : 0)) {
			throw new IllegalStateException("Unexpected reply from the rate limit script: " + reply);
		}
		LimitState[] states = new LimitState[size];
		for (int i = 0; i < size; i++) {
			int offset = 1 + 4 * i;
			states[i] = LimitState.ofMicros(this.limits.get(i), toLong(reply.get(offset)) == 1,
					toLong(reply.get(offset + 1)), toLong(reply.get(offset + 2)), toLong(reply.get(offset + 3)));
		}
		if (this.withNow) {
			this.scriptNow = toLong(reply.get(reply.size() - 1));
			this.states = states;
		}
		if (this.burstIndex >= 0) {
			return toDecisionWithBurst(reply, states);
		}
		ScopeKind[] scopes = this.scopes;
		if (scopes == null) {
			// An immutable list, so that the decision keeps it rather than copying it.
			return Decision.of(List.of(states));
		}
		List<Lease> leases = takenLeases(reply);
		this.freed = freedByExpiry(reply);
		return Decision.of(List.of(states), List.of(scopes), leases);
	}

	/**
	 * The leases an admitted call with a positive cost took.
	 */
	private List<Lease> takenLeases(List<?> reply) {
		Lease[] candidates = this.leases;
		if (candidates != null && this.leaseCount > 0 && toLong(reply.get(0)) == 1 && !"0".equals(this.args[1])) {
			return Arrays.stream(candidates).filter((lease) -> lease != null).toList();
		}
		return List.of();
	}

	/**
	 * The decision of a call with a burst allowance: the allowance's state apart from the
	 * limits, and only when the script consulted it (reply 1: admitted, 2: spent).
	 */
	private Decision toDecisionWithBurst(List<?> reply, LimitState[] states) {
		long consulted = toLong(reply.get(1 + 4 * this.burstIndex));
		LimitState burst = (consulted != 0) ? states[this.burstIndex] : null;
		List<LimitState> limits = new ArrayList<>(states.length - 1);
		List<ScopeKind> kinds = new ArrayList<>(states.length - 1);
		ScopeKind[] scopes = this.scopes;
		for (int i = 0; i < states.length; i++) {
			if (i != this.burstIndex) {
				limits.add(states[i]);
				if (scopes != null) {
					kinds.add(scopes[i]);
				}
			}
		}
		if (scopes == null) {
			return Decision.of(limits, burst);
		}
		List<Lease> leases = takenLeases(reply);
		this.freed = freedByExpiry(reply);
		return Decision.of(limits, kinds, leases, burst);
	}

	/**
	 * How many expired leases the call removed, once its reply has been read.
	 * @return the number
	 */
	long freed() {
		return this.freed;
	}

	/**
	 * How many expired leases (of instances that stopped renewing them) the call removed.
	 * @param reply the reply
	 * @return the number, 0 for a call without concurrency limits
	 */
	long freedByExpiry(List<?> reply) {
		long freed = 0;
		for (int i = 0; i < this.leaseCount; i++) {
			freed += toLong(reply.get(1 + 4 * this.limits.size() + i));
		}
		return freed;
	}

	/**
	 * The "now" the script used, once the reply has been read, when it was asked for.
	 * @return microseconds since the epoch
	 */
	long scriptNow() {
		Assert.state(this.withNow, "the call did not ask for the script's now");
		return this.scriptNow;
	}

	/**
	 * The arguments of the compensating refund of this call ({@code refund.lua}): the
	 * script's "now", the cost, and the same four arguments per limit.
	 * @return the refund's arguments
	 */
	String[] refundArgs() {
		String[] args = new String[2 + 4 * this.limits.size()];
		args[0] = Long.toString(scriptNow());
		System.arraycopy(this.args, 1, args, 1, args.length - 1);
		long cost = Long.parseLong(this.args[1]);
		LimitState[] states = this.states;
		Assert.state(states != null, "the call's reply has not been read");
		for (int i = 0; i < this.limits.size(); i++) {
			LimitSpec limit = this.limits.get(i);
			if (!states[i].allowed()) {
				// Not written: it denied while the burst allowance admitted the request
				// (or it is the allowance, unused).
				args[2 + 4 * i] = "-";
				continue;
			}
			if (limit.algorithm() == Algorithm.SLIDING_LOG) {
				// The log's size before the admission names the members it added.
				args[2 + 4 * i + 3] = Long.toString(limit.limit() - states[i].remaining() - cost);
			}
		}
		return args;
	}

	/**
	 * The limits of this call, one per key.
	 * @return the limits
	 */
	List<LimitSpec> limits() {
		return this.limits;
	}

	private static long toLong(@Nullable Object value) {
		if (value instanceof Number number) {
			return number.longValue();
		}
		throw new IllegalStateException("Unexpected value in the rate limit script's reply: " + value);
	}

}
