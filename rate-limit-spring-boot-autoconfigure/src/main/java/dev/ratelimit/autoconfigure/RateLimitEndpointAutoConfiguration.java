package dev.ratelimit.autoconfigure;

import java.time.Clock;
import java.time.Duration;

import dev.ratelimit.actuate.RateLimitBackend;
import dev.ratelimit.actuate.RateLimitTraffic;
import dev.ratelimit.actuate.RateLimitsEndpoint;
import dev.ratelimit.actuate.RateLimitsWebEndpointExtension;
import dev.ratelimit.admin.RateLimitAdminService;
import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.policy.NamedUsers;
import dev.ratelimit.policy.OverrideStore;
import dev.ratelimit.policy.RateLimitPolicy;
import dev.ratelimit.policy.dynamic.DynamicLimits;
import dev.ratelimit.redis.RedisRateLimiter;
import dev.ratelimit.resilience.ResilientRateLimiter;
import dev.ratelimit.web.AnnotatedOperations;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication.Type;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.DispatcherServlet;

/**
 * Auto-configuration of the {@code ratelimits} actuator endpoint and, in a servlet web
 * application, of its web extension and the traffic recording it reports. Both exist only
 * when the endpoint is available (enabled, and exposed over some technology), so that
 * applications that do not expose it pay nothing per request.
 *
 * @author rate-limit-spring-boot
 */
@AutoConfiguration(after = { RateLimitAutoConfiguration.class, RateLimitOverridesAutoConfiguration.class })
@ConditionalOnClass(Endpoint.class)
@ConditionalOnBean({ RateLimitPolicy.class, RateLimiter.class, OverrideStore.class })
public final class RateLimitEndpointAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnAvailableEndpoint(RateLimitsEndpoint.class)
	RateLimitAdminService rateLimitAdminService(RateLimitPolicy policy, RateLimiter rateLimiter,
			OverrideStore overrideStore, ObjectProvider<RateLimitTraffic> traffic, ObjectProvider<Clock> clock,
			ObjectProvider<DynamicLimits> dynamicLimits, ObjectProvider<NamedUsers> namedUsers) {
		RateLimitTraffic observed = traffic.getIfAvailable();
		return new RateLimitAdminService(policy, rateLimiter, overrideStore,
				(observed != null) ? observed::observedTier : null, RateLimitClock.of(clock),
				dynamicLimits.getIfUnique(), namedUsers.getIfAvailable(NamedUsers::none));
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnAvailableEndpoint
	RateLimitsEndpoint rateLimitsEndpoint(RateLimitAdminService service, RateLimiter rateLimiter,
			ObjectProvider<RedisRateLimiter> redisRateLimiter,
			ObjectProvider<ResilientRateLimiter> resilientRateLimiter, ObjectProvider<RateLimitTraffic> traffic,
			ObjectProvider<AnnotatedOperations> annotatedOperations, ObjectProvider<NamedUsers> namedUsers,
			RateLimitProperties properties) {
		Duration maxDuration = properties.getOverrides().getMaxDuration();
		if (maxDuration.toSeconds() < 1) {
			throw InvalidRateLimitProperty.of("rate-limit.overrides.max-duration", maxDuration,
					"must be at least 1s, was " + maxDuration, "Set the longest an override may last, e.g. 30d.");
		}
		RateLimitBackend backend = new RateLimitBackend(rateLimiter, redisRateLimiter.getIfUnique(),
				resilientRateLimiter.getIfUnique());
		return new RateLimitsEndpoint(service, backend, traffic.getIfAvailable(), annotatedOperations.getIfAvailable(),
				maxDuration, namedUsers.getIfAvailable(NamedUsers::none));
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication(type = Type.SERVLET)
	@ConditionalOnClass(DispatcherServlet.class)
	static class WebConfiguration {

		@Bean
		@ConditionalOnMissingBean
		@ConditionalOnAvailableEndpoint(RateLimitsEndpoint.class)
		RateLimitsWebEndpointExtension rateLimitsWebEndpointExtension(RateLimitsEndpoint endpoint) {
			return new RateLimitsWebEndpointExtension(endpoint);
		}

		@Bean
		@ConditionalOnMissingBean
		@ConditionalOnAvailableEndpoint(RateLimitsEndpoint.class)
		RateLimitTraffic rateLimitTraffic(RateLimitProperties properties, ObjectProvider<Clock> clock) {
			RateLimitProperties.Traffic traffic = properties.getTraffic();
			if (traffic.getWindow().toSeconds() < 5) {
				throw InvalidRateLimitProperty.of("rate-limit.traffic.window", traffic.getWindow(),
						"must be at least 5s, was " + traffic.getWindow(), "Set a window of 5s or more, e.g. 5m.");
			}
			RateLimitAutoConfiguration.requirePositive("rate-limit.traffic.counters", traffic.getCounters());
			return new RateLimitTraffic(RateLimitClock.of(clock), traffic.getWindow(), traffic.getCounters());
		}

	}

}
