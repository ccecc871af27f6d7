package dev.ratelimit.web;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import dev.ratelimit.core.LimitSpec;
import dev.ratelimit.core.ScopeKind;
import dev.ratelimit.core.RateLimitRequest;
import dev.ratelimit.policy.InMemoryOverrideStore;
import dev.ratelimit.policy.KeyType;
import dev.ratelimit.policy.RateLimitOverride;
import dev.ratelimit.policy.RateLimitPolicy;
import dev.ratelimit.testfixtures.HeaderTierResolver;
import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockServletContext;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.support.StaticWebApplicationContext;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import org.springframework.web.util.pattern.PathPatternParser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link RequestPolicyResolver}: which operation, whose budget, which tier and
 * which limits apply to a request, without a limiter.
 *
 * @author rate-limit-spring-boot
 */
class RequestPolicyResolverTests {

	private static final String CLIENT_ADDRESS = "203.0.113.7";

	private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

	private static final Instant LATER = NOW.plus(Duration.ofHours(1));

	private final RateLimitPolicy policy = policy();

	private final InMemoryOverrideStore overrides = new InMemoryOverrideStore(Clock.fixed(NOW, ZoneOffset.UTC));

	private final AtomicInteger identityResolutions = new AtomicInteger();

	private final RequestPolicyResolver resolver = new RequestPolicyResolver(this.policy,
			annotatedOperations(this.policy, ProjectController.class), this::identity, new HeaderTierResolver(),
			new ClientAddressResolver(List.of()), this.overrides);

	@Test
	void excludedPathIsNotResolvedAndNotLookedAtFurther() {
		assertThat(this.resolver.resolve(request("GET", "/actuator/health", "alice", "pro"))).isNull();
		assertThat(this.resolver.resolve(request("GET", "/error", "alice", null))).isNull();
		assertThat(this.identityResolutions).hasValue(0);
	}

	@Test
	void annotationWinsOverAPathRule() {
		ResolvedRequest resolved = resolve("POST", "/projects/generate", "alice", null);
		assertThat(resolved.operation().name()).isEqualTo("ai_generation");
		assertThat(resolved.cost()).isEqualTo(2);
		assertThat(resolved.limits()).containsExactly(LimitSpec.of(5, Duration.ofHours(1)));
	}

	@Test
	void pathRuleWinsOverTheDefaultOperation() {
		ResolvedRequest resolved = resolve("GET", "/projects/list", "alice", null);
		assertThat(resolved.operation().name()).isEqualTo("projects");
		assertThat(resolved.cost()).isEqualTo(4);
		assertThat(resolved.limits()).containsExactly(LimitSpec.of(50, Duration.ofHours(1)));
	}

	@Test
	void requestNoAnnotationOrRuleNamesIsOnTheDefaultOperation() {
		ResolvedRequest resolved = resolve("GET", "/api/ping", "alice", null);
		assertThat(resolved.operation().name()).isEqualTo("api_requests");
		assertThat(resolved.cost()).isEqualTo(1);
		assertThat(resolved.limits()).containsExactly(LimitSpec.of(100, Duration.ofHours(1)));
	}

	@Test
	void globalLimitsAreAnotherScopeOfTheSameCheck() {
		ResolvedRequest resolved = resolve("POST", "/assistant", "alice", null);
		RateLimitRequest request = resolved.toRateLimitRequest();
		assertThat(request.scope()).isEqualTo(Identity.user("alice").scope());
		assertThat(request.limits()).containsExactly(LimitSpec.of(10, Duration.ofMinutes(1)));
		assertThat(request.additional()).singleElement().satisfies((global) -> {
			assertThat(global.scope()).isEqualTo("global");
			assertThat(global.limits()).containsExactly(LimitSpec.of(1000, Duration.ofHours(1)),
					LimitSpec.concurrency(100, Duration.ofSeconds(30)));
		});
		assertThat(request.isSimple()).isFalse();
	}

	@Test
	void anUnlimitedTierSkipsItsOwnLimitsButNotTheGlobalOnes() {
		ResolvedRequest resolved = resolve("POST", "/assistant", "alice", "enterprise");
		assertThat(resolved.isUnlimited()).isFalse();
		assertThat(resolved.limits()).isEmpty();
		RateLimitRequest request = resolved.toRateLimitRequest();
		assertThat(request.scope()).isEqualTo("global");
		assertThat(request.additional()).isEmpty();
		assertThat(resolved.scopeKind()).isEqualTo(ScopeKind.GLOBAL);
		assertThat(resolve("GET", "/api/ping", "alice", "enterprise").isUnlimited()).isTrue();
	}

	@Test
	void anOperationWithoutGlobalLimitsIsASimpleCheckAsBefore() {
		assertThat(resolve("GET", "/api/ping", "alice", null).toRateLimitRequest().isSimple()).isTrue();
	}

	@Test
	void ruleOfAnotherMethodDoesNotApply() {
		assertThat(resolve("GET", "/auth/login", "alice", null).operation().name()).isEqualTo("api_requests");
	}

