package dev.ratelimit.actuate;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.ratelimit.core.Decision;
import dev.ratelimit.core.LimitState;
import dev.ratelimit.web.MalformedRequestException;
import dev.ratelimit.web.RateLimitListener;
import dev.ratelimit.web.ResolvedRequest;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.util.Assert;

/**
 * Records what the rate limit filter decides as Micrometer meters:
 * <ul>
 * <li>{@value #REQUESTS} (counter; tags {@code tier}, {@code operation}, {@code outcome}):
 * every request the filter sees. The outcome is {@code allowed}, {@code denied},
 * {@code fallback} (decided by the failure mode because the backend could not) or
 * {@code excluded} (an excluded path; tier and operation {@code none}) or {@code rejected} (a
 * malformed request answered with {@code 400} before any check; tier and operation
 * {@code none}).</li>
 * <li>{@value #CHECK} (timer with a percentile histogram; tag {@code backend}): each limiter
 * call, {@code primary} when the limiter's backend decided, {@code fallback} when its failure mode
 * did (after a failed or timed out call, or at once while the circuit breaker is open). Requests
 * that need no call (excluded paths, unlimited callers) are not timed.</li>
 * <li>{@value #NEAR_LIMIT} (counter; tags {@code tier}, {@code operation}): allowed requests
 * that leave less than a share of one of their limits.</li>
 * </ul>
 * Tier and operation names come from the configured policy and outcomes are fixed, so the number
 * of series is bounded by the configuration whatever the callers send. The timer has no tier,
 * operation or allowed/denied tag: its histogram would multiply by each of them, and the backend's
 * latency does not depend on them.
 * <p>
 * Meters are created once per tier and operation and cached, so a request costs two map reads and
 * the increments, not a registry lookup.
 *
 * @author rate-limit-spring-boot
 */
public final class RateLimitMetrics implements RateLimitListener {

	/**
	 * Name of the request counter.
	 */
	public static final String REQUESTS = "ratelimit.requests";

	/**
	 * Name of the timer of limiter calls.
	 */
	public static final String CHECK = "ratelimit.check";

	/**
	 * Name of the counter of allowed requests near their limit.
	 */
	public static final String NEAR_LIMIT = "ratelimit.near.limit";

	/**
	 * The tier and operation tag of excluded requests, which have neither.
	 */
	static final String NONE = "none";

	// Redis answers in well under a millisecond on a local network, so the histogram starts below
	// Micrometer's default of 1ms; checks wait for Redis for the configured timeout at most.
	private static final Duration MINIMUM_EXPECTED_CHECK = Duration.ofNanos(100_000);

	private static final Duration MAXIMUM_EXPECTED_CHECK = Duration.ofSeconds(1);

	private final MeterRegistry registry;

	private final double nearLimitThreshold;

	private final Counter excluded;

	private final Counter rejected;

	private final Timer primaryChecks;

	private final Timer fallbackChecks;

	private final PerTierOperation<OperationMeters> meters = new PerTierOperation<>(OperationMeters::new);

	/**
	 * Create the meters.
	 * @param registry the registry to register them with
	 * @param nearLimitThreshold the share of a limit (of its burst, for a token bucket) below
	 * which an allowed request counts as near that limit, between 0 and 1
	 */
	public RateLimitMetrics(MeterRegistry registry, double nearLimitThreshold) {
		Assert.isTrue(nearLimitThreshold >= 0 && nearLimitThreshold <= 1,
				"'nearLimitThreshold' must be between 0 and 1");
		this.registry = registry;
		this.nearLimitThreshold = nearLimitThreshold;
		this.excluded = requests(NONE, NONE, Outcome.EXCLUDED);
		this.rejected = requests(NONE, NONE, Outcome.REJECTED);
		this.primaryChecks = checks("primary");
		this.fallbackChecks = checks("fallback");
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
	public void onDecision(HttpServletRequest request, ResolvedRequest resolved, Decision decision,
			long checkNanos) {
		OperationMeters meters = this.meters.get(resolved.tier().name(), resolved.operation().name());
		if (decision.isFallback()) {
			meters.fallback.increment();
			record(this.fallbackChecks, checkNanos);
		}
		else {
			(decision.isAllowed() ? meters.allowed : meters.denied).increment();
			record(this.primaryChecks, checkNanos);
		}
		if (decision.isAllowed() && isNearLimit(decision)) {
			meters.nearLimit.increment();
		}
	}

	private static void record(Timer timer, long checkNanos) {
		if (checkNanos > 0) {
			timer.record(checkNanos, TimeUnit.NANOSECONDS);
		}
	}

	/**
	 * Whether any limit is left with less than the threshold: with 5/1h and 100/1d, 10 left of the
	 * day is near the limit even while 5 of the hour are not (the binding limit of the headers
	 * is the one with the fewest units left, here the hourly one).
	 */
	private boolean isNearLimit(Decision decision) {
		List<LimitState> limits = decision.limits();
		for (int i = 0; i < limits.size(); i++) {
			LimitState state = limits.get(i);
			if (state.remaining() < this.nearLimitThreshold * state.limit().capacity()) {
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

	private Timer checks(String backend) {
		return Timer.builder(CHECK)
			.description("Time taken by the rate limiter to decide, including waiting for its backend")
			.tag("backend", backend)
			.publishPercentileHistogram()
			.minimumExpectedValue(MINIMUM_EXPECTED_CHECK)
			.maximumExpectedValue(MAXIMUM_EXPECTED_CHECK)
			.register(this.registry);
	}

	/**
	 * The outcomes of a request, as tagged.
	 */
	enum Outcome {

		ALLOWED("allowed"), DENIED("denied"), FALLBACK("fallback"), EXCLUDED("excluded"), REJECTED("rejected");

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

		private final Counter nearLimit;

		OperationMeters(String tier, String operation) {
			this.allowed = requests(tier, operation, Outcome.ALLOWED);
			this.denied = requests(tier, operation, Outcome.DENIED);
			this.fallback = requests(tier, operation, Outcome.FALLBACK);
			this.nearLimit = Counter.builder(NEAR_LIMIT)
				.description("Allowed requests that leave little of their binding limit")
				.tag("tier", tier)
				.tag("operation", operation)
				.register(RateLimitMetrics.this.registry);
		}

	}

}
