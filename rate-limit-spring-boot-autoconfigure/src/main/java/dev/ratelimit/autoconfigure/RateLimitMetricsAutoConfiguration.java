package dev.ratelimit.autoconfigure;

import dev.ratelimit.actuate.RateLimitBackendMetrics;
import dev.ratelimit.actuate.RateLimitCheckMeterFilter;
import dev.ratelimit.actuate.RateLimitLeaseMetrics;
import dev.ratelimit.actuate.RateLimitMetrics;
import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.policy.RateLimitPolicy;
import dev.ratelimit.redis.RedisRateLimiter;
import dev.ratelimit.resilience.ResilientRateLimiter;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication.Type;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;

/**
 * Auto-configuration of the rate limiter's Micrometer metrics: the meters of every
 * request the filter decides ({@link RateLimitMetrics}), the histogram of the timer made
 * from the filter's observation of each check ({@link RateLimitCheckMeterFilter}) and the
 * state of the limiter's backend ({@link RateLimitBackendMetrics}) and its concurrency
 * leases ({@link RateLimitLeaseMetrics}).
 *
 * @author rate-limit-spring-boot
 */
@AutoConfiguration(after = RateLimitAutoConfiguration.class, afterName = {
		"org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
		"org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
		"org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration" })
@ConditionalOnBooleanProperty(name = "rate-limit.enabled", matchIfMissing = true)
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean({ MeterRegistry.class, RateLimiter.class })
@EnableConfigurationProperties(RateLimitProperties.class)
public final class RateLimitMetricsAutoConfiguration {

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication(type = Type.SERVLET)
	@ConditionalOnClass(name = "jakarta.servlet.http.HttpServletRequest")
	static class RequestMetricsConfiguration {

		@Bean
		@ConditionalOnMissingBean
		RateLimitMetrics rateLimitMetrics(MeterRegistry registry, RateLimitProperties properties) {
			double threshold = properties.getMetrics().getNearLimitThreshold();
			if (!(threshold >= 0 && threshold <= 1)) {
				throw InvalidRateLimitProperty.of("rate-limit.metrics.near-limit-threshold", threshold,
						"must be between 0 and 1, was " + threshold,
						"Give the share of the limit, e.g. 0.2 to count requests that leave less than 20%.");
			}
			return new RateLimitMetrics(registry, threshold);
		}

		/**
		 * The histogram of the {@code ratelimit.check} timer, which Boot's meter
		 * observation handler makes from the filter's observation of each check. Ordered
		 * before Boot's properties filter (order 0), so that the application's
		 * distribution settings win.
		 */
		@Bean
		@Order(-1)
		@ConditionalOnMissingBean
		RateLimitCheckMeterFilter rateLimitCheckMeterFilter() {
			return new RateLimitCheckMeterFilter();
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(CircuitBreaker.class)
	static class BackendMetricsConfiguration {

		@Bean
		@ConditionalOnMissingBean
		RateLimitBackendMetrics rateLimitBackendMetrics(ObjectProvider<ResilientRateLimiter> resilientRateLimiter) {
			return new RateLimitBackendMetrics(resilientRateLimiter.getIfUnique());
		}

	}

	/**
	 * The concurrency leases of a limiter kept in Redis: requests in flight per operation
	 * and leases freed by expiry.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = "org.springframework.data.redis.core.StringRedisTemplate")
	static class LeaseMetricsConfiguration {

		@Bean
		@ConditionalOnMissingBean
		RateLimitLeaseMetrics rateLimitLeaseMetrics(RateLimitPolicy policy,
				ObjectProvider<RedisRateLimiter> redisRateLimiter) {
			return new RateLimitLeaseMetrics(policy, redisRateLimiter.getIfUnique());
		}

	}

}
