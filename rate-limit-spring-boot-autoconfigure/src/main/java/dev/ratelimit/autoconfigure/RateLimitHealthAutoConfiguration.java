package dev.ratelimit.autoconfigure;

import java.time.Duration;

import dev.ratelimit.actuate.RateLimitBackend;
import dev.ratelimit.actuate.RateLimitHealthIndicator;
import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.redis.RedisRateLimiter;
import dev.ratelimit.resilience.ResilientRateLimiter;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.annotation.Bean;
import org.springframework.util.StringUtils;

/**
 * Auto-configuration of the {@code ratelimit} health contributor. Disable it with
 * {@code management.health.ratelimit.enabled=false}.
 *
 * @author rate-limit-spring-boot
 */
@AutoConfiguration(after = RateLimitAutoConfiguration.class)
@ConditionalOnBooleanProperty(name = "rate-limit.enabled", matchIfMissing = true)
@ConditionalOnClass({ HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class })
@ConditionalOnBean(RateLimiter.class)
@ConditionalOnEnabledHealthIndicator("ratelimit")
@EnableConfigurationProperties(RateLimitProperties.class)
public final class RateLimitHealthAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(name = { "ratelimitHealthIndicator", "ratelimitHealthContributor" })
	RateLimitHealthIndicator ratelimitHealthIndicator(RateLimiter rateLimiter,
			ObjectProvider<RedisRateLimiter> redisRateLimiter,
			ObjectProvider<ResilientRateLimiter> resilientRateLimiter, RateLimitProperties properties) {
		HealthProperties health = properties.getHealth();
		String fallbackStatus = health.getFallbackStatus();
		if (!StringUtils.hasText(fallbackStatus) || StringUtils.containsWhitespace(fallbackStatus)) {
			throw InvalidRateLimitProperty.of("rate-limit.health.fallback-status", fallbackStatus,
					"must be a status code, was '" + fallbackStatus + "'",
					"Give a status such as DEGRADED (the default), UP, OUT_OF_SERVICE or DOWN.");
		}
		Duration timeout = health.getTimeout();
		if (timeout == null || timeout.compareTo(Duration.ZERO) <= 0) {
			throw InvalidRateLimitProperty.of("rate-limit.health.timeout", timeout, "must be positive, was " + timeout,
					"Give a duration such as 1s or 500ms.");
		}
		RateLimitBackend backend = new RateLimitBackend(rateLimiter, redisRateLimiter.getIfUnique(),
				resilientRateLimiter.getIfUnique());
		return new RateLimitHealthIndicator(backend, new Status(fallbackStatus), timeout);
	}

}
