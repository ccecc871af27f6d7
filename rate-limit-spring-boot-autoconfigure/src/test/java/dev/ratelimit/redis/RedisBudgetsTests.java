package dev.ratelimit.redis;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.BudgetCalendar;
import dev.ratelimit.core.Decision;
import dev.ratelimit.core.LimitSpec;
import dev.ratelimit.core.LimitState;
import dev.ratelimit.core.Money;
import dev.ratelimit.core.RateLimitRequest;
import dev.ratelimit.core.ScopeKind;
import dev.ratelimit.core.Windows;
import dev.ratelimit.test.MutableClock;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for budgets in {@link RedisRateLimiter} on a real Redis with the test's clock:
 * read by the check, charged exactly by {@code charge.lua}, per calendar window.
 *
 * @author rate-limit-spring-boot
 */
class RedisBudgetsTests {

	private static final LimitSpec RATE = LimitSpec.of(1000, Duration.ofHours(1), Algorithm.FIXED_WINDOW);

	private static final LimitSpec USD = LimitSpec.budget("usd", Money.toMicros(new BigDecimal("5.00")),
			Duration.ofDays(1));

	private static final LimitSpec GLOBAL_USD = LimitSpec.budget("usd", Money.toMicros(new BigDecimal("100.00")),
			Duration.ofDays(1));

	private final MutableClock clock = MutableClock.startingAtMidnight();

	private final String prefix = "budgets-" + UUID.randomUUID();

	private final RedisRateLimiter limiter = new RedisRateLimiter(TestRedisTemplate.get(), this.prefix, this.clock);

	private final RedisRateLimiter otherInstance = new RedisRateLimiter(TestRedisTemplate.get(), this.prefix,
			this.clock);

	@Test
	void aSpentBudgetDeniesAndTheRequestThatOverdrawsItWasAdmitted() {
		RateLimitRequest request = request("u:alice");
		for (int i = 0; i < 5; i++) {
			Decision decision = this.limiter.check(request);
			assertThat(decision.isAllowed()).as("request %d", i + 1).isTrue();
			this.limiter.charge(request, Map.of("usd", Money.toMicros(new BigDecimal("1.20"))));
		}
		Decision denied = this.limiter.check(request);
		assertThat(denied.isAllowed()).isFalse();
		assertThat(denied.isBudgetDenied()).isTrue();
		LimitState budget = denied.binding();
		assertThat(Money.ofMicros(budget.spentMicros())).isEqualByComparingTo("6.00");
		assertThat(denied.scope()).isEqualTo(ScopeKind.CALLER);
		assertThat(denied.retryAfter()).isEqualTo(Duration.ofDays(1));
		// Denied: nothing of the rate limit was consumed.
		LimitState rate = this.limiter.check(peek("u:alice")).limits().get(0);
		assertThat(rate.remaining()).isEqualTo(995);
		// Another caller is unaffected.
		assertThat(this.limiter.check(request("u:bob")).isAllowed()).isTrue();
	}

	@Test
	void manySmallChargesFromTwoInstancesAddUpExactly() {
		RateLimitRequest request = request("u:carol");
		for (int i = 0; i < 500; i++) {
			RedisRateLimiter instance = (i % 2 == 0) ? this.limiter : this.otherInstance;
			// one micro-unit (the scale), and 7 x 0.0000002 = 0.0000014, rounded half up
			// to
			// one micro-unit
			instance.charge(request, Map.of("usd", Money.toMicros(new BigDecimal("0.000001"))));
			instance.charge(request,
					Map.of("usd", Money.roundToMicros(new BigDecimal("0.0000002").multiply(BigDecimal.valueOf(7)))));
		}
		LimitState budget = this.limiter.check(peek("u:carol")).limits().get(1);
		assertThat(Money.ofMicros(budget.spentMicros())).isEqualTo(new BigDecimal("0.001000"));
		LimitState global = this.limiter.check(peek("u:carol")).limits().get(2);
		assertThat(Money.ofMicros(global.spentMicros())).isEqualTo(new BigDecimal("0.001000"));
	}

