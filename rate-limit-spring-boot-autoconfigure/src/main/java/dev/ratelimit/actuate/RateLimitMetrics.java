package dev.ratelimit.actuate;

import java.math.BigDecimal;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

import dev.ratelimit.core.Decision;
import dev.ratelimit.core.LimitState;
import dev.ratelimit.web.AccessLists;
import dev.ratelimit.web.DefaultRateLimitCheckObservationConvention;
import dev.ratelimit.web.MalformedRequestException;
import dev.ratelimit.web.RateLimitListener;
import dev.ratelimit.web.ResolvedRequest;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.util.Assert;

/**
 * Records what the rate limit filter decides as Micrometer meters:
 * <ul>
 * <li>{@value #REQUESTS} (counter; tags {@code tier}, {@code operation},
 * {@code outcome}): every request the filter sees. The outcome is {@code allowed},
 * {@code denied}, {@code shadowed} (denied by the limits of an operation in shadow mode,
 * and let through), {@code fallback} (decided by the failure mode because the backend
 * could not) or {@code excluded} (an excluded path; tier and operation {@code none}) or
 * {@code rejected} (a malformed request answered with {@code 400} before any check; tier
 * and operation {@code none}) or {@code allowlisted} / {@code denylisted} (a caller on
 * the allow or deny list, let through or refused with {@code 403} before anything is
 * resolved; tier and operation {@code none}).</li>
 * <li>{@value #NEAR_LIMIT} (counter; tags {@code tier}, {@code operation}): allowed
 * requests that leave less than a share of one of their limits.</li>
 * <li>{@value #BURST_USED} (counter; tags {@code tier}, {@code operation}): allowed
 * requests admitted from their tier's burst allowance.</li>
 * </ul>
 * Tier and operation names come from the configured policy and outcomes are fixed, so the
 * number of series is bounded by the configuration whatever the callers send.
 * <p>
 * The time of each limiter call, {@value #CHECK}, is not recorded here: the filter
 * observes the call (see {@link DefaultRateLimitCheckObservationConvention}) and Boot's
 * meter observation handler makes the timer of it; {@link RateLimitCheckMeterFilter}
 * gives that timer its histogram.
 * <p>
 * Meters are created once per tier and operation and cached, so a request costs two map
 * reads and the increments, not a registry lookup.
 *
 * @author rate-limit-spring-boot
 */
public final class RateLimitMetrics implements RateLimitListener {

	/**
	 * Name of the request counter.
	 */
	public static final String REQUESTS = "ratelimit.requests";

	/**
	 * Name of the timer of limiter calls, made from their observation.
	 */
	public static final String CHECK = DefaultRateLimitCheckObservationConvention.NAME;

	/**
	 * Name of the counter of allowed requests near their limit.
	 */
	public static final String NEAR_LIMIT = "ratelimit.near.limit";

	/**
	 * Name of the counter of allowed requests that were admitted from their tier's burst
	 * allowance (counted among the allowed ones too), tagged by tier and operation.
	 */
	public static final String BURST_USED = "ratelimit.burst.used";

	/**
	 * Name of the counter of amounts charged to budgets, in the budget's unit, tagged by
	 * tier, operation and budget (all bounded by configuration).
	 */
	public static final String BUDGET_CHARGED = "ratelimit.budget.charged";

	private final ConcurrentHashMap<String, Counter> charged = new ConcurrentHashMap<>();

	/**
	 * The tier and operation tag of excluded requests, which have neither.
	 */
	static final String NONE = "none";

	private final MeterRegistry registry;

	private final double nearLimitThreshold;

	private final Counter excluded;

	private final Counter rejected;

	private final Counter allowlisted;

	private final Counter denylisted;

	private final PerTierOperation<OperationMeters> meters = new PerTierOperation<>(OperationMeters::new);

	/**
	 * Create the meters.
	 * @param registry the registry to register them with
	 * @param nearLimitThreshold the share of a limit (of its burst, for a token bucket)
	 * below which an allowed request counts as near that limit, between 0 and 1
	 */
	public RateLimitMetrics(MeterRegistry registry, double nearLimitThreshold) {
		Assert.isTrue(nearLimitThreshold >= 0 && nearLimitThreshold <= 1,
				"'nearLimitThreshold' must be between 0 and 1");
		this.registry = registry;
		this.nearLimitThreshold = nearLimitThreshold;
		this.excluded = requests(NONE, NONE, Outcome.EXCLUDED);
		this.rejected = requests(NONE, NONE, Outcome.REJECTED);
		this.allowlisted = requests(NONE, NONE, Outcome.ALLOWLISTED);
		this.denylisted = requests(NONE, NONE, Outcome.DENYLISTED);
	}

