package dev.ratelimit.autoconfigure;

import java.math.BigDecimal;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

import dev.ratelimit.admin.RateLimitUsage;
import dev.ratelimit.core.Decision;
import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.local.InMemoryRateLimiter;
import dev.ratelimit.policy.InMemoryOverrideStore;
import dev.ratelimit.policy.OverrideStore;
import dev.ratelimit.policy.RateLimitPolicy;
import dev.ratelimit.redis.RedisOverrideStore;
import dev.ratelimit.redis.RedisRateLimiter;
import dev.ratelimit.resilience.OverLimitCachingRateLimiter;
import dev.ratelimit.resilience.ResilientRateLimiter;
import dev.ratelimit.test.RedisServer;
import dev.ratelimit.test.RedisServers;
import dev.ratelimit.test.context.SharedRedisConfiguration;
import dev.ratelimit.web.Identity;
import dev.ratelimit.web.IdentityResolver;
import dev.ratelimit.web.RateLimitCharges;
import dev.ratelimit.web.RateLimitFilter;
import dev.ratelimit.web.RequestPolicyResolver;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.core.env.Environment;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.security.core.context.SecurityContextHolder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;

class RateLimitAutoConfigurationTests {

	private static final String[] RULES = { "rate-limit.tiers.free.limits.ai_generation=5/1h, 20/1d",
			"rate-limit.tiers.free.limits.api_requests=1000/1h", "rate-limit.tiers.pro.limits.ai_generation=50/1h",
			"rate-limit.tiers.pro.limits.api_requests=10000/1h" };

