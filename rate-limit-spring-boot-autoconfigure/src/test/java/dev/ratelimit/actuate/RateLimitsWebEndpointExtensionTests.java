package dev.ratelimit.actuate;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.ratelimit.admin.RateLimitAdminService;
import dev.ratelimit.core.LimitSpec;
import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.local.InMemoryRateLimiter;
import dev.ratelimit.policy.OverrideStore;
import dev.ratelimit.policy.RateLimitPolicy;
import dev.ratelimit.redis.RedisOverrideStore;
import dev.ratelimit.test.EmbeddedRedisServer;
import dev.ratelimit.test.context.LettuceConnectionFactories;
import org.junit.jupiter.api.Test;

import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How the web extension answers when an operation cannot be completed: a malformed
 * request is a 400 and a Redis that is gone is a 503, never a 500.
 */
class RateLimitsWebEndpointExtensionTests {

	private final RateLimitPolicy policy = RateLimitPolicy.builder()
		.tier("free", false, null, Map.of("api_requests", List.of(LimitSpec.of(10, Duration.ofMinutes(1)))))
		.build();

	private RateLimitsEndpoint endpoint(RateLimiter limiter, OverrideStore overrides) {
		RateLimitAdminService service = new RateLimitAdminService(this.policy, limiter, overrides, null,
				Clock.systemUTC());
		return new RateLimitsEndpoint(service, new RateLimitBackend(limiter, null, null), null, null,
				Duration.ofDays(1));
	}

	@Test
	void writesWhileRedisIsDownAreServiceUnavailable() {
		try (EmbeddedRedisServer redis = new EmbeddedRedisServer()) {
			LettuceConnectionFactory connectionFactory = LettuceConnectionFactories.started(redis,
					Duration.ofMillis(500));
			try {
				RedisOverrideStore overrides = new RedisOverrideStore(new StringRedisTemplate(connectionFactory), "rl",
						Clock.systemUTC(), Duration.ofSeconds(1));
				RateLimitsWebEndpointExtension extension = new RateLimitsWebEndpointExtension(
						endpoint(new InMemoryRateLimiter(), overrides));
				redis.stop();
				WebEndpointResponse<OperationResponseBody> response = extension.override("user:alice", "free", null,
						"10m", false);
				assertThat(response.getStatus()).isEqualTo(WebEndpointResponse.STATUS_SERVICE_UNAVAILABLE);
				assertThat(response.getBody()).isInstanceOfSatisfying(RateLimitsWebEndpointExtension.BadRequest.class,
						(body) -> assertThat(body.message()).contains("rate limit backend"));
				WebEndpointResponse<OperationResponseBody> malformed = extension.override("user:alice", "platinum",
						null, "10m", false);
				assertThat(malformed.getStatus()).isEqualTo(WebEndpointResponse.STATUS_BAD_REQUEST);
			}
			finally {
				connectionFactory.destroy();
			}
		}
	}

}