	@Override
	public void onExcluded(HttpServletRequest request) {
		this.excluded.increment();
	}

	@Override
	public void onRejected(HttpServletRequest request, MalformedRequestException rejection) {
		this.rejected.increment();
	}

	@Override
	public void onListed(HttpServletRequest request, AccessLists.Listing listing) {
		(listing == AccessLists.Listing.DENYLISTED ? this.denylisted : this.allowlisted).increment();
	}

	@Override
	public void onDecision(HttpServletRequest request, ResolvedRequest resolved, Decision decision, long checkNanos) {
		OperationMeters meters = this.meters.get(resolved.tier().name(), resolved.operation().name());
		if (decision.isFallback()) {
			meters.fallback.increment();
		}
		else if (decision.isAllowed()) {
			meters.allowed.increment();
			if (decision.isBurstUsed()) {
				meters.burst.increment();
			}
		}
		else {
			(resolved.isShadowed(decision) ? meters.shadowed : meters.denied).increment();
		}
		if (decision.isAllowed() && isNearLimit(decision)) {
			meters.nearLimit.increment();
		}
	}

	@Override
	public void onCharged(ResolvedRequest resolved, String budget, BigDecimal amount) {
		String tier = resolved.tier().name();
		String operation = resolved.operation().name();
		// A meter's value is a double: fine for a dashboard; the exact amounts are in
		// Redis.
		this.charged
			.computeIfAbsent(tier + '\u0000' + operation + '\u0000' + budget,
					(key) -> Counter.builder(BUDGET_CHARGED)
						.description("Amounts charged to budgets after the response, in the budget's unit")
						.tag("tier", tier)
						.tag("operation", operation)
						.tag("budget", budget)
						.register(this.registry))
			.increment(amount.doubleValue());
	}

	/**
	 * Whether any limit is left with less than the threshold: with 5/1h and 100/1d, 10
	 * left of the day is near the limit even while 5 of the hour are not (the binding
	 * limit of the headers is the one with the fewest units left, here the hourly one).
	 */
	private boolean isNearLimit(Decision decision) {
		List<LimitState> limits = decision.limits();
		for (int i = 0; i < limits.size(); i++) {
			LimitState state = limits.get(i);
			if (!state.limit().isBudget() && state.remaining() < this.nearLimitThreshold * state.limit().capacity()) {
				return true;
			}
		}
		return false;
	}

	private Counter requests(String tier, String operation, Outcome outcome) {
		return Counter.builder(REQUESTS)
			.description("Requests seen by the rate limiter")
			.tag("tier", tier)
			.tag("operation", operation)
			.tag("outcome", outcome.tag)
			.register(this.registry);
	}

	/**
	 * The outcomes of a request, as tagged.
	 */
	enum Outcome {

		ALLOWED("allowed"), DENIED("denied"), SHADOWED("shadowed"), FALLBACK("fallback"), EXCLUDED("excluded"),
		REJECTED("rejected"), ALLOWLISTED("allowlisted"), DENYLISTED("denylisted");

		final String tag;

		Outcome(String tag) {
			this.tag = tag;
		}

	}

	/**
	 * The meters of one tier and operation.
	 */
	private final class OperationMeters {

		private final Counter allowed;

		private final Counter denied;

		private final Counter fallback;

		private final Counter shadowed;

		private final Counter nearLimit;

		private final Counter burst;

		OperationMeters(String tier, String operation) {
			this.allowed = requests(tier, operation, Outcome.ALLOWED);
			this.denied = requests(tier, operation, Outcome.DENIED);
			this.fallback = requests(tier, operation, Outcome.FALLBACK);
			this.shadowed = requests(tier, operation, Outcome.SHADOWED);
			this.burst = Counter.builder(BURST_USED)
				.description("Allowed requests admitted from their tier's burst allowance")
				.tag("tier", tier)
				.tag("operation", operation)
				.register(RateLimitMetrics.this.registry);
			this.nearLimit = Counter.builder(NEAR_LIMIT)
				.description("Allowed requests that leave little of their binding limit")
				.tag("tier", tier)
				.tag("operation", operation)
				.register(RateLimitMetrics.this.registry);
		}

	}

}