	@Test
	void tierComesFromTheTierResolverAndDefaultsToTheDefaultTier() {
		assertThat(resolve("GET", "/api/ping", "alice", "pro").tier().name()).isEqualTo("pro");
		assertThat(resolve("GET", "/api/ping", "alice", "platinum").tier().name()).isEqualTo("free");
		assertThat(resolve("GET", "/api/ping", "alice", null).tier().name()).isEqualTo("free");
	}

	@Test
	void callerIsTheBudgetOwnerOfAnOperationKeyedByIdentity() {
		ResolvedRequest resolved = resolve("GET", "/api/ping", "alice", null);
		assertThat(resolved.identity()).isEqualTo(Identity.user("alice"));
		assertThat(resolved.toRateLimitRequest().scope()).isEqualTo(Identity.user("alice").scope());
	}

	@Test
	void clientAddressIsTheBudgetOwnerOfAnOperationKeyedByIp() {
		ResolvedRequest resolved = resolve("POST", "/auth/login", "alice", null);
		assertThat(resolved.operation().name()).isEqualTo("auth_operations");
		assertThat(resolved.identity()).isEqualTo(Identity.address(CLIENT_ADDRESS));
		assertThat(resolved.limits()).containsExactly(LimitSpec.of(2, Duration.ofMinutes(1)));
	}

	@Test
	void anonymousCallerOfAnOperationKeyedByIpKeepsItsAddress() {
		assertThat(resolve("POST", "/auth/login", null, null).identity()).isEqualTo(Identity.address(CLIENT_ADDRESS));
	}

	@Test
	void everyoneSharesTheBudgetOfAGlobalOperation() {
		ResolvedRequest resolved = resolve("GET", "/status", "alice", null);
		assertThat(resolved.identity()).isEqualTo(Identity.global());
		assertThat(resolve("GET", "/status", null, "pro").identity()).isEqualTo(Identity.global());
	}

	@Test
	void unlimitedTierHasNoLimitsButThoseKeyedByIpOrGlobal() {
		assertThat(resolve("GET", "/api/ping", "alice", "enterprise").isUnlimited()).isTrue();
		assertThat(resolve("POST", "/auth/login", "alice", "enterprise").limits())
			.containsExactly(LimitSpec.of(2, Duration.ofMinutes(1)));
		assertThat(resolve("GET", "/status", "alice", "enterprise").limits())
			.containsExactly(LimitSpec.of(100, Duration.ofSeconds(1)));
	}

	@Test
	void requestWithoutOverrideHasNone() {
		ResolvedRequest resolved = resolve("GET", "/api/ping", "alice", null);
		assertThat(resolved.override()).isNull();
		assertThat(resolved.isOwnTier()).isTrue();
	}

	@Test
	void multiplierScalesTheCallersOwnBudgets() {
		RateLimitOverride override = RateLimitOverride.multiplier(10, LATER);
		this.overrides.put(Identity.user("alice").scope(), override);
		ResolvedRequest resolved = resolve("GET", "/api/ping", "alice", null);
		assertThat(resolved.override()).isEqualTo(override);
		assertThat(resolved.tier().name()).isEqualTo("free");
		assertThat(resolved.isOwnTier()).isTrue();
		assertThat(resolved.limits()).singleElement().satisfies((limit) -> {
			assertThat(limit.limit()).isEqualTo(1000);
			assertThat(limit.window()).isEqualTo(Duration.ofHours(1));
		});
		assertThat(resolve("GET", "/api/ping", "bob", null).limits())
			.containsExactly(LimitSpec.of(100, Duration.ofHours(1)));
	}

	@Test
	void multiplierLeavesBudgetsSharedWithOtherCallersAlone() {
		this.overrides.put(Identity.user("alice").scope(), RateLimitOverride.multiplier(10, LATER));
		ResolvedRequest login = resolve("POST", "/auth/login", "alice", null);
		assertThat(login.override()).isNotNull();
		assertThat(login.limits()).containsExactly(LimitSpec.of(2, Duration.ofMinutes(1)));
		assertThat(resolve("GET", "/status", "alice", null).limits())
			.containsExactly(LimitSpec.of(100, Duration.ofSeconds(1)));
	}

	@Test
	void multiplierOfAnAddressScalesItsOwnBudgetKeyedByIp() {
		this.overrides.put(Identity.address(CLIENT_ADDRESS).scope(), RateLimitOverride.multiplier(3, LATER));
		assertThat(resolve("POST", "/auth/login", null, null).limits()).singleElement()
			.satisfies((limit) -> assertThat(limit.limit()).isEqualTo(6));
	}

	@Test
	void tierOverridePutsTheCallerOnAnotherTier() {
		this.overrides.put(Identity.user("alice").scope(), RateLimitOverride.tier("pro", LATER));
		ResolvedRequest resolved = resolve("POST", "/projects/generate", "alice", null);
		assertThat(resolved.tier().name()).isEqualTo("pro");
		assertThat(resolved.isOwnTier()).isFalse();
		assertThat(resolved.limits()).containsExactly(LimitSpec.of(50, Duration.ofHours(1)));
	}

