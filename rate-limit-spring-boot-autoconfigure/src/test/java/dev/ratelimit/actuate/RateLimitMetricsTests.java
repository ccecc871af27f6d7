package dev.ratelimit.actuate;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.Decision;
import dev.ratelimit.core.LimitSpec;
import dev.ratelimit.core.LimitState;
import dev.ratelimit.policy.KeyType;
import dev.ratelimit.policy.OperationPolicy;
import dev.ratelimit.policy.TierPolicy;
import dev.ratelimit.web.Identity;
import dev.ratelimit.web.MalformedRequestException;
import dev.ratelimit.web.ResolvedRequest;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.mock.web.MockHttpServletRequest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class RateLimitMetricsTests {

	private static final LimitSpec TEN_PER_HOUR = LimitSpec.of(10, Duration.ofHours(1));

	private static final LimitSpec BURST_OF_FIVE = new LimitSpec(100, Duration.ofHours(1), Algorithm.TOKEN_BUCKET, 5);

	private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

	private final RateLimitMetrics metrics = new RateLimitMetrics(this.registry, 0.2);

	private final MockHttpServletRequest request = new MockHttpServletRequest();

	private final ResolvedRequest generation = resolved("free", "ai_generation", TEN_PER_HOUR);

	@Test
	void countsEachOutcomeByTierAndOperation() {
		this.metrics.onDecision(this.request, this.generation, allowed(TEN_PER_HOUR, 9), 1000);
		this.metrics.onDecision(this.request, this.generation, allowed(TEN_PER_HOUR, 8), 1000);
		this.metrics.onDecision(this.request, this.generation, denied(TEN_PER_HOUR), 1000);
		this.metrics.onDecision(this.request, resolved("pro", "ai_generation", TEN_PER_HOUR), allowed(TEN_PER_HOUR, 9),
				1000);
		this.metrics.onExcluded(this.request);
		assertThat(requests("free", "ai_generation", "allowed")).isEqualTo(2);
		assertThat(requests("free", "ai_generation", "denied")).isEqualTo(1);
		assertThat(requests("free", "ai_generation", "fallback")).isZero();
		assertThat(requests("pro", "ai_generation", "allowed")).isEqualTo(1);
		assertThat(requests("none", "none", "excluded")).isEqualTo(1);
	}

	@Test
	void countsMalformedRequestsAsRejected() {
		this.metrics.onRejected(this.request, new MalformedRequestException("The request path is not valid."));
		assertThat(requests("none", "none", "rejected")).isEqualTo(1);
		assertThat(requests("none", "none", "excluded")).isZero();
	}

	@Test
	void fallbackDecisionsCountAsFallbackWhetherAllowedOrDenied() {
		this.metrics.onDecision(this.request, this.generation, allowed(TEN_PER_HOUR, 9).asFallback(), 1000);
		this.metrics.onDecision(this.request, this.generation, denied(TEN_PER_HOUR).asFallback(), 1000);
		this.metrics.onDecision(this.request, this.generation, Decision.unavailable(Duration.ofSeconds(5)), 1000);
		assertThat(requests("free", "ai_generation", "fallback")).isEqualTo(3);
		assertThat(requests("free", "ai_generation", "allowed")).isZero();
		assertThat(requests("free", "ai_generation", "denied")).isZero();
	}

	@Test
	void leavesTheTimerOfChecksToTheirObservation() {
		this.metrics.onDecision(this.request, this.generation, allowed(TEN_PER_HOUR, 9), 2_000_000);
		this.metrics.onDecision(this.request, resolved("enterprise", "ai_generation"), Decision.unlimited(), 0);
		assertThat(requests("enterprise", "ai_generation", "allowed")).isEqualTo(1);
		assertThat(this.registry.find(RateLimitMetrics.CHECK).meters()).isEmpty();
	}

	@Test
	void countsAllowedRequestsThatLeaveLessThanTheThresholdOfTheirLimit() {
		// 20% of 10 is 2: remaining 2 is not near, 1 and 0 are.
		for (long remaining : new long[] { 3, 2, 1, 0 }) {
			this.metrics.onDecision(this.request, this.generation, allowed(TEN_PER_HOUR, remaining), 1000);
		}
		this.metrics.onDecision(this.request, this.generation, denied(TEN_PER_HOUR), 1000);
		assertThat(nearLimit("free", "ai_generation")).isEqualTo(2);
	}

	@Test
	void nearLimitOfATokenBucketIsRelativeToItsBurst() {
		ResolvedRequest request = resolved("free", "api_requests", BURST_OF_FIVE);
		this.metrics.onDecision(this.request, request, allowed(BURST_OF_FIVE, 1), 1000);
		this.metrics.onDecision(this.request, request, allowed(BURST_OF_FIVE, 0), 1000);
		assertThat(nearLimit("free", "api_requests")).isEqualTo(1);
	}

	@Test
	void nearLimitCountsAnyLimitOfSeveral() {
		// The hourly limit binds (5 left), the daily one has 10% left.
		LimitSpec daily = LimitSpec.of(100, Duration.ofDays(1));
		Decision decision = Decision.of(List.of(state(TEN_PER_HOUR, true, 5), state(daily, true, 10)));
		this.metrics.onDecision(this.request, resolved("free", "ai_generation", TEN_PER_HOUR, daily), decision, 1000);
		assertThat(nearLimit("free", "ai_generation")).isEqualTo(1);
	}

	@Test
	void metersAreCreatedOncePerTierAndOperation() {
		this.metrics.onDecision(this.request, this.generation, allowed(TEN_PER_HOUR, 9), 1000);
		int meters = this.registry.getMeters().size();
		this.metrics.onDecision(this.request, resolved("free", "ai_generation", TEN_PER_HOUR), allowed(TEN_PER_HOUR, 8),
				1000);
		this.metrics.onDecision(this.request, this.generation, denied(TEN_PER_HOUR), 1000);
		assertThat(this.registry.getMeters()).hasSize(meters);
		this.metrics.onDecision(this.request, resolved("free", "exports", TEN_PER_HOUR), allowed(TEN_PER_HOUR, 9),
				1000);
		// allowed, denied, shadowed, fallback, near-limit and burst-used of the new
		// operation
		assertThat(this.registry.getMeters()).hasSize(meters + 6);
	}

	@Test
	void thresholdOutsideZeroToOneIsRejected() {
		assertThatIllegalArgumentException().isThrownBy(() -> new RateLimitMetrics(this.registry, 1.5));
		assertThatIllegalArgumentException().isThrownBy(() -> new RateLimitMetrics(this.registry, -0.1));
		assertThatIllegalArgumentException().isThrownBy(() -> new RateLimitMetrics(this.registry, Double.NaN));
	}

	private double requests(String tier, String operation, String outcome) {
		Counter counter = this.registry.find(RateLimitMetrics.REQUESTS)
			.tags("tier", tier, "operation", operation, "outcome", outcome)
			.counter();
		return (counter != null) ? counter.count() : 0;
	}

	private double nearLimit(String tier, String operation) {
		return this.registry.get(RateLimitMetrics.NEAR_LIMIT)
			.tags("tier", tier, "operation", operation)
			.counter()
			.count();
	}

	private static Decision allowed(LimitSpec limit, long remaining) {
		return Decision.of(List.of(state(limit, true, remaining)));
	}

	private static Decision denied(LimitSpec limit) {
		return Decision.of(List.of(new LimitState(limit, false, 0, Duration.ofMinutes(6), Duration.ofMinutes(6))));
	}

	private static LimitState state(LimitSpec limit, boolean allowed, long remaining) {
		return new LimitState(limit, allowed, remaining, Duration.ofMinutes(1), Duration.ZERO);
	}

	private static ResolvedRequest resolved(String tier, String operation, LimitSpec... limits) {
		OperationPolicy operationPolicy = new OperationPolicy(operation, operation.replace("_", ""), KeyType.IDENTITY,
				1, List.of());
		TierPolicy tierPolicy = new TierPolicy(tier, tier, limits.length == 0, null,
				Map.of(operationPolicy.id(), List.of(limits)));
		return new ResolvedRequest(operationPolicy, tierPolicy, Identity.user("alice"), List.of(limits), 1);
	}

}
