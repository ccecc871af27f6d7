package dev.ratelimit.autoconfigure;

import java.time.Instant;
import java.util.Map;

import dev.ratelimit.actuate.RateLimitTraffic;
import dev.ratelimit.actuate.RateLimitsEndpoint;
import dev.ratelimit.actuate.RateLimitsWebEndpointExtension;
import dev.ratelimit.policy.InMemoryOverrideStore;
import dev.ratelimit.policy.OverrideStore;
import dev.ratelimit.policy.RateLimitOverride;
import dev.ratelimit.redis.RedisOverrideStore;
import dev.ratelimit.test.context.SharedRedisConfiguration;
import dev.ratelimit.web.Identity;
import dev.ratelimit.web.RequestPolicyResolver;
import dev.ratelimit.web.ResolvedRequest;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.mock.web.MockHttpServletRequest;

import static org.assertj.core.api.Assertions.assertThat;

class RateLimitEndpointAutoConfigurationTests {

	private static final String[] RULES = { "rate-limit.tiers.free.limits.ai_generation=5/1h, 20/1d",
			"rate-limit.tiers.free.limits.api_requests=1000/1h", "rate-limit.tiers.pro.limits.ai_generation=50/1h",
			"rate-limit.tiers.pro.limits.api_requests=10000/1h",
			"rate-limit.operations.ai_generation.match=POST /generate" };

	private static final String EXPOSED = "management.endpoints.web.exposure.include=ratelimits";

