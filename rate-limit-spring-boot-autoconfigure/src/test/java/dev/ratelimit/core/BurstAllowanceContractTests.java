package dev.ratelimit.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How every {@link RateLimiter} admits requests from a burst allowance: only once the
 * caller's rate limits deny, only when nothing else denies, taking the allowance and
 * whatever else admitted the request but not the exhausted limits. The in-memory limiter
 * and the Redis script (standalone and across Redis Cluster slots) run the same tests, so
 * they give the same decisions. Every test uses its own random scopes and operation.
 *
 * @author rate-limit-spring-boot
 */
public abstract class BurstAllowanceContractTests extends FreshLimiterTests {

	protected static final Duration FIVE_MINUTES = Duration.ofMinutes(5);

	protected static final LimitSpec ALLOWANCE = LimitSpec.burstAllowance(2, FIVE_MINUTES);

	protected static final Duration LEASE_TIMEOUT = Duration.ofSeconds(30);

	private RateLimitRequest request(String caller, LimitSpec... limits) {
		return new RateLimitRequest(caller, this.operation, List.of(limits), 1);
	}

	private List<Decision> checkTimes(int times, RateLimitRequest request) {
		List<Decision> decisions = new ArrayList<>();
		for (int i = 0; i < times; i++) {
			decisions.add(this.limiter.check(request));
		}
		return decisions;
	}

	@ParameterizedTest
	@EnumSource(value = Algorithm.class, names = { "TOKEN_BUCKET", "SLIDING_WINDOW", "FIXED_WINDOW", "SLIDING_LOG" })
	void admitsExactlyTheAllowanceOnceTheLimitIsExhausted(Algorithm algorithm) {
		LimitSpec limit = LimitSpec.of(5, HOUR, algorithm);
		RateLimitRequest request = request(caller(), limit, ALLOWANCE);
		List<Decision> decisions = checkTimes(8, request);
		for (Decision normal : decisions.subList(0, 5)) {
			assertThat(normal.isAllowed()).isTrue();
			assertThat(normal.isBurstUsed()).isFalse();
			assertThat(normal.burstAllowance()).isNull();
			assertThat(normal.limits()).extracting(LimitState::limit).containsExactly(limit);
		}
		for (Decision burst : decisions.subList(5, 7)) {
			assertThat(burst.isAllowed()).isTrue();
			assertThat(burst.isBurstUsed()).isTrue();
			assertThat(burst.burstAllowance().limit()).isEqualTo(ALLOWANCE);
			assertThat(burst.retryAfter()).isZero();
			// The headers show the exhausted limit.
			assertThat(burst.binding().limit()).isEqualTo(limit);
			assertThat(burst.binding().remaining()).isZero();
			assertThat(burst.limits()).extracting(LimitState::limit).containsExactly(limit);
		}
		assertThat(decisions.get(5).burstAllowance().remaining()).isEqualTo(1);
		assertThat(decisions.get(6).burstAllowance().remaining()).isZero();
		Decision denied = decisions.get(7);
		assertThat(denied.isAllowed()).isFalse();
		assertThat(denied.isBurstUsed()).isFalse();
		assertThat(denied.burstAllowance().allowed()).isFalse();
		// The allowance refills at the end of its (calendar-aligned) window, before the
		// hour's limit does: that is when the request is admitted again.
		assertThat(denied.retryAfter()).isEqualTo(FIVE_MINUTES);
	}

	@Test
	void theAllowanceRefillsAfterItsWindow() {
		RateLimitRequest request = request(caller(), LimitSpec.of(1, HOUR, Algorithm.FIXED_WINDOW), ALLOWANCE);
		assertThat(checkTimes(4, request)).extracting(Decision::isAllowed).containsExactly(true, true, true, false);
		this.clock.advance(FIVE_MINUTES.minusMillis(1));
		assertThat(this.limiter.check(request).isAllowed()).isFalse();
		this.clock.advance(Duration.ofMillis(1));
		List<Decision> refilled = checkTimes(3, request);
		assertThat(refilled).extracting(Decision::isBurstUsed).containsExactly(true, true, false);
		assertThat(refilled.get(2).isAllowed()).isFalse();
	}

