package dev.ratelimit.autoconfigure;

import java.time.Clock;

import dev.ratelimit.policy.dynamic.CachedReputations;
import dev.ratelimit.policy.dynamic.DynamicLimits;
import dev.ratelimit.policy.dynamic.GeographyMultipliers;
import dev.ratelimit.policy.dynamic.LoadSignal;
import dev.ratelimit.policy.dynamic.LoadThresholds;
import dev.ratelimit.policy.dynamic.ProcessCpuLoadSignal;
import dev.ratelimit.policy.dynamic.ReputationProvider;
import dev.ratelimit.policy.dynamic.SampledLoad;
import dev.ratelimit.redis.RedisReputationProvider;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Auto-configuration of dynamic limits ({@code rate-limit.dynamic}), only when some
 * multiplier is configured: the {@link DynamicLimits} the filter applies, the background
 * sampler of the {@link LoadSignal} (the process's CPU load unless a bean replaces it)
 * when load thresholds are set, and the in-memory cache of reputations from a
 * {@link ReputationProvider} (from Redis unless a bean replaces it) when reputation is
 * enabled.
 *
 * @author rate-limit-spring-boot
 */
@AutoConfiguration(afterName = "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration")
@ConditionalOnBooleanProperty(name = "rate-limit.enabled", matchIfMissing = true)
@Conditional(OnDynamicLimitsCondition.Any.class)
@EnableConfigurationProperties(RateLimitProperties.class)
public final class RateLimitDynamicAutoConfiguration {

	private static final Log logger = LogFactory.getLog(RateLimitDynamicAutoConfiguration.class);

	@Bean
	@ConditionalOnMissingBean
	DynamicLimits rateLimitDynamicLimits(RateLimitProperties properties, Environment environment,
			ObjectProvider<Clock> clock, ObjectProvider<SampledLoad> load,
			ObjectProvider<CachedReputations> reputations) {
		DynamicLimitsMapper mapper = new DynamicLimitsMapper(InvalidRateLimitProperty.in(environment));
		DynamicProperties dynamic = properties.getDynamic();
		LoadThresholds loadThresholds = mapper.loadThresholds(dynamic);
		GeographyMultipliers geography = mapper.geography(dynamic);
		if (geography != null && properties.getIdentity().getTrustedProxies().isEmpty()) {
			logger.warn("rate-limit.dynamic.geography is configured but rate-limit.identity.trusted-proxies is empty:"
					+ " the " + geography.header() + " header is read only from trusted proxies, so it never applies");
		}
		return new DynamicLimits(RateLimitClock.of(clock), mapper.schedule(dynamic), loadThresholds,
				(loadThresholds != null) ? load.getObject() : null, reputations.getIfAvailable(), geography);
	}

	@Configuration(proxyBeanMethods = false)
	@Conditional(OnDynamicLimitsCondition.Load.class)
	static class LoadConfiguration {

		@Bean
		@ConditionalOnMissingBean
		LoadSignal rateLimitLoadSignal() {
			return new ProcessCpuLoadSignal();
		}

		@Bean
		@ConditionalOnMissingBean
		SampledLoad rateLimitSampledLoad(LoadSignal signal, RateLimitProperties properties) {
			DynamicProperties.Load load = properties.getDynamic().getLoad();
			RateLimitAutoConfiguration.requirePositive("rate-limit.dynamic.load.sample-interval",
					load.getSampleInterval().toMillis());
			return new SampledLoad(signal, load.getSampleInterval());
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnBooleanProperty("rate-limit.dynamic.reputation.enabled")
	static class ReputationConfiguration {

		@Bean
		@ConditionalOnMissingBean
		CachedReputations rateLimitReputations(ObjectProvider<ReputationProvider> provider,
				RateLimitProperties properties) {
			DynamicProperties.Reputation reputation = properties.getDynamic().getReputation();
			RateLimitAutoConfiguration.requirePositive("rate-limit.dynamic.reputation.refresh-interval",
					reputation.getRefreshInterval().toMillis());
			RateLimitAutoConfiguration.requirePositive("rate-limit.dynamic.reputation.max-callers",
					reputation.getMaxCallers());
			ReputationProvider reputations = provider.getIfUnique();
			if (reputations == null) {
				throw InvalidRateLimitProperty.of("rate-limit.dynamic.reputation.enabled", true,
						"needs a ReputationProvider: there is no Redis to read reputations from and no bean",
						"Configure Redis, or declare a ReputationProvider bean.");
			}
			return new CachedReputations(reputations, reputation.getMaxCallers(), reputation.getRefreshInterval());
		}

		@Configuration(proxyBeanMethods = false)
		@ConditionalOnClass({ StringRedisTemplate.class, DataRedisAutoConfiguration.class })
		@ConditionalOnSingleCandidate(RedisConnectionFactory.class)
		static class RedisReputationConfiguration {

			@Bean
			@ConditionalOnMissingBean(ReputationProvider.class)
			RedisReputationProvider rateLimitReputationProvider(RedisConnectionFactory connectionFactory,
					RateLimitProperties properties) {
				return new RedisReputationProvider(new StringRedisTemplate(connectionFactory),
						properties.getKeyPrefix());
			}

		}

	}

}
