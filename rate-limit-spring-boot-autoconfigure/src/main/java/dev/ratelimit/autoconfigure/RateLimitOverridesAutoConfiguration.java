package dev.ratelimit.autoconfigure;

import java.time.Clock;

import dev.ratelimit.policy.InMemoryOverrideStore;
import dev.ratelimit.policy.OverrideStore;
import dev.ratelimit.redis.RedisChangeListener;
import dev.ratelimit.redis.RedisChanges;
import dev.ratelimit.redis.RedisOverrideStore;
import dev.ratelimit.resilience.OverLimitCachingRateLimiter;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
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
import org.springframework.data.redis.listener.RedisMessageListenerContainer;

/**
 * Auto-configuration of the {@link OverrideStore} that operators' overrides of callers'
 * limits live in: in Redis, shared by every instance, when a
 * {@link RedisConnectionFactory} exists, else in memory. This one store is the filter's
 * and the actuator endpoint's: the filter applies overrides whether or not the endpoint
 * that sets them is present. With Redis, the instances tell each other of overrides and
 * resets on a pub/sub channel ({@link RedisChanges}) and apply them on receipt
 * ({@link RedisChangeListener}).
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

		/**
		 * The name of the listener container of Spring Boot's Redis auto-configuration.
		 */
		private static final String MESSAGE_LISTENER_CONTAINER = "redisMessageListenerContainer";

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

		/**
		 * The container the instances' change messages arrive through, started and
		 * stopped with the context: the application's, under the name Spring Boot gives
		 * it, else one of the same name and kind as Boot's.
		 */
		@Bean(name = MESSAGE_LISTENER_CONTAINER)
		@ConditionalOnMissingBean(name = MESSAGE_LISTENER_CONTAINER)
		RedisMessageListenerContainer redisMessageListenerContainer(RedisConnectionFactory connectionFactory) {
			RedisMessageListenerContainer container = new RedisMessageListenerContainer();
			container.setConnectionFactory(connectionFactory);
			return container;
		}

		/**
		 * Applies the overrides and resets other instances publish as soon as they
		 * arrive.
		 */
		@Bean
		@ConditionalOnMissingBean
		RedisChangeListener rateLimitChangeListener(
				@Qualifier(MESSAGE_LISTENER_CONTAINER) RedisMessageListenerContainer container,
				RateLimitProperties properties, ObjectProvider<RedisOverrideStore> overrideStore,
				ObjectProvider<OverLimitCachingRateLimiter> overLimitCache) {
			// The cache is looked up per message (rare), not at startup, so that the
			// listener does not depend on the limiter's creation.
			RedisChangeListener listener = new RedisChangeListener(overrideStore.getIfUnique(),
					(scope) -> overLimitCache.ifAvailable((cache) -> cache.forget(scope)));
			container.addMessageListener(listener, RedisChanges.topic(properties.getKeyPrefix()));
			return listener;
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
