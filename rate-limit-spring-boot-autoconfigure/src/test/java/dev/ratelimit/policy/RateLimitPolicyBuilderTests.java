package dev.ratelimit.policy;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.ratelimit.core.LimitSpec;
import org.junit.jupiter.api.Test;

import org.springframework.http.server.PathContainer;
import org.springframework.web.util.pattern.PathPatternParser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Tests for {@link RateLimitPolicyBuilder}.
 *
 * @author rate-limit-spring-boot
 */
class RateLimitPolicyBuilderTests {

	private static final LimitSpec HUNDRED_AN_HOUR = LimitSpec.of(100, Duration.ofHours(1));

	@Test
	void operationThatOnlyATierNamesExists() {
		RateLimitPolicy policy = RateLimitPolicy.builder()
			.tier("free", false, null, Map.of("api_requests", List.of(HUNDRED_AN_HOUR)))
			.build();
		OperationPolicy operation = policy.operation("api-requests");
		assertThat(operation).isNotNull();
		assertThat(operation.name()).isEqualTo("api_requests");
		assertThat(operation.key()).isEqualTo(KeyType.IDENTITY);
		assertThat(policy.tierOrDefault(null).limitsFor(operation)).containsExactly(HUNDRED_AN_HOUR);
	}

	@Test
	void pathRulesAndExclusionsApply() {
		PathPatternParser paths = PathPatternParser.defaultInstance;
		RateLimitPolicy policy = RateLimitPolicy.builder()
			.operation("login", KeyType.IP, 1, List.of(LimitSpec.of(5, Duration.ofMinutes(1))))
			.tier("free", false, null, Map.of("api_requests", List.of(HUNDRED_AN_HOUR)))
			.endpointRule("POST", paths.parse("/auth/login"), "login")
			.exclude(paths.parse("/health"))
			.build();
		assertThat(policy.operationFor("POST", PathContainer.parsePath("/auth/login")).name()).isEqualTo("login");
		assertThat(policy.operationFor("GET", PathContainer.parsePath("/auth/login")).name()).isEqualTo("api_requests");
		assertThat(policy.isExcluded(PathContainer.parsePath("/health"))).isTrue();
	}

	@Test
	void namesThatMeanTheSameAreRefused() {
		RateLimitPolicyBuilder builder = RateLimitPolicy.builder()
			.operation("ai_generation", KeyType.IDENTITY, 1, List.of());
		assertThatIllegalArgumentException()
			.isThrownBy(() -> builder.operation("AiGeneration", KeyType.IDENTITY, 1, List.of()));
	}

	@Test
	void defaultsMustBeConfigured() {
		assertThatIllegalStateException()
			.isThrownBy(() -> RateLimitPolicy.builder()
				.tier("pro", false, null, Map.of("api_requests", List.of(HUNDRED_AN_HOUR)))
				.build())
			.withMessageContaining("'free'");
		assertThatIllegalStateException()
			.isThrownBy(() -> RateLimitPolicy.builder()
				.tier("free", false, null, Map.of("exports", List.of(HUNDRED_AN_HOUR)))
				.build())
			.withMessageContaining("'api_requests'");
	}

}