	private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(RateLimitAutoConfiguration.class,
				RateLimitOverridesAutoConfiguration.class, RateLimitEndpointAutoConfiguration.class))
		.withPropertyValues(RULES);

	@Test
	void exposedEndpointComesWithTrafficRecording() {
		this.runner.withPropertyValues(EXPOSED).run((context) -> {
			assertThat(context).hasSingleBean(RateLimitsEndpoint.class);
			assertThat(context).hasSingleBean(RateLimitsWebEndpointExtension.class);
			assertThat(context).hasSingleBean(RateLimitTraffic.class);
			assertThat(context.getBean(RateLimitTraffic.class).window()).hasMinutes(5);
		});
	}

	@Test
	void endpointThatIsNotExposedCostsNothing() {
		this.runner.run((context) -> {
			assertThat(context).doesNotHaveBean(RateLimitsEndpoint.class);
			assertThat(context).doesNotHaveBean(RateLimitsWebEndpointExtension.class);
			assertThat(context).doesNotHaveBean(RateLimitTraffic.class);
			assertThat(context).hasSingleBean(OverrideStore.class);
		});
	}

	@Test
	void disabledEndpointIsAbsentEvenWhenExposed() {
		this.runner.withPropertyValues(EXPOSED, "management.endpoint.ratelimits.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(RateLimitsEndpoint.class));
	}

	@Test
	void withoutActuatorThereIsNoEndpointButOverridesStillApplyInMemory() {
		this.runner.withClassLoader(new FilteredClassLoader(Endpoint.class))
			.withPropertyValues(EXPOSED)
			.run((context) -> {
				assertThat(context).doesNotHaveBean(RateLimitsEndpoint.class);
				assertThat(context).doesNotHaveBean(RateLimitTraffic.class);
				OverrideStore overrides = context.getBean(OverrideStore.class);
				assertThat(overrides).isInstanceOf(InMemoryOverrideStore.class);
				RequestPolicyResolver resolver = context.getBean(RequestPolicyResolver.class);
				assertThat(generationLimit(resolver, "alice")).isEqualTo(5);
				overrides.put(Identity.user("alice").scope(),
						RateLimitOverride.multiplier(2, Instant.now().plusSeconds(60)));
				assertThat(generationLimit(resolver, "alice")).isEqualTo(10);
				overrides.put(Identity.user("alice").scope(),
						RateLimitOverride.tier("pro", Instant.now().plusSeconds(60)));
				ResolvedRequest resolved = resolve(resolver, "alice");
				assertThat(resolved.tier().name()).isEqualTo("pro");
				assertThat(resolved.limits().get(0).limit()).isEqualTo(50);
				assertThat(resolved.isOwnTier()).isFalse();
				assertThat(generationLimit(resolver, "bob")).isEqualTo(5);
			});
	}

	@Test
	void overridesLiveInRedisWhenThereIsRedis() {
		this.runner.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class))
			.withUserConfiguration(SharedRedisConfiguration.class)
			.run((context) -> {
				assertThat(context).hasSingleBean(OverrideStore.class);
				assertThat(context.getBean(OverrideStore.class)).isInstanceOfSatisfying(RedisOverrideStore.class,
						(store) -> assertThat(store.isRunning()).isTrue());
			});
	}

	@Test
	void userOverrideStoreWins() {
		this.runner.withUserConfiguration(CustomOverrideStoreConfiguration.class)
			.withPropertyValues(EXPOSED)
			.run((context) -> {
				assertThat(context).hasSingleBean(OverrideStore.class);
				assertThat(context.getBean(OverrideStore.class)).isInstanceOf(CustomOverrideStore.class);
				RequestPolicyResolver resolver = context.getBean(RequestPolicyResolver.class);
				assertThat(generationLimit(resolver, "alice")).isEqualTo(15);
			});
	}

	@Test
	void disablingRateLimitingRemovesOverridesAndTheEndpoint() {
		this.runner.withPropertyValues(EXPOSED, "rate-limit.enabled=false").run((context) -> {
			assertThat(context).doesNotHaveBean(OverrideStore.class);
			assertThat(context).doesNotHaveBean(RateLimitsEndpoint.class);
		});
	}

	@Test
	void endpointWorksOutsideAWebApplicationWithoutTrafficRecording() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(RateLimitAutoConfiguration.class,
					RateLimitOverridesAutoConfiguration.class, RateLimitEndpointAutoConfiguration.class))
			.withPropertyValues(RULES)
			.withPropertyValues("management.endpoints.jmx.exposure.include=ratelimits", "spring.jmx.enabled=true")
			.run((context) -> {
				assertThat(context).hasSingleBean(RateLimitsEndpoint.class);
				assertThat(context).doesNotHaveBean(RateLimitTraffic.class);
				assertThat(context.getBean(RateLimitsEndpoint.class).rateLimits().traffic()).isNull();
			});
	}

	@Test
	void invalidSettingsStopStartupNamingTheProperty() {
		assertFailure("rate-limit.traffic.window=1s", "rate-limit.traffic.window");
		assertFailure("rate-limit.traffic.counters=0", "rate-limit.traffic.counters");
		assertFailure("rate-limit.overrides.max-duration=0s", "rate-limit.overrides.max-duration");
		this.runner.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class))
			.withUserConfiguration(SharedRedisConfiguration.class)
			.withPropertyValues("rate-limit.overrides.refresh-interval=0s")
			.run((context) -> assertThat(context).getFailure()
				.hasRootCauseInstanceOf(InvalidConfigurationPropertyValueException.class)
				.rootCause()
				.hasMessageContaining("rate-limit.overrides.refresh-interval"));
	}

	private void assertFailure(String property, String named) {
		this.runner.withPropertyValues(EXPOSED, property)
			.run((context) -> assertThat(context).getFailure()
				.hasRootCauseInstanceOf(InvalidConfigurationPropertyValueException.class)
				.rootCause()
				.hasMessageContaining(named));
	}

	private static long generationLimit(RequestPolicyResolver resolver, String user) {
		return resolve(resolver, user).limits().get(0).limit();
	}

	private static ResolvedRequest resolve(RequestPolicyResolver resolver, String user) {
		MockHttpServletRequest request = new MockHttpServletRequest("POST", "/generate");
		request.setUserPrincipal(() -> user);
		ResolvedRequest resolved = resolver.resolve(request);
		assertThat(resolved).isNotNull();
		return resolved;
	}

	@Configuration(proxyBeanMethods = false)
	static class CustomOverrideStoreConfiguration {

		@Bean
		OverrideStore customOverrideStore() {
			return new CustomOverrideStore();
		}

	}

	/**
	 * Triples everyone's limits.
	 */
	static class CustomOverrideStore implements OverrideStore {

		@Override
		public @Nullable RateLimitOverride find(String scope) {
			return RateLimitOverride.multiplier(3, Instant.MAX);
		}

		@Override
		public Map<String, RateLimitOverride> findAll() {
			return Map.of();
		}

		@Override
		public void put(String scope, RateLimitOverride override) {
		}

		@Override
		public boolean remove(String scope) {
			return false;
		}

	}

}
