package dev.ratelimit.autoconfigure;

import java.time.Clock;

import dev.ratelimit.policy.InMemoryOverrideStore;
import dev.ratelimit.policy.OverrideStore;
import dev.ratelimit.redis.RedisOverrideStore;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Auto-configuration of the {@link OverrideStore} that operators' overrides of callers' limits
 * live in: in Redis, shared by every instance, when a {@link RedisConnectionFactory} exists, else
 * in memory. This one store is the filter's and the actuator endpoint's: the filter applies
 * overrides whether or not the endpoint that sets them is present.
 *
 * @author rate-limit-spring-boot
 */
@AutoConfiguration(afterName = "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration")
@ConditionalOnBooleanProperty(name = "rate-limit.enabled", matchIfMissing = true)
@EnableConfigurationProperties(RateLimitProperties.class)
public final class RateLimitOverridesAutoConfiguration {

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass({ StringRedisTemplate.class, DataRedisAutoConfiguration.class })
	@ConditionalOnSingleCandidate(RedisConnectionFactory.class)
	static class RedisOverrideStoreConfiguration {

		@Bean
		@ConditionalOnMissingBean(OverrideStore.class)
		RedisOverrideStore rateLimitOverrideStore(RedisConnectionFactory connectionFactory,
				RateLimitProperties properties, ObjectProvider<Clock> clock) {
			RateLimitProperties.Overrides overrides = properties.getOverrides();
			RateLimitAutoConfiguration.requirePositive("rate-limit.overrides.refresh-interval",
					overrides.getRefreshInterval().toMillis());
			return new RedisOverrideStore(new StringRedisTemplate(connectionFactory), properties.getKeyPrefix(),
					RateLimitClock.of(clock), overrides.getRefreshInterval());
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnMissingBean(type = "org.springframework.data.redis.connection.RedisConnectionFactory")
	static class InMemoryOverrideStoreConfiguration {

		@Bean
		@ConditionalOnMissingBean(OverrideStore.class)
		InMemoryOverrideStore rateLimitOverrideStore(ObjectProvider<Clock> clock) {
			return new InMemoryOverrideStore(RateLimitClock.of(clock));
		}

	}

}
