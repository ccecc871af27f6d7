package dev.ratelimit.test;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link RedisServers} and {@link ExternalRedisServer}.
 *
 * @author rate-limit-spring-boot
 */
class RedisServersTests {

	@Test
	void sharedServerIsOnePerJvmAndAnswersPing() {
		RedisServer server = RedisServers.shared();
		assertThat(RedisServers.shared()).isSameAs(server);
		assertThat(Resp.ping(server.host(), server.port(), 1000)).isTrue();
		assertThat(server.url()).isEqualTo("redis://" + server.host() + ":" + server.port());
	}

	@Test
	void externalServerParsesUrl() {
		ExternalRedisServer server = new ExternalRedisServer("redis://redis.example:6380");
		assertThat(server.host()).isEqualTo("redis.example");
		assertThat(server.port()).isEqualTo(6380);
		assertThat(server.supportsStopStart()).isFalse();
		assertThat(server.supportsSuspend()).isFalse();
	}

	@Test
	void externalServerDefaultsToPort6379() {
		assertThat(new ExternalRedisServer("redis://localhost").port()).isEqualTo(6379);
	}

	@Test
	void externalServerRejectsOtherUrls() {
		assertThatIllegalArgumentException().isThrownBy(() -> new ExternalRedisServer("localhost:6379"))
			.withMessageContaining("redis://localhost:6379");
	}

}