	private final WebApplicationContextRunner webRunner = new WebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(RateLimitAutoConfiguration.class,
				RateLimitOverridesAutoConfiguration.class, RateLimitChargesAutoConfiguration.class))
		.withPropertyValues(RULES);

	@Test
	void chargesAndUsageAreBeansAndTheRedisLimiterCountsBudgetsInTheConfiguredZone() {
		this.webRunner.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class))
			.withUserConfiguration(SharedRedisConfiguration.class)
			.withPropertyValues("rate-limit.budgets.zone=Europe/Berlin")
			.run((context) -> {
				assertThat(context).hasSingleBean(RateLimitCharges.class).hasSingleBean(RateLimitUsage.class);
				assertThat(context.getBean(RedisRateLimiter.class).getBudgetCalendar().zone())
					.isEqualTo(ZoneId.of("Europe/Berlin"));
			});
	}

	@Test
	void aBadZoneOfBudgetsFailsStartupNamingTheProperty() {
		this.webRunner.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class))
			.withUserConfiguration(SharedRedisConfiguration.class)
			.withPropertyValues("rate-limit.budgets.zone=Nowhere/Else")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("rate-limit.budgets.zone"));
	}

	@Test
	void withoutRedisLimitsInMemoryAndRegistersTheFilter() {
		this.webRunner.run((context) -> {
			assertThat(context).hasSingleBean(RateLimitPolicy.class);
			assertThat(context.getBean(RateLimiter.class)).isInstanceOf(InMemoryRateLimiter.class);
			assertThat(context.getBean("rateLimitFilterRegistration", FilterRegistrationBean.class).getFilter())
				.isInstanceOf(RateLimitFilter.class);
		});
	}

	@Test
	void withRedisLimitsInRedis() {
		this.webRunner.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class))
			.withUserConfiguration(SharedRedisConfiguration.class)
			.run((context) -> {
				assertThat(context).hasSingleBean(RedisConnectionFactory.class);
				ResilientRateLimiter resilient = context.getBean(ResilientRateLimiter.class);
				assertThat(resilient.getDelegate()).isSameAs(context.getBean(RedisRateLimiter.class));
				assertThat(context.getBean(OverLimitCachingRateLimiter.class).getDelegate()).isSameAs(resilient);
				assertThat(context.getBean(RateLimiter.class))
					.isSameAs(context.getBean(OverLimitCachingRateLimiter.class));
				assertThat(context.getBean("rateLimitCircuitBreaker")).isSameAs(resilient.getCircuitBreaker());
			});
	}

	@Test
	void withRedisButWithoutResilience4jLimitsInRedisDirectly() {
		this.webRunner.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class))
			.withClassLoader(new FilteredClassLoader(CircuitBreaker.class))
			.withUserConfiguration(SharedRedisConfiguration.class)
			.run((context) -> {
				assertThat(context).doesNotHaveBean(ResilientRateLimiter.class);
				assertThat(context.getBean(OverLimitCachingRateLimiter.class).getDelegate())
					.isSameAs(context.getBean(RedisRateLimiter.class));
			});
	}

	@Test
	void withoutTheOverLimitCacheTheResilientLayerIsTheLimiter() {
		this.webRunner.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class))
			.withUserConfiguration(SharedRedisConfiguration.class)
			.withPropertyValues("rate-limit.over-limit-cache.enabled=false")
			.run((context) -> {
				assertThat(context).doesNotHaveBean(OverLimitCachingRateLimiter.class);
				assertThat(context.getBean(RateLimiter.class)).isSameAs(context.getBean(ResilientRateLimiter.class));
			});
	}

	@Test
	void userLimiterReplacesEveryLayerOfTheRedisLimiter() {
		this.webRunner.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class))
			.withUserConfiguration(SharedRedisConfiguration.class)
			.withUserConfiguration(UserBeans.class)
			.run((context) -> {
				assertThat(context.getBean(RateLimiter.class)).isSameAs(UserBeans.LIMITER);
				assertThat(context).doesNotHaveBean(RedisRateLimiter.class)
					.doesNotHaveBean(ResilientRateLimiter.class)
					.doesNotHaveBean(OverLimitCachingRateLimiter.class)
					.doesNotHaveBean("rateLimitCircuitBreaker");
				assertThat(context).hasSingleBean(RedisOverrideStore.class);
			});
	}

	@Test
	void userCircuitBreakerReplacesTheBreakerAlone() {
		CircuitBreaker breaker = CircuitBreaker.ofDefaults("user");
		this.webRunner.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class))
			.withUserConfiguration(SharedRedisConfiguration.class)
			.withBean("rateLimitCircuitBreaker", CircuitBreaker.class, () -> breaker)
			.run((context) -> assertThat(context.getBean(ResilientRateLimiter.class).getCircuitBreaker())
				.isSameAs(breaker));
	}

	@Test
	void withTwoConnectionFactoriesUsesThePrimaryOne() {
		RedisServer redis = RedisServers.shared();
		this.webRunner.withUserConfiguration(TwoConnectionFactories.class)
			.withPropertyValues("test.redis.host=" + redis.host(), "test.redis.port=" + redis.port())
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context).hasSingleBean(RedisRateLimiter.class).hasSingleBean(RedisOverrideStore.class);
				assertThat(context.getBean(RedisRateLimiter.class).ping()).isPositive();
				assertThat(context).hasSingleBean(RequestPolicyResolver.class);
			});
	}

	@Test
	void withTwoConnectionFactoriesAndNoPrimaryBacksOff() {
		RedisServer redis = RedisServers.shared();
		new ApplicationContextRunner()
			.withConfiguration(
					AutoConfigurations.of(RateLimitAutoConfiguration.class, RateLimitOverridesAutoConfiguration.class))
			.withUserConfiguration(TwoConnectionFactoriesWithoutPrimary.class)
			.withPropertyValues(RULES)
			.withPropertyValues("test.redis.host=" + redis.host(), "test.redis.port=" + redis.port())
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context).doesNotHaveBean(RateLimiter.class);
				assertThat(context).doesNotHaveBean(OverrideStore.class);
			});
	}

	@Test
	void theFilterAndTheEndpointShareOneOverrideStore() {
		this.webRunner.run((context) -> {
			assertThat(context).hasSingleBean(OverrideStore.class);
			assertThat(context.getBean(OverrideStore.class)).isInstanceOf(InMemoryOverrideStore.class);
		});
	}

	@Test
	void underscoreNamesMeetWhateverTheBinderMakesOfThem() {
		this.webRunner.run((context) -> {
			RateLimitPolicy policy = context.getBean(RateLimitPolicy.class);
			assertThat(policy.operation("ai_generation")).isNotNull();
			assertThat(policy.operation("ai_generation").name()).isEqualTo("ai_generation");
			assertThat(policy.tierOrDefault("free").limitsFor(policy.operation("ai_generation"))).hasSize(2);
		});
	}

	@Test
	void disabledCreatesNothing() {
		this.webRunner.withPropertyValues("rate-limit.enabled=false").run((context) -> {
			assertThat(context).doesNotHaveBean(RateLimiter.class);
			assertThat(context).doesNotHaveBean(RateLimitPolicy.class);
			assertThat(context).doesNotHaveBean("rateLimitFilterRegistration");
		});
	}

	@Test
	void disabledKeepsChargesThatChargeNothing() {
		this.webRunner.withPropertyValues("rate-limit.enabled=false").run((context) -> {
			// Handlers that report their costs keep working with rate limiting off.
			assertThat(context).hasSingleBean(RateLimitCharges.class).doesNotHaveBean(RateLimitUsage.class);
			RateLimitCharges charges = context.getBean(RateLimitCharges.class);
			assertThatNoException().isThrownBy(() -> charges.charge("usd", BigDecimal.ONE));
		});
	}

	@Test
	void userBeansWin() {
		this.webRunner.withUserConfiguration(UserBeans.class).run((context) -> {
			assertThat(context.getBean(RateLimiter.class)).isSameAs(UserBeans.LIMITER);
			assertThat(context.getBean(IdentityResolver.class)).isSameAs(UserBeans.IDENTITY);
		});
	}

	@Test
	void notAWebApplicationHasNoFilter() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(RateLimitAutoConfiguration.class))
			.withPropertyValues(RULES)
			.run((context) -> {
				assertThat(context).hasSingleBean(RateLimiter.class);
				assertThat(context).doesNotHaveBean("rateLimitFilterRegistration");
			});
	}

	@Test
	void withoutSpringSecurityCallersGetTheDefaultTier() {
		this.webRunner.withClassLoader(new FilteredClassLoader(SecurityContextHolder.class))
			.run((context) -> assertThat(context).hasNotFailed().hasBean("rateLimitTierResolver"));
	}

	@Test
	void invalidLimitFailsNamingTheProperty() {
		this.webRunner.withPropertyValues("rate-limit.tiers.free.limits.api_requests=5/1x").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining("Invalid limit '5/1x': the window '1x' is not a duration");
			assertThat(causes(context.getStartupFailure())).anyMatch((cause) -> cause instanceof BindException
					&& cause.getMessage().contains("'rate-limit.tiers.free.limits.apirequests'"));
		});
	}

	@Test
	void undefinedDefaultTierFailsNamingTheProperty() {
		this.webRunner.withPropertyValues("rate-limit.default-tier=gold").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("Property rate-limit.default-tier ")
				.hasMessageContaining("tier 'gold' is not configured");
		});
	}

	@Test
	void malformedTrustedProxyFailsNamingTheProperty() {
		this.webRunner.withPropertyValues("rate-limit.identity.trusted-proxies=10.0.0.0/8,proxy.internal")
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).rootCause()
					.hasMessageContaining("rate-limit.identity.trusted-proxies[1]");
			});
	}

	private static List<Throwable> causes(Throwable failure) {
		List<Throwable> causes = new ArrayList<>();
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			causes.add(cause);
		}
		return causes;
	}

	/**
	 * Two factories, the primary one on the shared Redis server; nothing listens on the
	 * other's port, so a limiter on it could not answer.
	 */
	@Configuration(proxyBeanMethods = false)
	static class TwoConnectionFactories {

		@Bean
		@Primary
		LettuceConnectionFactory primaryConnectionFactory(Environment environment) {
			return sharedRedis(environment);
		}

		@Bean
		LettuceConnectionFactory otherConnectionFactory() {
			return new LettuceConnectionFactory("localhost", 1);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class TwoConnectionFactoriesWithoutPrimary {

		@Bean
		LettuceConnectionFactory oneConnectionFactory(Environment environment) {
			return sharedRedis(environment);
		}

		@Bean
		LettuceConnectionFactory otherConnectionFactory() {
			return new LettuceConnectionFactory("localhost", 1);
		}

	}

	private static LettuceConnectionFactory sharedRedis(Environment environment) {
		return new LettuceConnectionFactory(environment.getRequiredProperty("test.redis.host"),
				environment.getRequiredProperty("test.redis.port", Integer.class));
	}

	@Configuration(proxyBeanMethods = false)
	static class UserBeans {

		static final RateLimiter LIMITER = (request) -> Decision.unlimited();

		static final IdentityResolver IDENTITY = (request) -> Identity.global();

		@Bean
		RateLimiter customLimiter() {
			return LIMITER;
		}

		@Bean
		IdentityResolver customIdentityResolver() {
			return IDENTITY;
		}

	}

}