	@Test
	void theGlobalBudgetStopsEveryoneOnceSpent() {
		this.limiter.charge(request("u:dave"), Map.of("usd", Money.toMicros(new BigDecimal("100.00"))));
		Decision denied = this.limiter.check(request("u:erin"));
		assertThat(denied.isBudgetDenied()).isTrue();
		assertThat(denied.scope()).isEqualTo(ScopeKind.GLOBAL);
	}

	@Test
	void aNewDayStartsAtZeroAndTheKeyExpiresAtTheEndOfItsDay() {
		RateLimitRequest request = request("u:frank");
		this.limiter.charge(request, Map.of("usd", Money.toMicros(new BigDecimal("5.00"))));
		assertThat(this.limiter.check(request).isAllowed()).isFalse();
		Long ttl = TestRedisTemplate.get().getExpire(request.key(this.prefix, USD));
		assertThat(ttl).isBetween(86_000L, 86_400L);
		this.clock.advance(Duration.ofDays(1));
		Decision nextDay = this.limiter.check(request);
		assertThat(nextDay.isAllowed()).isTrue();
		assertThat(nextDay.limits().get(1).spentMicros()).isZero();
	}

	@Test
	void calendarWindowsAlignToMidnightInTheZoneAndToTheFirstOfTheMonth() {
		ZoneId berlin = ZoneId.of("Europe/Berlin");
		BudgetCalendar calendar = new BudgetCalendar(berlin, this.clock);
		Instant noon = Instant.parse("2026-03-29T10:00:00Z");
		BudgetCalendar.Window day = calendar.windowAt(Duration.ofDays(1), noon);
		assertThat(Instant.EPOCH.plus(Duration.of(day.start(), java.time.temporal.ChronoUnit.MICROS)))
			.isEqualTo(Instant.parse("2026-03-28T23:00:00Z"));
		// the day clocks go forward has 23 hours
		assertThat(Duration.of(day.end() - day.start(), java.time.temporal.ChronoUnit.MICROS))
			.isEqualTo(Duration.ofHours(23));
		BudgetCalendar.Window month = calendar.windowAt(Windows.MONTH, noon);
		assertThat(Instant.EPOCH.plus(Duration.of(month.start(), java.time.temporal.ChronoUnit.MICROS)))
			.isEqualTo(Instant.parse("2026-02-28T23:00:00Z"));
		assertThat(Instant.EPOCH.plus(Duration.of(month.end(), java.time.temporal.ChronoUnit.MICROS)))
			.isEqualTo(Instant.parse("2026-03-31T22:00:00Z"));
		BudgetCalendar.Window hour = calendar.windowAt(Duration.ofHours(1), Instant.parse("2026-03-29T10:20:00Z"));
		assertThat(Duration.of(hour.resetMicros(), java.time.temporal.ChronoUnit.MICROS))
			.isEqualTo(Duration.ofMinutes(40));
	}

	@Test
	void aChargeAtTheLargestAmountStaysExact() {
		RateLimitRequest request = new RateLimitRequest("u:grace", "assistant_query",
				List.of(RATE, LimitSpec.budget("usd", Money.MAX_MICROS, Duration.ofDays(1))), 1);
		this.limiter.charge(request, Map.of("usd", Money.MAX_MICROS - 1));
		LimitState budget = this.limiter.check(request).limits().get(1);
		assertThat(budget.allowed()).isTrue();
		assertThat(budget.remaining()).isEqualTo(1);
		this.limiter.charge(request, Map.of("usd", 1L));
		assertThat(this.limiter.check(request).isBudgetDenied()).isTrue();
	}

	private RateLimitRequest request(String caller) {
		return new RateLimitRequest(caller, "assistant_query", List.of(RATE, USD), 1).and(ScopeKind.GLOBAL_SCOPE,
				List.of(GLOBAL_USD));
	}

	private RateLimitRequest peek(String caller) {
		return new RateLimitRequest(caller, "assistant_query", List.of(RATE, USD), 0).and(ScopeKind.GLOBAL_SCOPE,
				List.of(GLOBAL_USD));
	}

}
