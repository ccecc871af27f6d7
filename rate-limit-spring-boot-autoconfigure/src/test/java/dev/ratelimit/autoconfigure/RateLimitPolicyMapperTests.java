package dev.ratelimit.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.LimitSpec;
import dev.ratelimit.core.Windows;
import dev.ratelimit.policy.KeyType;
import dev.ratelimit.policy.OperationPolicy;
import dev.ratelimit.policy.RateLimitPolicy;
import dev.ratelimit.policy.TierPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.http.server.PathContainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class RateLimitPolicyMapperTests {

	private final RateLimitPolicyMapper mapper = new RateLimitPolicyMapper(ConfiguredNames.none(),
			InvalidRateLimitProperty.unlocated());

	@Test
	void resolvesTierLimitsBeforeOperationLimits() {
		RateLimitPolicy policy = this.mapper.toPolicy(properties());
		OperationPolicy login = policy.operation("auth_operations");
		assertThat(login).isNotNull();
		assertThat(policy.tierOrDefault("free").limitsFor(login))
			.containsExactly(LimitSpec.of(5, Duration.ofMinutes(1)));
		OperationPolicy generation = policy.operation("ai_generation");
		assertThat(policy.tierOrDefault("free").limitsFor(generation))
			.containsExactly(LimitSpec.of(5, Duration.ofHours(1)), LimitSpec.of(20, Duration.ofDays(1)));
	}

	@Test
	void unlimitedTierStillHonoursLimitsKeyedByAddress() {
		RateLimitPolicy policy = this.mapper.toPolicy(properties());
		TierPolicy enterprise = policy.tierOrDefault("enterprise");
		assertThat(enterprise.limitsFor(policy.operation("ai_generation"))).isEmpty();
		assertThat(enterprise.limitsFor(policy.operation("auth_operations"))).hasSize(1);
	}

	@Test
	void unknownTierFallsBackToDefault() {
		RateLimitPolicy policy = this.mapper.toPolicy(properties());
		assertThat(policy.tierOrDefault("platinum").name()).isEqualTo("free");
		assertThat(policy.tierOrDefault(null).name()).isEqualTo("free");
		assertThat(policy.tierOrDefault("FREE").name()).isEqualTo("free");
	}

	@Test
	void namesMeetWhateverTheirPunctuation() {
		RateLimitPolicy policy = this.mapper.toPolicy(properties());
		assertThat(policy.operation("ai-generation")).isSameAs(policy.operation("ai_generation"))
			.isSameAs(policy.operation("aigeneration"));
	}

	@Test
	void mostSpecificPathRuleWins() {
		RateLimitProperties properties = properties();
		OperationProperties all = new OperationProperties();
		all.setMatch(List.of("/projects/**"));
		all.setLimits(List.of(LimitProperties.valueOf("1/1h")));
		properties.getOperations().put("projects", all);
		RateLimitPolicy policy = this.mapper.toPolicy(properties);
		assertThat(policy.operationFor("POST", PathContainer.parsePath("/projects/validate")).name())
			.isEqualTo("project_validation");
		assertThat(policy.operationFor("GET", PathContainer.parsePath("/projects/validate")).name())
			.isEqualTo("projects");
		assertThat(policy.operationFor("GET", PathContainer.parsePath("/other")).name()).isEqualTo("api_requests");
		assertThat(policy.isExcluded(PathContainer.parsePath("/actuator/health"))).isTrue();
	}

	@Test
	void undefinedDefaultTierFails() {
		assertInvalid((properties) -> properties.setDefaultTier("gold"), "rate-limit.default-tier",
				"tier 'gold' is not configured");
	}

	@Test
	void undefinedDefaultOperationFails() {
		assertInvalid((properties) -> properties.setDefaultOperation("nothing"), "rate-limit.default-operation",
				"operation 'nothing' is not configured");
	}

	@Test
	void zeroLimitFails() {
		assertInvalid(
				(properties) -> properties.getTiers()
					.get("free")
					.getLimits()
					.put("api_requests", List.of(new LimitProperties(0, Duration.ofHours(1), Algorithm.TOKEN_BUCKET))),
				"rate-limit.tiers.free.limits.api_requests[0].limit", "at least 1");
	}

	@Test
	void missingWindowFails() {
		LimitProperties limit = new LimitProperties();
		limit.setLimit(5);
		assertInvalid((properties) -> properties.getTiers().get("free").getLimits().put("api_requests", List.of(limit)),
				"rate-limit.tiers.free.limits.api_requests[0].window", "at least 1ms");
	}

	@Test
	void malformedPathRuleFails() {
		assertInvalid(
				(properties) -> properties.getOperations()
					.get("project_validation")
					.setMatch(List.of("FETCH /projects/validate")),
				"rate-limit.operations.project_validation.match[0]", "is not a path rule");
		assertInvalid(
				(properties) -> properties.getOperations().get("project_validation").setMatch(List.of("POST projects")),
				"rate-limit.operations.project_validation.match[0]", "does not start with /");
		assertInvalid(
				(properties) -> properties.getOperations().get("project_validation").setMatch(List.of("/projects/{id")),
				"rate-limit.operations.project_validation.match[0]", "not a valid path pattern");
	}

	@Test
	void costAboveEveryPossibleAdmissionFails() {
		assertInvalid((properties) -> properties.getOperations().get("ai_generation").setCost(6),
				"rate-limit.operations.ai_generation.cost", "exceeds the limit 5/1h");
	}

	@Test
	void unlimitedTierWithLimitsFails() {
		assertInvalid(
				(properties) -> properties.getTiers()
					.get("enterprise")
					.getLimits()
					.put("api_requests", List.of(LimitProperties.valueOf("1/1h"))),
				"rate-limit.tiers.enterprise.limits", "is unlimited");
	}

	@Test
	void burstOnOtherAlgorithmFails() {
		LimitProperties limit = LimitProperties.valueOf("5/1h fixed-window");
		limit.setBurst(2L);
		assertInvalid((properties) -> properties.getTiers().get("free").getLimits().put("api_requests", List.of(limit)),
				"rate-limit.tiers.free.limits.api_requests[0].burst", "token-bucket only");
	}

	@Test
	void globalLimitsAndConcurrencyAreMappedAndUnlimitedTiersSkipOnlyTheirOwn() {
		RateLimitProperties properties = properties();
		OperationProperties generation = properties.getOperations().get("ai_generation");
		generation.getGlobal().setLimits(List.of(LimitProperties.valueOf("1000/1h")));
		generation.getGlobal().setConcurrent(100);
		properties.getTiers().get("free").getConcurrent().put("ai_generation", 2);
		properties.getConcurrency().setLeaseTimeout(Duration.ofSeconds(10));
		RateLimitPolicy policy = this.mapper.toPolicy(properties);
		OperationPolicy operation = policy.operation("ai_generation");
		assertThat(operation.global()).containsExactly(LimitSpec.of(1000, Duration.ofHours(1)),
				LimitSpec.concurrency(100, Duration.ofSeconds(10)));
		assertThat(policy.tierOrDefault("free").limitsFor(operation)).containsExactly(
				LimitSpec.of(5, Duration.ofHours(1)), LimitSpec.of(20, Duration.ofDays(1)),
				LimitSpec.concurrency(2, Duration.ofSeconds(10)));
		assertThat(policy.tierOrDefault("enterprise").limitsFor(operation)).isEmpty();
		assertThat(policy.leaseTimeout()).isEqualTo(Duration.ofSeconds(10));
	}

	@Test
	void zeroOrNegativeConcurrencyFails() {
		assertInvalid((properties) -> properties.getTiers().get("free").getConcurrent().put("ai_generation", 0),
				"rate-limit.tiers.free.concurrent.ai_generation", "must be at least 1, was 0");
		assertInvalid((properties) -> properties.getOperations().get("ai_generation").getGlobal().setConcurrent(-1),
				"rate-limit.operations.ai_generation.global.concurrent", "must be at least 1, was -1");
	}

	@Test
	void aLeaseTimeoutUnderOneSecondFails() {
		assertInvalid((properties) -> properties.getConcurrency().setLeaseTimeout(Duration.ofMillis(999)),
				"rate-limit.concurrency.lease-timeout", "at least 1s");
	}

	@Test
	void globalLimitsOnAnOperationKeyedByGlobalFail() {
		assertInvalid((properties) -> {
			OperationProperties everyone = new OperationProperties();
			everyone.setKey(KeyType.GLOBAL);
			everyone.setLimits(List.of(LimitProperties.valueOf("100/1m")));
			everyone.getGlobal().setLimits(List.of(LimitProperties.valueOf("10/1s")));
			properties.getOperations().put("everyone", everyone);
		}, "rate-limit.operations.everyone.global", "keyed by global");
	}

	@Test
	void concurrencyOnAnUnlimitedTierFails() {
		assertInvalid((properties) -> properties.getTiers().get("enterprise").getConcurrent().put("ai_generation", 5),
				"rate-limit.tiers.enterprise.concurrent", "unlimited");
	}

	@Test
	void concurrencyIsNotTheAlgorithmOfARateLimit() {
		LimitProperties limit = LimitProperties.valueOf("5/1h");
		limit.setAlgorithm(Algorithm.CONCURRENCY);
		assertInvalid(
				(properties) -> properties.getTiers().get("free").getLimits().put("ai_generation", List.of(limit)),
				"rate-limit.tiers.free.limits.ai_generation[0].algorithm", "not the algorithm of a rate limit");
	}

	@Test
	void budgetsMapToExactMicroUnitsPerCallerGloballyAndPerTier() {
		RateLimitProperties properties = properties();
		OperationProperties generation = properties.getOperations().get("ai_generation");
		generation.getBudgets().put("usd", "5.00/1d");
		generation.getGlobal().getBudgets().put("usd", "100.000001/1mo");
		properties.getTiers().get("free").getBudgets().put("ai_generation", Map.of("usd", "0.5/1h"));
		RateLimitPolicy policy = this.mapper.toPolicy(properties);
		OperationPolicy operation = policy.operation("ai_generation");
		assertThat(operation.budgets()).containsExactly(LimitSpec.budget("usd", 5_000_000, Duration.ofDays(1)));
		assertThat(operation.global()).containsExactly(LimitSpec.budget("usd", 100_000_001, Windows.MONTH));
		assertThat(policy.tier("free").limitsFor(operation))
			.contains(LimitSpec.budget("usd", 500_000, Duration.ofHours(1)));
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|',
			value = { "5.0000001/1d | more decimals than the 6", "0/1d | more than zero", "-1.00/1d | more than zero",
					"5.00/1y | not a window of a budget", "five/1d | not a decimal amount", "5.00 | not a budget",
					"10000000000/1d | more than the largest budget" })
	void aBadBudgetFailsNamingItsProperty(String budget, String message) {
		assertInvalid((properties) -> properties.getOperations().get("ai_generation").getBudgets().put("usd", budget),
				"rate-limit.operations.ai_generation.budgets.usd", message);
	}

	@Test
	void aBurstAllowanceIsTheLastLimitOfTheTiersOperationsKeyedByCaller() {
		RateLimitProperties properties = properties();
		properties.getTiers().get("free").setBurstAllowance("2/5m");
		RateLimitPolicy policy = this.mapper.toPolicy(properties);
		TierPolicy free = policy.tierOrDefault("free");
		assertThat(free.limitsFor(policy.operation("ai_generation"))).containsExactly(
				LimitSpec.of(5, Duration.ofHours(1)), LimitSpec.of(20, Duration.ofDays(1)),
				LimitSpec.burstAllowance(2, Duration.ofMinutes(5)));
		// keyed by address: the service's protection, not the caller's plan
		assertThat(free.limitsFor(policy.operation("auth_operations")))
			.containsExactly(LimitSpec.of(5, Duration.ofMinutes(1)));
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', value = { "two/5m | is not a whole number", "2 | expected <limit>/<window>",
			"0/5m | at least 1 request", "2/5m fixed-window | takes no algorithm", "2/5q | is not a duration" })
	void aBadBurstAllowanceFailsNamingItsProperty(String notation, String message) {
		assertInvalid((properties) -> properties.getTiers().get("free").setBurstAllowance(notation),
				"rate-limit.tiers.free.burst-allowance", message);
	}

	@Test
	void aBurstAllowanceOnAnUnlimitedTierFails() {
		assertInvalid((properties) -> properties.getTiers().get("enterprise").setBurstAllowance("2/5m"),
				"rate-limit.tiers.enterprise.burst-allowance", "is unlimited and also has a burst allowance");
	}

	@Test
	void shadowModeIsMappedPerOperation() {
		RateLimitProperties properties = properties();
		properties.getOperations().get("ai_generation").setShadow(true);
		RateLimitPolicy policy = this.mapper.toPolicy(properties);
		assertThat(policy.operation("ai_generation").shadow()).isTrue();
		assertThat(policy.operation("auth_operations").shadow()).isFalse();
	}

	@Test
	void aBadZoneOfBudgetsFailsNamingItsProperty() {
		assertInvalid((properties) -> properties.getBudgets().setZone("Mars/Olympus"), "rate-limit.budgets.zone",
				"is not a time zone");
	}

	private void assertInvalid(Consumer<RateLimitProperties> change, String property, String message) {
		RateLimitProperties properties = properties();
		change.accept(properties);
		assertThatExceptionOfType(InvalidConfigurationPropertyValueException.class)
			.isThrownBy(() -> this.mapper.toPolicy(properties))
			.satisfies((ex) -> assertThat(ex.getName()).isEqualTo(property))
			.withMessageContaining(message)
			.satisfies((ex) -> assertThat(ex.getReason()).endsWith("."));
	}

	static RateLimitProperties properties() {
		RateLimitProperties properties = new RateLimitProperties();
		TierProperties free = new TierProperties();
		free.setUpgradeUrl("/pricing");
		free.getLimits()
			.put("ai_generation", List.of(LimitProperties.valueOf("5/1h"), LimitProperties.valueOf("20/1d")));
		free.getLimits().put("project_validation", List.of(LimitProperties.valueOf("50/1h")));
		free.getLimits().put("api_requests", List.of(LimitProperties.valueOf("1000/1h")));
		TierProperties enterprise = new TierProperties();
		enterprise.setUnlimited(true);
		properties.getTiers().put("free", free);
		properties.getTiers().put("enterprise", enterprise);
		OperationProperties validation = new OperationProperties();
		validation.setMatch(List.of("POST /projects/validate", "POST /projects/preview"));
		OperationProperties login = new OperationProperties();
		login.setMatch(List.of("POST /auth/login"));
		login.setKey(KeyType.IP);
		login.setLimits(List.of(LimitProperties.valueOf("5/1m")));
		properties.getOperations().put("project_validation", validation);
		properties.getOperations().put("auth_operations", login);
		properties.getOperations().put("ai_generation", new OperationProperties());
		return properties;
	}

}
