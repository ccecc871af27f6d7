package dev.ratelimit.autoconfigure;

import java.util.Map;

import dev.ratelimit.policy.dynamic.CachedReputations;
import dev.ratelimit.policy.dynamic.DynamicLimits;
import dev.ratelimit.policy.dynamic.LoadSignal;
import dev.ratelimit.policy.dynamic.ProcessCpuLoadSignal;
import dev.ratelimit.policy.dynamic.ReputationProvider;
import dev.ratelimit.policy.dynamic.SampledLoad;
import dev.ratelimit.redis.RedisReputationProvider;
import dev.ratelimit.test.context.SharedRedisConfiguration;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link RateLimitDynamicAutoConfiguration}.
 *
 * @author rate-limit-spring-boot
 */
class RateLimitDynamicAutoConfigurationTests {

	private static final String[] RULES = { "rate-limit.tiers.free.limits.api_requests=1000/1h" };

	private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(RateLimitAutoConfiguration.class,
				RateLimitOverridesAutoConfiguration.class, RateLimitDynamicAutoConfiguration.class))
		.withPropertyValues(RULES);

	@Test
	void nothingExistsUnlessConfigured() {
		this.runner.run((context) -> assertThat(context).hasNotFailed()
			.doesNotHaveBean(DynamicLimits.class)
			.doesNotHaveBean(SampledLoad.class)
			.doesNotHaveBean(LoadSignal.class)
			.doesNotHaveBean(CachedReputations.class));
		this.runner.withPropertyValues("rate-limit.dynamic.reputation.enabled=false")
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(DynamicLimits.class));
	}

	@Test
	void scheduleAloneNeedsNoSampler() {
		this.runner
			.withPropertyValues("rate-limit.dynamic.schedule[0].hours=22:00-06:00",
					"rate-limit.dynamic.schedule[0].multiplier=1.5")
			.run((context) -> {
				assertThat(context).hasSingleBean(DynamicLimits.class).doesNotHaveBean(SampledLoad.class);
				DynamicLimits dynamic = context.getBean(DynamicLimits.class);
				assertThat(dynamic.schedule().windows()).hasSize(1);
				assertThat(dynamic.schedule().windows().get(0).zone().getId()).isEqualTo("UTC");
				assertThat(dynamic.loadThresholds()).isNull();
				assertThat(dynamic.geography()).isNull();
				assertThat(dynamic.reputationEnabled()).isFalse();
			});
	}

	@Test
	void loadIsTheProcessCpuUnlessAUserSignalReplacesIt() {
		WebApplicationContextRunner load = this.runner.withPropertyValues("rate-limit.dynamic.load.high=0.8",
				"rate-limit.dynamic.load.high-multiplier=0.7");
		load.run((context) -> {
			assertThat(context).hasSingleBean(SampledLoad.class);
			assertThat(context.getBean(LoadSignal.class)).isInstanceOf(ProcessCpuLoadSignal.class);
			assertThat(context.getBean(SampledLoad.class).isRunning()).isTrue();
			assertThat(context.getBean(DynamicLimits.class).loadThresholds().high()).isEqualTo(0.8);
		});
		load.withUserConfiguration(UserSignal.class).run((context) -> {
			assertThat(context.getBean(LoadSignal.class)).isSameAs(context.getBean(UserSignal.class).signal);
			SampledLoad sampled = context.getBean(SampledLoad.class);
			sampled.sample();
			assertThat(sampled.load()).isEqualTo(0.25);
		});
	}

	@Test
	void reputationIsReadFromRedisUnlessAUserProviderReplacesIt() {
		WebApplicationContextRunner redis = this.runner
			.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class))
			.withUserConfiguration(SharedRedisConfiguration.class)
			.withPropertyValues("rate-limit.dynamic.reputation.enabled=true");
		redis.run((context) -> {
			assertThat(context).hasSingleBean(CachedReputations.class);
			assertThat(context.getBean(ReputationProvider.class)).isInstanceOf(RedisReputationProvider.class);
			assertThat(context.getBean(DynamicLimits.class).reputationEnabled()).isTrue();
		});
		redis.withUserConfiguration(UserReputations.class)
			.run((context) -> assertThat(context.getBean(ReputationProvider.class))
				.isNotInstanceOf(RedisReputationProvider.class));
	}

	@Test
	void reputationWithoutRedisOrProviderFailsNamingTheProperty() {
		this.runner.withPropertyValues("rate-limit.dynamic.reputation.enabled=true")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("rate-limit.dynamic.reputation.enabled")
				.hasMessageContaining("ReputationProvider"));
		this.runner.withPropertyValues("rate-limit.dynamic.reputation.enabled=true")
			.withUserConfiguration(UserReputations.class)
			.run((context) -> assertThat(context).hasNotFailed().hasSingleBean(CachedReputations.class));
	}

	@Test
	void badScheduleFailsNamingTheProperty() {
		assertFails("rate-limit.dynamic.schedule[0].hours", "HH:MM-HH:MM",
				"rate-limit.dynamic.schedule[0].hours=25:00-06:00", "rate-limit.dynamic.schedule[0].multiplier=2");
		assertFails("rate-limit.dynamic.schedule[1].hours", "must be set",
				"rate-limit.dynamic.schedule[0].hours=22:00-06:00", "rate-limit.dynamic.schedule[0].multiplier=2",
				"rate-limit.dynamic.schedule[1].multiplier=2");
		assertFails("rate-limit.dynamic.schedule[0].zone", "'Mars/Olympus' is not a known time zone",
				"rate-limit.dynamic.schedule[0].hours=22:00-06:00", "rate-limit.dynamic.schedule[0].zone=Mars/Olympus",
				"rate-limit.dynamic.schedule[0].multiplier=2");
		assertFails("rate-limit.dynamic.schedule[0].multiplier", "greater than zero",
				"rate-limit.dynamic.schedule[0].hours=22:00-06:00", "rate-limit.dynamic.schedule[0].multiplier=0");
		assertFails("rate-limit.dynamic.schedule[0].multiplier", "must be set",
				"rate-limit.dynamic.schedule[0].hours=22:00-06:00");
	}

	@Test
	void badLoadFailsNamingTheProperty() {
		assertFails("rate-limit.dynamic.load.high", "from 0 to 1", "rate-limit.dynamic.load.high=80",
				"rate-limit.dynamic.load.high-multiplier=0.7");
		assertFails("rate-limit.dynamic.load.high-multiplier", "must be set", "rate-limit.dynamic.load.high=0.8");
		assertFails("rate-limit.dynamic.load.low-multiplier", "greater than zero", "rate-limit.dynamic.load.low=0.3",
				"rate-limit.dynamic.load.low-multiplier=-1");
		assertFails("rate-limit.dynamic.load.low", "must be below", "rate-limit.dynamic.load.high=0.5",
				"rate-limit.dynamic.load.high-multiplier=0.7", "rate-limit.dynamic.load.low=0.6",
				"rate-limit.dynamic.load.low-multiplier=1.3");
	}

	@Test
	void badGeographyFailsNamingTheProperty() {
		assertFails("rate-limit.dynamic.geography.multipliers.USA", "not a two-letter country code",
				"rate-limit.dynamic.geography.multipliers.USA=1.0");
		assertFails("rate-limit.dynamic.geography.multipliers.CA", "greater than zero",
				"rate-limit.dynamic.geography.multipliers.CA=0");
		assertFails("rate-limit.dynamic.geography.default-multiplier", "greater than zero",
				"rate-limit.dynamic.geography.default-multiplier=-0.5");
	}

	@Test
	void geographyReadsTheConfiguredHeader() {
		this.runner
			.withPropertyValues("rate-limit.dynamic.geography.default-multiplier=0.6",
					"rate-limit.dynamic.geography.multipliers.us=1.0", "rate-limit.dynamic.geography.header=X-Country")
			.run((context) -> {
				DynamicLimits dynamic = context.getBean(DynamicLimits.class);
				assertThat(dynamic.geography().header()).isEqualTo("X-Country");
				assertThat(dynamic.geography().multipliers()).isEqualTo(Map.of("US", 1.0));
				assertThat(dynamic.geography().defaultMultiplier()).isEqualTo(0.6);
			});
	}

	private void assertFails(String property, String message, String... properties) {
		this.runner.withPropertyValues(properties)
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining(property)
				.hasMessageContaining(message));
	}

	@Configuration(proxyBeanMethods = false)
	static class UserSignal {

		final LoadSignal signal = () -> 0.25;

		@Bean
		LoadSignal userLoadSignal() {
			return this.signal;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UserReputations {

		@Bean
		ReputationProvider userReputations() {
			return (scopes) -> Map.of();
		}

	}

}
