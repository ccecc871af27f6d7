package dev.ratelimit.test.context;

import dev.ratelimit.test.RedisServer;
import dev.ratelimit.test.RedisServers;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link SharedRedisConfiguration} and {@link RedisServerConnectionDetails}
 * with Spring Boot's Redis auto-configuration.
 *
 * @author rate-limit-spring-boot
 */
class SharedRedisConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class))
		.withUserConfiguration(SharedRedisConfiguration.class);

	@Test
	void connectionFactoryConnectsToTheSharedServer() {
		RedisServer shared = RedisServers.shared();
		this.runner.run((context) -> {
			assertThat(context).hasSingleBean(DataRedisConnectionDetails.class);
			LettuceConnectionFactory connectionFactory = context.getBean(LettuceConnectionFactory.class);
			assertThat(connectionFactory.getHostName()).isEqualTo(shared.host());
			assertThat(connectionFactory.getPort()).isEqualTo(shared.port());
			assertThat(
					context.getBean(StringRedisTemplate.class).execute((RedisCallback<String>) RedisConnection::ping))
				.isEqualTo("PONG");
		});
	}

	@Test
	void connectionDetailsWinOverRedisProperties() {
		RedisServer shared = RedisServers.shared();
		this.runner.withPropertyValues("spring.data.redis.host=redis.invalid", "spring.data.redis.port=1")
			.run((context) -> {
				LettuceConnectionFactory connectionFactory = context.getBean(LettuceConnectionFactory.class);
				assertThat(connectionFactory.getHostName()).isEqualTo(shared.host());
				assertThat(connectionFactory.getPort()).isEqualTo(shared.port());
			});
	}

}