	@Test
	void aRequestAdmittedFromTheAllowanceTakesTheLimitsThatAdmittedItButNotTheExhaustedOne() {
		LimitSpec hour = LimitSpec.of(1, HOUR, Algorithm.FIXED_WINDOW);
		LimitSpec day = LimitSpec.of(10, Duration.ofDays(1), Algorithm.FIXED_WINDOW);
		String caller = caller();
		List<Decision> decisions = checkTimes(3, request(caller, hour, day, ALLOWANCE));
		assertThat(decisions).extracting(Decision::isBurstUsed).containsExactly(false, true, true);
		Decision peek = this.limiter.check(new RateLimitRequest(caller, this.operation, List.of(hour, day), 0));
		// the hour took one, the day three
		assertThat(peek.limits()).extracting(LimitState::remaining).containsExactly(0L, 7L);
	}

	@Test
	void aPeekNeverConsultsTheAllowance() {
		String caller = caller();
		LimitSpec limit = LimitSpec.of(1, HOUR);
		assertThat(this.limiter.check(request(caller, limit, ALLOWANCE)).isAllowed()).isTrue();
		Decision peek = this.limiter.check(new RateLimitRequest(caller, this.operation, List.of(limit, ALLOWANCE), 0));
		assertThat(peek.isBurstUsed()).isFalse();
		assertThat(peek.burstAllowance()).isNull();
		assertThat(checkTimes(3, request(caller, limit, ALLOWANCE))).extracting(Decision::isBurstUsed)
			.containsExactly(true, true, false);
	}

	@Test
	void aCostAboveTheAllowanceIsNeverAdmittedFromIt() {
		String caller = caller();
		LimitSpec limit = LimitSpec.of(5, HOUR, Algorithm.FIXED_WINDOW);
		Decision decision = this.limiter
			.check(new RateLimitRequest(caller, this.operation, List.of(limit, ALLOWANCE), 6));
		assertThat(decision.isAllowed()).isFalse();
		assertThat(decision.burstAllowance()).isNull();
	}

	@Test
	void aConcurrencyDenialIsNotAdmittedFromTheAllowance() {
		String caller = caller();
		RateLimitRequest request = request(caller, LimitSpec.of(5, HOUR), LimitSpec.concurrency(1, LEASE_TIMEOUT),
				ALLOWANCE);
		Decision holding = this.limiter.check(request);
		assertThat(holding.leases()).hasSize(1);
		Decision denied = this.limiter.check(request);
		assertThat(denied.isAllowed()).isFalse();
		assertThat(denied.isConcurrencyDenied()).isTrue();
		assertThat(denied.burstAllowance()).isNull();
		this.limiter.release(holding);
	}

	@Test
	void aRequestAdmittedFromTheAllowanceHoldsItsLease() {
		String caller = caller();
		RateLimitRequest request = request(caller, LimitSpec.of(1, HOUR), LimitSpec.concurrency(5, LEASE_TIMEOUT),
				ALLOWANCE);
		Decision first = this.limiter.check(request);
		Decision burst = this.limiter.check(request);
		assertThat(burst.isBurstUsed()).isTrue();
		assertThat(burst.leases()).hasSize(1);
		Decision peek = this.limiter
			.check(new RateLimitRequest(caller, this.operation, List.of(LimitSpec.concurrency(5, LEASE_TIMEOUT)), 0));
		assertThat(peek.binding().remaining()).isEqualTo(3);
		this.limiter.release(first);
		this.limiter.release(burst);
	}

	@Test
	void aGlobalDenialIsNotAdmittedFromTheAllowanceAndTakesNothingOfIt() {
		String caller = caller();
		List<LimitSpec> callerLimits = List.of(LimitSpec.of(1, HOUR, Algorithm.FIXED_WINDOW), ALLOWANCE);
		List<LimitSpec> global = List.of(LimitSpec.of(2, Duration.ofDays(1), Algorithm.FIXED_WINDOW));
		RateLimitRequest request = new RateLimitRequest(caller, this.operation, callerLimits, 1)
			.and(ScopeKind.GLOBAL_SCOPE, global);
		// the caller's own, then from the allowance (the global limit admits and is
		// taken)
		assertThat(checkTimes(2, request)).extracting(Decision::isBurstUsed).containsExactly(false, true);
		Decision denied = this.limiter.check(request);
		assertThat(denied.isAllowed()).isFalse();
		assertThat(denied.scope()).isEqualTo(ScopeKind.GLOBAL);
		assertThat(denied.burstAllowance()).isNull();
		// One unit of the allowance is left: the global denial took nothing of it.
		RateLimitRequest callerOnly = new RateLimitRequest(caller, this.operation, callerLimits, 1);
		assertThat(checkTimes(2, callerOnly)).extracting(Decision::isBurstUsed).containsExactly(true, false);
	}

}
