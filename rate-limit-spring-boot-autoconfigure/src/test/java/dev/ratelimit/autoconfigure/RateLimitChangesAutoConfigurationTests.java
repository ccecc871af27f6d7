package dev.ratelimit.autoconfigure;

import dev.ratelimit.redis.RedisChangeListener;
import dev.ratelimit.test.context.SharedRedisConfiguration;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The listener for the changes other instances publish, and the container it listens
 * through.
 */
class RateLimitChangesAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(
				AutoConfigurations.of(RateLimitAutoConfiguration.class, RateLimitOverridesAutoConfiguration.class))
		.withPropertyValues("rate-limit.tiers.free.limits.api_requests=1000/1h");

	@Test
	void withRedisListensThroughAContainerStartedWithTheContext() {
		withRedis().run((context) -> {
			assertThat(context).hasSingleBean(RedisChangeListener.class)
				.hasSingleBean(RedisMessageListenerContainer.class);
			assertThat(context.getBean(RedisMessageListenerContainer.class).isRunning()).isTrue();
		});
	}

	@Test
	void listensThroughTheApplicationsContainer() {
		withRedis().withUserConfiguration(CustomContainerConfiguration.class).run((context) -> {
			assertThat(context).hasSingleBean(RedisChangeListener.class)
				.hasSingleBean(RedisMessageListenerContainer.class);
			assertThat(context.getBean(RedisMessageListenerContainer.class))
				.isSameAs(context.getBean(CustomContainerConfiguration.class).container);
		});
	}

	@Test
	void withoutRedisListensToNothing() {
		this.runner.run((context) -> assertThat(context).hasNotFailed()
			.doesNotHaveBean(RedisChangeListener.class)
			.doesNotHaveBean(RedisMessageListenerContainer.class));
	}

	@Test
	void disabledRateLimitingListensToNothing() {
		withRedis().withPropertyValues("rate-limit.enabled=false")
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(RedisChangeListener.class));
	}

	private ApplicationContextRunner withRedis() {
		return this.runner.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class))
			.withUserConfiguration(SharedRedisConfiguration.class);
	}

	@Configuration(proxyBeanMethods = false)
	static class CustomContainerConfiguration {

		private RedisMessageListenerContainer container;

		@Bean
		RedisMessageListenerContainer redisMessageListenerContainer(RedisConnectionFactory connectionFactory) {
			this.container = new RedisMessageListenerContainer();
			this.container.setConnectionFactory(connectionFactory);
			return this.container;
		}

	}

}
