package dev.ratelimit.web;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.ratelimit.core.Decision;
import dev.ratelimit.core.LimitSpec;
import dev.ratelimit.core.LimitState;
import dev.ratelimit.policy.KeyType;
import dev.ratelimit.policy.OperationPolicy;
import dev.ratelimit.policy.TierPolicy;
import org.junit.jupiter.api.Test;

import org.springframework.mock.web.MockHttpServletResponse;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link RateLimitHeaderWriter}.
 *
 * @author rate-limit-spring-boot
 */
class RateLimitHeaderWriterTests {

	private static final LimitSpec HOURLY = LimitSpec.of(5, Duration.ofHours(1));

	private static final LimitSpec DAILY = LimitSpec.of(20, Duration.ofDays(1));

	private static final ResolvedRequest REQUEST = new ResolvedRequest(
			new OperationPolicy("ai_generation", "aigeneration", KeyType.IDENTITY, 1, List.of()),
			new TierPolicy("free", "free", false, null, Map.of()), Identity.apiKey("key"), List.of(HOURLY, DAILY), 1);

	private static final String[] LEGACY = { "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset" };

	private static final String[] IETF = { "RateLimit", "RateLimit-Policy" };

	@Test
	void legacyHeadersDescribeTheBindingLimit() {
		MockHttpServletResponse response = write(true, false, allowed());
		assertThat(response.getHeader("X-RateLimit-Limit")).isEqualTo("5");
		assertThat(response.getHeader("X-RateLimit-Remaining")).isEqualTo("4");
		assertThat(response.getHeader("X-RateLimit-Reset")).isEqualTo("720");
		assertThat(response.getHeaderNames()).doesNotContain(IETF).doesNotContain("Retry-After");
	}

	@Test
	void ietfHeadersListEveryLimitAndDescribeTheBindingOne() {
		MockHttpServletResponse response = write(false, true, allowed());
		assertThat(response.getHeader("RateLimit-Policy"))
			.isEqualTo("\"ai_generation-1h\";q=5;w=3600, \"ai_generation-1d\";q=20;w=86400");
		assertThat(response.getHeader("RateLimit")).isEqualTo("\"ai_generation-1h\";r=4;t=720");
		assertThat(response.getHeaderNames()).doesNotContain(LEGACY);
	}

	@Test
	void bothSetsCanBeWrittenTogether() {
		MockHttpServletResponse response = write(true, true, allowed());
		assertThat(response.getHeaderNames()).contains(LEGACY).contains(IETF);
	}

	@Test
	void withBothSetsOffAnAllowedRequestGetsNoHeaders() {
		assertThat(write(false, false, allowed()).getHeaderNames()).isEmpty();
	}

	@Test
	void withBothSetsOffADeniedRequestStillGetsRetryAfter() {
		MockHttpServletResponse response = write(false, false, denied(Duration.ofSeconds(30)));
		assertThat(response.getHeaderNames()).containsExactly("Retry-After");
		assertThat(response.getHeader("Retry-After")).isEqualTo("30");
	}

	@Test
	void bindingLimitIsTheOneWithTheFewestUnitsLeft() {
		Decision decision = Decision.of(List.of(new LimitState(HOURLY, true, 4, Duration.ofMinutes(12), Duration.ZERO),
				new LimitState(DAILY, true, 1, Duration.ofHours(20), Duration.ZERO)));
		MockHttpServletResponse response = write(true, true, decision);
		assertThat(response.getHeader("X-RateLimit-Limit")).isEqualTo("20");
		assertThat(response.getHeader("X-RateLimit-Remaining")).isEqualTo("1");
		assertThat(response.getHeader("X-RateLimit-Reset")).isEqualTo("72000");
		assertThat(response.getHeader("RateLimit")).isEqualTo("\"ai_generation-1d\";r=1;t=72000");
	}

	@Test
	void secondsAreRoundedUp() {
		MockHttpServletResponse response = write(true, true,
				Decision.of(List.of(new LimitState(HOURLY, true, 4, Duration.ofMillis(719_001), Duration.ZERO))));
		assertThat(response.getHeader("X-RateLimit-Reset")).isEqualTo("720");
		assertThat(response.getHeader("RateLimit")).endsWith(";t=720");
		assertThat(RateLimitHeaderWriter.seconds(Duration.ofNanos(1))).isEqualTo(1);
		assertThat(RateLimitHeaderWriter.seconds(Duration.ofSeconds(3))).isEqualTo(3);
		assertThat(RateLimitHeaderWriter.seconds(Duration.ofMillis(3_500))).isEqualTo(4);
		assertThat(RateLimitHeaderWriter.seconds(Duration.ZERO)).isZero();
	}

