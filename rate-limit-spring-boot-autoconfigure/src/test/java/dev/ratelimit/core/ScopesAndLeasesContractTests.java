package dev.ratelimit.core;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How every {@link RateLimiter} checks several scopes at once (all or nothing) and holds
 * concurrency leases. Every test uses its own random scopes and operation.
 *
 * @author rate-limit-spring-boot
 */
public abstract class ScopesAndLeasesContractTests extends FreshLimiterTests {

	protected static final Duration LEASE_TIMEOUT = Duration.ofSeconds(30);

	protected RateLimitRequest request(String caller, List<LimitSpec> callerLimits, List<LimitSpec> global) {
		return new RateLimitRequest(caller, this.operation, callerLimits, 1).and(ScopeKind.GLOBAL_SCOPE, global);
	}

	@ParameterizedTest
	@EnumSource(value = Algorithm.class, names = { "CONCURRENCY", "BUDGET", "BURST_ALLOWANCE" },
			mode = EnumSource.Mode.EXCLUDE)
	void aRequestTheGlobalLimitDeniesConsumesNothingOfTheCallers(Algorithm algorithm) {
		List<LimitSpec> callerLimits = List.of(LimitSpec.of(5, HOUR, algorithm));
		List<LimitSpec> global = List.of(LimitSpec.of(2, HOUR, algorithm));
		String first = caller();
		String second = caller();
		assertThat(this.limiter.check(request(first, callerLimits, global)).isAllowed()).isTrue();
		assertThat(this.limiter.check(request(second, callerLimits, global)).isAllowed()).isTrue();
		Decision denied = this.limiter.check(request(first, callerLimits, global));
		assertThat(denied.isAllowed()).isFalse();
		assertThat(denied.scope()).isEqualTo(ScopeKind.GLOBAL);
		assertThat(denied.isConcurrencyDenied()).isFalse();
		// The caller's own limit lost only the one request that was admitted.
		Decision peek = this.limiter.check(new RateLimitRequest(first, this.operation, callerLimits, 0));
		assertThat(peek.binding().remaining()).isEqualTo(4);
	}

	@ParameterizedTest
	@EnumSource(value = Algorithm.class, names = { "CONCURRENCY", "BUDGET", "BURST_ALLOWANCE" },
			mode = EnumSource.Mode.EXCLUDE)
	void aRequestTheCallersLimitDeniesConsumesNothingOfTheGlobalOne(Algorithm algorithm) {
		List<LimitSpec> callerLimits = List.of(LimitSpec.of(1, HOUR, algorithm));
		List<LimitSpec> global = List.of(LimitSpec.of(10, HOUR, algorithm));
		String caller = caller();
		assertThat(this.limiter.check(request(caller, callerLimits, global)).isAllowed()).isTrue();
		for (int i = 0; i < 3; i++) {
			Decision denied = this.limiter.check(request(caller, callerLimits, global));
			assertThat(denied.isAllowed()).isFalse();
			assertThat(denied.scope()).isEqualTo(ScopeKind.CALLER);
		}
		Decision peek = this.limiter.check(new RateLimitRequest(ScopeKind.GLOBAL_SCOPE, this.operation, global, 0));
		assertThat(peek.binding().remaining()).isEqualTo(9);
	}

	@Test
	void aConcurrencyLimitAdmitsUpToItsLimitAndTheNextOnceOneIsReleased() {
		List<LimitSpec> limits = List.of(LimitSpec.of(100, HOUR), LimitSpec.concurrency(2, LEASE_TIMEOUT));
		String caller = caller();
		Decision first = this.limiter.check(new RateLimitRequest(caller, this.operation, limits, 1));
		Decision second = this.limiter.check(new RateLimitRequest(caller, this.operation, limits, 1));
		assertThat(first.isAllowed()).isTrue();
		assertThat(first.leases()).hasSize(1);
		assertThat(second.isAllowed()).isTrue();
		// Headers describe the rate, not the lease.
		assertThat(second.binding().limit()).isEqualTo(LimitSpec.of(100, HOUR));
		Decision third = this.limiter.check(new RateLimitRequest(caller, this.operation, limits, 1));
		assertThat(third.isAllowed()).isFalse();
		assertThat(third.isConcurrencyDenied()).isTrue();
		assertThat(third.leases()).isEmpty();
		assertThat(third.retryAfter()).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(1));
		this.limiter.release(first);
		Decision fourth = this.limiter.check(new RateLimitRequest(caller, this.operation, limits, 1));
		assertThat(fourth.isAllowed()).isTrue();
		// A second release of the same decision frees nothing more.
		this.limiter.release(first);
		assertThat(this.limiter.check(new RateLimitRequest(caller, this.operation, limits, 1)).isAllowed()).isFalse();
		// Another caller has leases of its own.
		assertThat(this.limiter.check(new RateLimitRequest(caller(), this.operation, limits, 1)).isAllowed()).isTrue();
	}

	@Test
	void aConcurrencyDenialConsumesNoRate() {
		List<LimitSpec> limits = List.of(LimitSpec.of(3, HOUR), LimitSpec.concurrency(1, LEASE_TIMEOUT));
		String caller = caller();
		Decision held = this.limiter.check(new RateLimitRequest(caller, this.operation, limits, 1));
		for (int i = 0; i < 5; i++) {
			assertThat(this.limiter.check(new RateLimitRequest(caller, this.operation, limits, 1)).isAllowed())
				.isFalse();
		}
		this.limiter.release(held);
		Decision next = this.limiter.check(new RateLimitRequest(caller, this.operation, limits, 1));
		assertThat(next.isAllowed()).isTrue();
		assertThat(next.binding().remaining()).isEqualTo(1);
	}

	@Test
	void aGlobalConcurrencyLimitIsSharedByEveryCallerAndItsDenialTakesNoCallersLease() {
		List<LimitSpec> callerLimits = List.of(LimitSpec.concurrency(1, LEASE_TIMEOUT));
		List<LimitSpec> global = List.of(LimitSpec.concurrency(2, LEASE_TIMEOUT));
		String third = caller();
		Decision first = this.limiter.check(request(caller(), callerLimits, global));
		Decision second = this.limiter.check(request(caller(), callerLimits, global));
		assertThat(first.leases()).hasSize(2);
		assertThat(second.isAllowed()).isTrue();
		Decision denied = this.limiter.check(request(third, callerLimits, global));
		assertThat(denied.isConcurrencyDenied()).isTrue();
		assertThat(denied.scope()).isEqualTo(ScopeKind.GLOBAL);
		this.limiter.release(first);
		// The denial took no lease of the third caller's own: it is admitted now.
		assertThat(this.limiter.check(request(third, callerLimits, global)).isAllowed()).isTrue();
	}

	@Test
	void aPeekTakesNoLease() {
		List<LimitSpec> limits = List.of(LimitSpec.concurrency(1, LEASE_TIMEOUT));
		String caller = caller();
		Decision peek = this.limiter.check(new RateLimitRequest(caller, this.operation, limits, 0));
		assertThat(peek.isAllowed()).isTrue();
		assertThat(peek.leases()).isEmpty();
		assertThat(this.limiter.check(new RateLimitRequest(caller, this.operation, limits, 1)).isAllowed()).isTrue();
	}

}