	@Test
	void tierOverrideNamingAnUndefinedTierKeepsTheCallersOwn() {
		this.overrides.put(Identity.user("alice").scope(), RateLimitOverride.tier("gold", LATER));
		assertThat(resolve("GET", "/api/ping", "alice", "pro").tier().name()).isEqualTo("pro");
	}

	@Test
	void expiredOverrideNoLongerApplies() {
		this.overrides.put(Identity.user("alice").scope(), RateLimitOverride.multiplier(10, NOW));
		ResolvedRequest resolved = resolve("GET", "/api/ping", "alice", null);
		assertThat(resolved.override()).isNull();
		assertThat(resolved.limits()).containsExactly(LimitSpec.of(100, Duration.ofHours(1)));
	}

	@Test
	void pathThatIsNotValidPercentEncodingIsMalformed() {
		assertThatExceptionOfType(MalformedRequestException.class)
			.isThrownBy(() -> this.resolver.resolve(request("GET", "/api;%zz", "alice", null)))
			.withMessage("The request path is not valid percent-encoding.");
	}

	private ResolvedRequest resolve(String method, String path, @Nullable String user, @Nullable String tier) {
		ResolvedRequest resolved = this.resolver.resolve(request(method, path, user, tier));
		assertThat(resolved).isNotNull();
		return resolved;
	}

	private static MockHttpServletRequest request(String method, String path, @Nullable String user,
			@Nullable String tier) {
		MockHttpServletRequest request = new MockHttpServletRequest(method, path);
		request.setRemoteAddr(CLIENT_ADDRESS);
		if (user != null) {
			request.addHeader("X-User", user);
		}
		if (tier != null) {
			request.addHeader(HeaderTierResolver.HEADER, tier);
		}
		return request;
	}

	/**
	 * A user named by a test header, else the client address. Test only.
	 */
	private Identity identity(HttpServletRequest request) {
		this.identityResolutions.incrementAndGet();
		String user = request.getHeader("X-User");
		return (user != null) ? Identity.user(user) : Identity.address(request.getRemoteAddr());
	}

	/**
	 * Tiers free, pro and enterprise (unlimited); operations by path rule (projects, cost
	 * 4), by address (auth_operations) and shared by everyone (status); the default
	 * exclusions.
	 */
	private static RateLimitPolicy policy() {
		PathPatternParser parser = PathPatternParser.defaultInstance;
		return RateLimitPolicy.builder()
			.tier("free", false, null,
					Map.of("api_requests", List.of(LimitSpec.of(100, Duration.ofHours(1))), "ai_generation",
							List.of(LimitSpec.of(5, Duration.ofHours(1))), "projects",
							List.of(LimitSpec.of(50, Duration.ofHours(1)))))
			.tier("pro", false, null,
					Map.of("api_requests", List.of(LimitSpec.of(1000, Duration.ofHours(1))), "ai_generation",
							List.of(LimitSpec.of(50, Duration.ofHours(1)))))
			.tier("enterprise", true, null, Map.of())
			.operation("projects", KeyType.IDENTITY, 4, List.of())
			.operation("auth_operations", KeyType.IP, 1, List.of(LimitSpec.of(2, Duration.ofMinutes(1))))
			.operation("status", KeyType.GLOBAL, 1, List.of(LimitSpec.of(100, Duration.ofSeconds(1))))
			.operation("assistant", KeyType.IDENTITY, 1, List.of(LimitSpec.of(10, Duration.ofMinutes(1))),
					List.of(LimitSpec.of(1000, Duration.ofHours(1)),
							LimitSpec.concurrency(100, Duration.ofSeconds(30))))
			.endpointRule(null, parser.parse("/projects/**"), "projects")
			.endpointRule("POST", parser.parse("/auth/login"), "auth_operations")
			.endpointRule(null, parser.parse("/status"), "status")
			.endpointRule("POST", parser.parse("/assistant"), "assistant")
			.exclude(parser.parse("/actuator/**"))
			.exclude(parser.parse("/error"))
			.build();
	}

	private static AnnotatedOperations annotatedOperations(RateLimitPolicy policy, Class<?>... controllers) {
		StaticWebApplicationContext context = new StaticWebApplicationContext();
		context.setServletContext(new MockServletContext());
		for (Class<?> controller : controllers) {
			context.registerSingleton(controller.getSimpleName(), controller);
		}
		context.refresh();
		RequestMappingHandlerMapping mapping = new RequestMappingHandlerMapping();
		mapping.setApplicationContext(context);
		mapping.afterPropertiesSet();
		DefaultListableBeanFactory beanFactory = new DefaultListableBeanFactory();
		beanFactory.registerSingleton("requestMappingHandlerMapping", mapping);
		AnnotatedOperations operations = new AnnotatedOperations(policy,
				beanFactory.getBeanProvider(RequestMappingHandlerMapping.class));
		operations.afterSingletonsInstantiated();
		return operations;
	}

	@RestController
	static class ProjectController {

		@PostMapping("/projects/generate")
		@RateLimited(operation = "ai_generation", cost = 2)
		String generate() {
			return "generated";
		}

		@GetMapping("/projects/list")
		String list() {
			return "projects";
		}

	}

}