	@Test
	void windowsBelowASecondAreRoundedUpInThePolicy() {
		LimitSpec perHalfSecond = LimitSpec.of(10, Duration.ofMillis(500));
		Decision decision = Decision
			.of(List.of(new LimitState(perHalfSecond, true, 9, Duration.ofMillis(50), Duration.ZERO)));
		MockHttpServletResponse response = write(false, true, decision);
		assertThat(response.getHeader("RateLimit-Policy")).isEqualTo("\"ai_generation-500ms\";q=10;w=1");
		assertThat(response.getHeader("RateLimit")).isEqualTo("\"ai_generation-500ms\";r=9;t=1");
	}

	@Test
	void retryAfterIsRoundedUp() {
		assertThat(write(true, false, denied(Duration.ofMillis(1_200))).getHeader("Retry-After")).isEqualTo("2");
		assertThat(write(true, false, denied(Duration.ofSeconds(3))).getHeader("Retry-After")).isEqualTo("3");
	}

	@Test
	void retryAfterIsAtLeastOneSecond() {
		assertThat(write(true, false, denied(Duration.ofMillis(200))).getHeader("Retry-After")).isEqualTo("1");
		assertThat(write(true, false, denied(Duration.ZERO)).getHeader("Retry-After")).isEqualTo("1");
	}

	@Test
	void deniedRequestDescribesTheDeniedLimit() {
		MockHttpServletResponse response = write(true, false, denied(Duration.ofSeconds(30)));
		assertThat(response.getHeader("X-RateLimit-Limit")).isEqualTo("5");
		assertThat(response.getHeader("X-RateLimit-Remaining")).isEqualTo("0");
	}

	@Test
	void unlimitedRequestGetsNoHeaders() {
		assertThat(write(true, true, Decision.unlimited()).getHeaderNames()).isEmpty();
	}

	@Test
	void unavailableDecisionGetsOnlyRetryAfter() {
		MockHttpServletResponse response = write(true, true, Decision.unavailable(Duration.ofMillis(2_500)));
		assertThat(response.getHeaderNames()).containsExactly("Retry-After");
		assertThat(response.getHeader("Retry-After")).isEqualTo("3");
	}

	@Test
	void aRequestAdmittedFromTheBurstAllowanceSaysSoAndShowsTheExhaustedLimit() {
		LimitSpec allowance = LimitSpec.burstAllowance(2, Duration.ofMinutes(5));
		Decision decision = Decision.of(
				List.of(new LimitState(HOURLY, false, 0, Duration.ofHours(1), Duration.ofMinutes(12)),
						new LimitState(DAILY, true, 15, Duration.ofHours(5), Duration.ZERO)),
				new LimitState(allowance, true, 1, Duration.ofMinutes(5), Duration.ZERO));
		MockHttpServletResponse response = write(true, false, decision);
		assertThat(response.getHeader("X-RateLimit-Burst-Used")).isEqualTo("true");
		assertThat(response.getHeader("X-RateLimit-Burst-Limit")).isEqualTo("2");
		assertThat(response.getHeader("X-RateLimit-Limit")).isEqualTo("5");
		assertThat(response.getHeader("X-RateLimit-Remaining")).isEqualTo("0");
		assertThat(response.getHeaderNames()).doesNotContain("Retry-After");
		// a spent allowance: denied, without the burst headers
		Decision spent = Decision.of(decision.limits(),
				new LimitState(allowance, false, 0, Duration.ofMinutes(5), Duration.ofMinutes(5)));
		MockHttpServletResponse denied = write(true, false, spent);
		assertThat(denied.getHeaderNames()).doesNotContain("X-RateLimit-Burst-Used", "X-RateLimit-Burst-Limit");
		assertThat(denied.getHeader("Retry-After")).isEqualTo("300");
	}

	@Test
	void aRequestLetThroughByShadowModeGetsTheRealHeadersButNoRetryAfter() {
		ResolvedRequest shadowed = new ResolvedRequest(REQUEST.operation().withShadow(), REQUEST.tier(),
				REQUEST.identity(), REQUEST.limits(), 1);
		MockHttpServletResponse response = new MockHttpServletResponse();
		new RateLimitHeaderWriter(true, false).write(response, shadowed, denied(Duration.ofSeconds(30)));
		assertThat(response.getHeader("X-RateLimit-Remaining")).isEqualTo("0");
		assertThat(response.getHeaderNames()).doesNotContain("Retry-After");
	}

	private static Decision allowed() {
		return Decision.of(List.of(new LimitState(HOURLY, true, 4, Duration.ofMinutes(12), Duration.ZERO),
				new LimitState(DAILY, true, 19, Duration.ofHours(1), Duration.ZERO)));
	}

	private static Decision denied(Duration retryAfter) {
		return Decision.of(List.of(new LimitState(HOURLY, false, 0, Duration.ofHours(1), retryAfter),
				new LimitState(DAILY, true, 15, Duration.ofHours(5), Duration.ZERO)));
	}

	private static MockHttpServletResponse write(boolean legacy, boolean ietf, Decision decision) {
		MockHttpServletResponse response = new MockHttpServletResponse();
		new RateLimitHeaderWriter(legacy, ietf).write(response, REQUEST, decision);
		return response;
	}

}
